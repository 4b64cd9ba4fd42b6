import { isTroveError } from '../errors.js';
import type { RunContents } from '../record/run-folder.js';
import type { Store } from '../record/store.js';

/** A run's record, artifacts and lineage from its folder; undefined when the run is gone. */
export async function readContents(store: Store, runId: string): Promise<RunContents | undefined> {
  try {
    const [record, artifacts, lineage] = await Promise.all([
      store.readRun(runId),
      store.readArtifacts(runId),
      store.readLineage(runId),
    ]);
    return { record, artifacts, lineage };
  } catch (err) {
    if (isTroveError(err, 'NOT_FOUND')) return undefined;
    throw err;
  }
}
