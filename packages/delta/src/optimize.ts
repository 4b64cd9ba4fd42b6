import type { AddFile } from './actions.js';
import type { CommitPlan, PlannedCommit } from './commit.js';
import type { Row } from './rows.js';
import type { Snapshot } from './state.js';

export interface OptimizeOptions {
  /** Files with fewer rows than this are compacted into files of up to this many rows. */
  targetFileRows: number;
}

/** What optimize needs of a table (kept narrow so the plan can be tested alone). */
interface RowSource {
  readRows(file: AddFile, snapshot?: Snapshot): Promise<Row[]>;
}

function rowCount(file: AddFile): number | undefined {
  try {
    const n = (JSON.parse(file.stats ?? '{}') as { numRecords?: unknown }).numRecords;
    return typeof n === 'number' ? n : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The compaction plan: per partition, the files below the target (two or more of them) are read
 * and their rows rewritten into as few files as the target allows. It runs on the snapshot the
 * commit applies to, so a file another writer removed meanwhile is never compacted back in.
 */
export function optimizePlan(source: RowSource, options: OptimizeOptions): CommitPlan {
  return async (snapshot): Promise<PlannedCommit | undefined> => {
    const groups = new Map<string, AddFile[]>();
    for (const file of snapshot.files) {
      const n = rowCount(file);
      if (n === undefined || n >= options.targetFileRows) continue;
      const id = JSON.stringify(file.partitionValues ?? {});
      groups.set(id, [...(groups.get(id) ?? []), file]);
    }
    const remove: string[] = [];
    const add: Row[][] = [];
    for (const files of groups.values()) {
      if (files.length < 2) continue;
      let current: Row[] = [];
      for (const file of files) {
        remove.push(file.path);
        for (const row of await source.readRows(file, snapshot)) {
          current.push(row);
          if (current.length === options.targetFileRows) {
            add.push(current);
            current = [];
          }
        }
      }
      if (current.length > 0) add.push(current);
    }
    if (remove.length === 0) return undefined;
    return { add, remove, dataChange: false, operation: 'OPTIMIZE' };
  };
}
