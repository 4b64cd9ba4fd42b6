import { isTroveError } from '../errors.js';
import type { RunContents } from '../record/run-folder.js';
import type { Store } from '../record/store.js';

/**
 * A run's record, artifacts and lineage from its folder; undefined when the run is gone. Its
 * lineage files are read only when asked (`lineage: false` leaves the rows empty): a search of
 * the runs table needs the record and the artifact count, not the lineage.
 */
export async function readContents(
  store: Store,
  runId: string,
  parts: { lineage?: boolean } = {},
): Promise<RunContents | undefined> {
  try {
    const [record, artifacts, lineage] = await Promise.all([
      store.readRun(runId),
      store.readArtifacts(runId),
      parts.lineage === false ? [] : store.readLineage(runId),
    ]);
    return { record, artifacts, lineage };
  } catch (err) {
    if (isTroveError(err, 'NOT_FOUND')) return undefined;
    throw err;
  }
}
