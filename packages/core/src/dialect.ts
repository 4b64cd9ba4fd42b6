/**
 * `@trove/core/dialect`: the seam the dialect packages (`@trove/live`, `@trove/mlflow`,
 * `@trove/polyaxon`) are built on. **For @trove packages**: it follows their needs and may
 * change in any release; users import `@trove/core`.
 *
 * A dialect steers the run kernel only through what is here: named options for how an artifact
 * is logged (`logArtifactAs`: a logical path of its own, no workspace pointers, its own event row,
 * the lineage summary given when the row is made), the run's one events channel (`eventsOf`),
 * and the formats the anchors' files need (Python-exact floats, JSON and YAML, run paths). No
 * record is patched after the kernel saved it.
 */
import { join } from 'node:path';
import { HashState } from './hash/hash-state.js';
import { findProject } from './project/find-project.js';
import type { ArtifactRecord, LineageRow, RunStatus } from './record/records.js';
import type { Store } from './record/store.js';
import { type LoggedModelRef, storeLoggedModel } from './registry/logged-models.js';
import { contextOf, lineageRow, type RunEvents } from './run/context.js';
import {
  checkNotProjectOrStore,
  type LogArtifactOptions,
  type LogAs,
  logArtifact,
} from './run/log-artifact.js';
import type { Run } from './run/run.js';

export {
  defaultArtifactName,
  dvcliveArtifactName,
  validateArtifactName,
} from './dvc/artifact-name.js';
export { writeFileAtomic } from './fs/atomic-file.js';
export type { EventBatch } from './layout/events.js';
export { validateEventName } from './layout/events.js';
export {
  baseFileName,
  logicalPath,
  pathExtension,
  toFqnName,
  validateRelPath,
  validateStep,
} from './layout/paths.js';
export { findProject, findUp } from './project/find-project.js';
export { readGitInfo } from './project/git-info.js';
export {
  comparePyStr,
  dumpJsonDvclive,
  isPyInt,
  mappingEntries,
  PyFloat,
  pyFloatRepr,
  pyJsonDumps,
  pyJsonString,
} from './py/py-format.js';
export { dumpYaml } from './py/yaml-emit.js';
export { readText } from './record/meta-io.js';
export {
  isModelId,
  type LoggedModelRef,
  newModelId,
  readLoggedModel,
  writeLoggedModel,
} from './registry/logged-models.js';
export { validateModelName } from './registry/model-names.js';
export type { SearchVersionsOptions } from './registry/model-registry.js';
export { recordValue } from './run/record-value.js';
export { endAfter } from './run/start-run.js';
export { parseFilter } from './search/parse-filter.js';
export { parseOrderBy } from './search/parse-order-by.js';
export { statArtifactPath } from './store/ingest.js';
export {
  latestModelMetrics,
  MODEL_METRIC_DIR,
  type ModelMetric,
} from './tables/model-metrics.js';
export { EXPERIMENT_TAGS } from './tables/rows.js';
export {
  type LoggedModelRow,
  type SearchLoggedModelsOptions,
  searchLoggedModels,
} from './tables/search-logged-models.js';
export { mapFsError } from './user-path-errors.js';
export type { LogAs, RunEvents };

/**
 * `run.logArtifact` with a dialect's named options (`LogAs`): everything the run's records
 * need is given here, when they are made. Counted among the run's pending calls.
 *
 * @example
 * // MLflow's `log_artifact(path, "plots")`: at plots/<file>, no .dvc pointer.
 * await logArtifactAs(run, 'plot.png', {}, { path: 'plots/plot.png' });
 */
export function logArtifactAs(
  run: Run,
  path: string,
  options: LogArtifactOptions,
  as: LogAs,
): Promise<ArtifactRecord> {
  const ctx = contextOf(run);
  return ctx.track(logArtifact(ctx, path, options, as));
}

/** Throws `RUN_ENDED` once the run has ended (before a dialect prepares anything). */
export function assertActive(run: Run): void {
  contextOf(run).assertActive();
}

/**
 * `listener` is called once `run` has ended (by `end()`, `await using`, the exit guard) or was
 * dropped: a dialect's active run is cleared however the run ended.
 */
export function onRunEnded(run: Run, listener: () => void): void {
  contextOf(run).onEnded(listener);
}

/**
 * How `run` ends if the process leaves while it is open (`completed` when the loop runs dry,
 * `failed` on an uncaught exception, `killed` on SIGINT/SIGTERM): a dialect that writes files of
 * its own at the end (Polyaxon's `run.plx.json`) ends it its way. Default: `run.end(status)`.
 */
export function setExitEnd(
  run: Run,
  end: (status: Exclude<RunStatus, 'running'>) => Promise<void>,
): void {
  contextOf(run).setExitEnd(end);
}

/**
 * Stores a logged model (MLflow 3: apart from any run's artifacts) and writes its document; with
 * `run`, the run records it as its output (a lineage row `models:/<id>` named as the model, so
 * `runs:/<run>/<name>` resolves to it, as in MLflow 3). `cwd` finds the project's stat cache
 * when there is no run.
 */
export async function logModelDir(
  store: Store,
  path: string,
  ref: Omit<LoggedModelRef, 'md5' | 'isdir' | 'size' | 'nfiles' | 'artifactPath'>,
  where: { run: Run } | { cwd: string },
): Promise<LoggedModelRef> {
  if ('run' in where) {
    const ctx = contextOf(where.run);
    return ctx.track(
      (async () => {
        const stored = await storeLoggedModel(store, path, ref, ctx.hashState());
        const row: LineageRow = lineageRow(
          ctx,
          {
            name: ref.name,
            kind: 'model',
            path: `models:/${ref.modelId}`,
            isInput: false,
            isRef: true,
          },
          {
            modelId: ref.modelId,
            md5: stored.md5,
            hash: `md5:${stored.md5}`,
            size: stored.size,
            ...(stored.nfiles !== undefined ? { nfiles: stored.nfiles } : {}),
            step: ref.step ?? 0,
          },
        );
        ctx.addLineage(row);
        await ctx.persist();
        return stored;
      })(),
    );
  }
  const root = findProject(where.cwd).root;
  const state = HashState.load(join(root, '.trove', 'tmp', 'hashes.json'));
  return storeLoggedModel(store, path, ref, state);
}

/** The run's one events channel: rows every writer of this run object adds, saved by the run. */
export function eventsOf(run: Run): RunEvents {
  return contextOf(run).events;
}

/**
 * Refuses (`INVALID_PATH`) what the kernel never logs: the run's project root, a folder holding
 * it, and trove's own store. For a dialect that copies a path before logging the copy.
 */
export function checkLoggablePath(run: Run, source: string): void {
  checkNotProjectOrStore(run.root, source);
}
