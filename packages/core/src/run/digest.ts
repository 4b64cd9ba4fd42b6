/**
 * What identifies the data under a reference, so a later use can tell it changed: the md5 of a
 * local file or folder (hashed as DVC does, nothing stored), or the version a cloud service gives
 * an object (`s3://` and `az://`: its ETag; `gs://`: its generation), read through that service's
 * backend (`Store.statUri`). Kept in the lineage row's summary (`md5`, or `digest` for an object).
 */
import { resolve } from 'node:path';
import { isTroveError, TroveError } from '../errors.js';
import { ingestPath } from '../store/ingest.js';
import { type RunContext, relToRoot, summaryOf } from './context.js';

export const URI_RE = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//;

export interface Digested {
  /** A URI as given, or a local path relative to the project root. */
  path: string;
  isdir: boolean;
  /** Local data: `md5`, `hash`, `size`, `nfiles`; an object: `digest` (`etag:…`, `generation:…`), `size`. */
  summary: Record<string, unknown>;
}

/**
 * The digest of a local path or a URI. `missing: 'fail'` throws `NOT_FOUND` when there is nothing
 * there; `'record'` (Polyaxon's references) gives a summary without a digest instead. A URI of a
 * scheme no backend reads (`https://`), or of a service the project has no store of, has none.
 */
export async function digestOf(
  ctx: Pick<RunContext, 'store' | 'cwd' | 'root' | 'dvcRoot' | 'hashState'>,
  pathOrUri: string,
  missing: 'fail' | 'record',
): Promise<Digested> {
  if (URI_RE.test(pathOrUri)) {
    try {
      const stat = await ctx.store.statUri(pathOrUri);
      if (!stat) return { path: pathOrUri, isdir: false, summary: {} };
      const kind = pathOrUri.startsWith('gs://') ? 'generation' : 'etag';
      return {
        path: pathOrUri,
        isdir: false,
        summary: {
          digest: `${kind}:${stat.etag}`,
          size: stat.size,
          lastModified: stat.lastModified.toISOString(),
        },
      };
    } catch (err) {
      // A reference is recorded whatever its object's state (Polyaxon's semantics).
      if (missing === 'record' && isTroveError(err)) {
        return { path: pathOrUri, isdir: false, summary: {} };
      }
      throw isTroveError(err, 'NOT_FOUND')
        ? new TroveError('NOT_FOUND', `There is no object at ${pathOrUri}.`, {
            key: pathOrUri,
            cause: err,
          })
        : err;
    }
  }
  const local = resolve(ctx.cwd, pathOrUri);
  const path = relToRoot(ctx, local);
  try {
    const ingested = await ingestPath(local, {
      state: ctx.hashState(),
      ...(ctx.dvcRoot ? { dvcRoot: ctx.dvcRoot } : {}),
    });
    ctx.hashState().save();
    return {
      path,
      isdir: ingested.isdir,
      // A local digest is the md5 Polyaxon's summary already has: no field of its own.
      summary: summaryOf(ingested),
    };
  } catch (err) {
    // Polyaxon records a reference it cannot read; an input must be there to be used.
    if (missing === 'record') return { path, isdir: false, summary: {} };
    throw err;
  }
}

/** What identifies the data a summary describes (`md5:<hex>`, `etag:…`, `generation:…`), if any. */
export function identityOf(summary: Record<string, unknown>): string | undefined {
  if (typeof summary.digest === 'string') return summary.digest;
  return typeof summary.md5 === 'string' ? `md5:${summary.md5}` : undefined;
}
