import { resolve } from 'node:path';
import {
  defaultArtifactName,
  validateArtifactName,
  validateArtifactType,
} from '../dvc/artifact-name.js';
import { TroveError } from '../errors.js';
import type { LineageRow } from '../record/records.js';
import { ingestPath } from '../store/ingest.js';
import { lineageRow, type RunContext, relToRoot, summaryOf } from './context.js';

export interface LogRefOptions {
  name?: string;
  kind?: string;
  summary?: Record<string, unknown>;
  /** True for an input the run consumed (Polyaxon's `is_input`). */
  isInput?: boolean;
}

const URI_RE = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//;

/**
 * Records lineage only (Polyaxon's `log_artifact_ref`): nothing is copied or stored. A readable
 * local path gets its md5 recorded; a URI (`s3://…`) is recorded as given.
 */
export async function logRef(
  ctx: RunContext,
  pathOrUri: string,
  options: LogRefOptions,
): Promise<LineageRow> {
  ctx.assertActive();
  if (typeof pathOrUri !== 'string' || pathOrUri === '') {
    throw new TroveError('INVALID_ARGUMENT', 'A reference needs a path or URI.');
  }
  const name =
    options.name === undefined
      ? defaultArtifactName(pathOrUri.replace(URI_RE, ''))
      : validateArtifactName(options.name);
  const kind = options.kind === undefined ? undefined : validateArtifactType(options.kind);
  const summary: Record<string, unknown> = { ...(options.summary ?? {}) };
  let path = pathOrUri;
  let isdir = false;
  if (!URI_RE.test(pathOrUri)) {
    const local = resolve(ctx.cwd, pathOrUri);
    path = relToRoot(ctx, local);
    try {
      const ingested = await ingestPath(local, {
        state: ctx.hashState(),
        ...(ctx.dvcRoot ? { dvcRoot: ctx.dvcRoot } : {}),
      });
      ctx.hashState().save();
      isdir = ingested.isdir;
      Object.assign(summary, summaryOf(ingested));
    } catch {
      // Polyaxon hashes a reference only when it can read it; an unreadable one is still recorded.
    }
  }
  const row = lineageRow(
    ctx,
    {
      name,
      kind: kind ?? (isdir ? 'dir' : 'file'),
      path,
      isInput: options.isInput ?? false,
      isRef: true,
    },
    summary,
  );
  ctx.addLineage(row);
  await ctx.persist();
  return row;
}
