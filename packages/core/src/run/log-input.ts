import { validateArtifactType } from '../dvc/artifact-name.js';
import { TroveError } from '../errors.js';
import type { LineageRow } from '../record/records.js';
import { lineageRow, type RunContext } from './context.js';
import { digestOf } from './digest.js';
import { refName } from './log-ref.js';
import { recordValues } from './record-value.js';

export interface LogInputOptions {
  /** The dataset's name (default: the path's stem). */
  name?: string;
  /** What the run used it for (MLflow's `context`: `training`, `validation`, …). */
  context?: string;
  /** Its schema, as a mapping (MLflow's dataset `schema`). */
  schema?: Record<string, unknown>;
  /** Its profile: row counts, statistics… (MLflow's dataset `profile`). */
  profile?: Record<string, unknown>;
  /** The lineage row's kind (default `dataset`). */
  kind?: string;
  /** More values for the lineage row's summary (a dialect's own fields). */
  summary?: Record<string, unknown>;
}

/**
 * Records a dataset the run reads, where it is, with a digest of what it holds now: the md5 of a
 * local file or folder, the ETag or generation of an `s3://`, `gs://` or `az://` object (read
 * through the service's backend, when the project has a store there). Nothing is copied. The
 * data must be there: a missing path or object is `NOT_FOUND`, and nothing is recorded.
 * `useArtifact` of it later refuses with `CHANGED` when the data under it changed.
 */
export async function logInput(
  ctx: RunContext,
  pathOrUri: string,
  options: LogInputOptions,
): Promise<LineageRow> {
  const name = refName(ctx, pathOrUri, options.name, 'An input');
  const kind = options.kind === undefined ? 'dataset' : validateArtifactType(options.kind);
  if (
    options.context !== undefined &&
    (typeof options.context !== 'string' || options.context === '')
  ) {
    throw new TroveError('INVALID_ARGUMENT', 'context must be a non-empty string (e.g. training).');
  }
  const extra: Record<string, unknown> = {};
  for (const key of ['schema', 'profile', 'summary'] as const) {
    const value = options[key];
    if (value === undefined) continue;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new TroveError('INVALID_ARGUMENT', `${key} must be a mapping of keys to values.`);
    }
    extra[key] = recordValues(value, key);
  }
  const { path, summary } = await digestOf(ctx, pathOrUri, 'fail');
  const row = lineageRow(
    ctx,
    { name, kind, path, isInput: true, isRef: true },
    {
      ...(extra.summary as Record<string, unknown> | undefined),
      ...summary,
      ...(options.context !== undefined ? { context: options.context } : {}),
      ...(extra.schema !== undefined ? { schema: extra.schema } : {}),
      ...(extra.profile !== undefined ? { profile: extra.profile } : {}),
    },
  );
  ctx.addLineage(row);
  await ctx.persist();
  return row;
}
