import { mapLimit } from '@trove/core/backend';
import type { GcsContext } from './context.js';
import { gcsFetch, httpError, objectUrl, withRetries } from './http.js';

/**
 * Deletes objects, `concurrency` at a time (the JSON API has no batch delete the Node SDK
 * offers). An absent object is not an error. Each is one JSON API request of our own, retried
 * on lost connections and 5xx: the SDK retries a delete only under a generation precondition
 * (its "conditionally idempotent" rule), so a reset on the way lost it. Deleting again is safe:
 * a delete that landed before its answer was lost finds nothing the second time (404).
 */
export async function deleteKeys(
  ctx: GcsContext,
  keys: readonly string[],
  signal: AbortSignal | undefined,
): Promise<void> {
  await mapLimit([...new Set(keys)], ctx.options.concurrency, async (key) => {
    signal?.throwIfAborted();
    await withRetries(
      ctx.options.maxAttempts,
      async () => {
        const answer = await gcsFetch(ctx, objectUrl(ctx, key), {
          method: 'DELETE',
          ...(signal ? { signal } : {}),
        });
        if (answer.ok || answer.status === 404) {
          await answer.body?.cancel();
          return;
        }
        throw await httpError(answer, `deleting ${key}`);
      },
      signal,
    );
  });
}
