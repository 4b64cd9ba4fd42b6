import { basename, resolve } from 'node:path';
import { isTroveError } from '../errors.js';
import { type ResolvedArtifact, resolveArtifactRef } from '../refs/resolve-ref.js';
import { type CheckoutOptions, type CheckoutResult, checkout } from '../store/checkout.js';
import { lineageRow, type RunContext, relToRoot } from './context.js';
import { type UsedReference, useReference } from './use-reference.js';

export interface UseArtifactOptions extends CheckoutOptions {
  /** Where to put it; defaults to its file name in the working directory. */
  to?: string;
  /**
   * For a reference (data only pointed at): go on with a warning when the data changed since it
   * was recorded, instead of failing with `CHANGED`.
   */
  allowChanged?: boolean;
}

export interface UsedArtifact extends CheckoutResult {
  md5: string;
  name: string;
  runId?: string;
  /** For a reference: nothing was placed (`path` is what it points at, `files` 0); its check. */
  reference?: UsedReference;
}

/**
 * Fetches an artifact logged by any run and records it as this run's input. `ref` is a name
 * (newest wins), `runs:/<run>/<path>`, `<run>/<path>`, or an md5.
 */
export async function useArtifact(
  ctx: RunContext,
  ref: string,
  options: UseArtifactOptions,
): Promise<UsedArtifact> {
  ctx.assertActive();
  let found: ResolvedArtifact;
  try {
    found = await resolveArtifactRef(ctx.store, ref);
  } catch (err) {
    if (!isTroveError(err, 'NOT_FOUND') && !isTroveError(err, 'INVALID_NAME')) throw err;
    const used = await useReference(ctx, ref, options.allowChanged === true);
    if (!used) throw err;
    const md5 = used.current?.startsWith('md5:') ? used.current.slice(4) : '';
    return {
      path: used.path,
      files: 0,
      links: {},
      md5,
      name: used.name,
      runId: used.runId,
      reference: used,
    };
  }
  const fileName = found.record ? basename(found.record.path) : found.md5;
  const dest = resolve(ctx.cwd, options.to ?? fileName);
  const result = await checkout(ctx.store.objects, found.md5, dest, {
    ...(options.link !== undefined ? { link: options.link } : {}),
    ...(options.force !== undefined ? { force: options.force } : {}),
  });
  ctx.addLineage(
    lineageRow(
      ctx,
      {
        name: found.name,
        kind: found.kind,
        path: found.record ? `runs:/${found.runId}/${found.record.path}` : `md5:${found.md5}`,
        isInput: true,
        isRef: false,
      },
      {
        md5: found.md5,
        ...(found.size !== undefined ? { size: found.size } : {}),
        ...(found.nfiles !== undefined ? { nfiles: found.nfiles } : {}),
        ...(found.runId ? { run: found.runId } : {}),
        localPath: relToRoot(ctx, dest),
      },
    ),
  );
  await ctx.persist();
  return {
    ...result,
    md5: found.md5,
    name: found.name,
    ...(found.runId ? { runId: found.runId } : {}),
  };
}
