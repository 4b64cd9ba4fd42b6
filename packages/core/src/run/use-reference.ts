/**
 * `useArtifact` of something only referred to (a `logInput` or `logArtifactRef` row of any run,
 * named by its name, path or URI): nothing is fetched; the data under it is digested again and
 * compared with the digest recorded, so a run cannot silently read data that changed.
 */
import { resolve } from 'node:path';
import { TroveError } from '../errors.js';
import type { LineageRow } from '../record/records.js';
import { findReference } from '../tables/find-artifacts.js';
import { lineageRow, type RunContext } from './context.js';
import { digestOf, identityOf, URI_RE } from './digest.js';

export interface UsedReference {
  /** The path or URI it points at. */
  path: string;
  name: string;
  /** The run that recorded it. */
  runId: string;
  /** What was recorded (`md5:…`, `etag:…`, `generation:…`), and what is there now. */
  recorded: string | undefined;
  current: string | undefined;
  changed: boolean;
}

/** The newest reference named `ref`, checked; undefined when no reference has that name or path. */
export async function useReference(
  ctx: RunContext,
  ref: string,
  allowChanged: boolean,
): Promise<UsedReference | undefined> {
  const found = await findReference(ctx.store, ref);
  if (!found) return undefined;
  const row = (await ctx.store.readLineage(found.runId)).findLast(
    (r: LineageRow) => r.isRef && r.path === found.path && r.name === found.name,
  );
  if (!row) return undefined;
  // Data the store holds is used by its md5 (resolveArtifactRef); this is data only pointed at.
  const recorded = identityOf(row.summary ?? {});
  // Local paths are recorded relative to the project root, URIs as given.
  const now = await digestOf(
    ctx,
    URI_RE.test(row.path) ? row.path : resolve(ctx.root, row.path),
    'fail',
  );
  const current = identityOf(now.summary);
  const changed = recorded !== undefined && current !== recorded;
  if (changed) {
    const message = `${row.path} (${row.name}) changed since run ${found.runId} recorded it: ${recorded} then, ${current ?? 'no digest'} now.`;
    if (!allowChanged) {
      throw new TroveError('CHANGED', message, {
        key: row.path,
        hint: 'Log the data again (logInput) to use what is there now, or pass allowChanged: true.',
      });
    }
    process.emitWarning(message, { code: 'TROVE_CHANGED' });
  }
  ctx.addLineage(
    lineageRow(
      ctx,
      { name: row.name, kind: row.kind, path: row.path, isInput: true, isRef: true },
      { ...now.summary, ...(changed ? { changedSince: recorded } : {}), run: found.runId },
    ),
  );
  await ctx.persist();
  return {
    path: row.path,
    name: row.name,
    runId: found.runId,
    recorded,
    current,
    changed,
  };
}
