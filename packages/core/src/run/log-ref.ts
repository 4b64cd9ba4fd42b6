import {
  defaultArtifactName,
  validateArtifactName,
  validateArtifactType,
} from '../dvc/artifact-name.js';
import { TroveError } from '../errors.js';
import type { LineageRow } from '../record/records.js';
import { lineageRow, type RunContext } from './context.js';
import { digestOf, URI_RE } from './digest.js';

export interface LogRefOptions {
  name?: string;
  kind?: string;
  summary?: Record<string, unknown>;
  /** True for an input the run consumed (Polyaxon's `is_input`). */
  isInput?: boolean;
}

/**
 * Records lineage only (Polyaxon's `log_artifact_ref`): nothing is copied or stored. A readable
 * local path gets its md5 recorded; an `s3://`, `gs://` or `az://` object its ETag or generation
 * (`digest.ts`); any other URI is recorded as given.
 */
export async function logRef(
  ctx: RunContext,
  pathOrUri: string,
  options: LogRefOptions,
): Promise<LineageRow> {
  const name = refName(ctx, pathOrUri, options.name, 'A reference');
  const kind = options.kind === undefined ? undefined : validateArtifactType(options.kind);
  // The digest is recorded beside the caller's summary, so a later use can tell the data changed.
  const { path, isdir, summary: digest } = await digestOf(ctx, pathOrUri, 'record');
  const summary: Record<string, unknown> = { ...(options.summary ?? {}), ...digest };
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

/**
 * The checks `logRef` and `logInput` make before anything is digested (an active run, a path or
 * URI: `what` names it in the message), and the name the row gets: `name`, or the path's stem.
 */
export function refName(
  ctx: RunContext,
  pathOrUri: string,
  name: string | undefined,
  what: string,
): string {
  ctx.assertActive();
  if (typeof pathOrUri !== 'string' || pathOrUri === '') {
    throw new TroveError('INVALID_ARGUMENT', `${what} needs a path or URI.`);
  }
  return name === undefined
    ? defaultArtifactName(pathOrUri.replace(URI_RE, ''))
    : validateArtifactName(name);
}
