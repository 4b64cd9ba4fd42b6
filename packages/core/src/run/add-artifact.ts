import type { ArtifactRecord } from '../record/records.js';
import type { LogArtifactOptions } from './log-artifact.js';
import type { Run } from './run.js';
import { createRun, resumeRun, type StartRunOptions } from './start-run.js';

export interface AddArtifactOptions extends LogArtifactOptions, Omit<StartRunOptions, 'name'> {
  /** Add to this recorded run (id or unique prefix) instead of starting a new one. */
  run?: string;
  /** Name of the new run (default `trove add`). */
  runName?: string;
}

/**
 * Logs one file or directory in a run of its own (or in `run`), then ends that run: what
 * `trove add` does. A rejected input leaves no trace: the new run is recorded only once its
 * artifact is.
 *
 * @example
 * const { run, artifact } = await addArtifact('data/train.csv', { type: 'dataset' });
 */
export async function addArtifact(
  path: string,
  options: AddArtifactOptions = {},
): Promise<{ run: Run; artifact: ArtifactRecord }> {
  const {
    run: runId,
    runName,
    dir,
    dvcyaml,
    cwd,
    store,
    configFile,
    params,
    tags,
    ...log
  } = options;
  const runOptions = { dir, dvcyaml, cwd, store, configFile, params, tags };
  const run = runId
    ? await resumeRun(runId, runOptions)
    : await createRun({ ...runOptions, name: runName ?? 'trove add' });
  try {
    const artifact = await run.logArtifact(path, log);
    await run.end();
    return { run, artifact };
  } catch (err) {
    // One call, one artifact: when it is rejected there is nothing to record.
    await run.abandon();
    throw err;
  }
}
