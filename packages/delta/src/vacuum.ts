import { SUMMARY_DIR } from './file-layout.js';
import { LOG_DIR } from './log-paths.js';
import type { Snapshot } from './state.js';
import type { DeltaStorage } from './storage.js';

export interface VacuumOptions {
  /**
   * Grace period: only files last written longer ago than this go (and, for files the log
   * removed, removed longer ago than this), so a file a writer has just written and not yet
   * committed, or one a reader of an older snapshot is still reading, stays.
   */
  olderThanMs: number;
  /** List what would go without deleting. */
  dryRun?: boolean;
}

export interface VacuumResult {
  /** Store keys deleted (or, dry run, that would be). */
  deleted: string[];
  /** The size of each, in the same order. */
  sizes: number[];
  /** Their bytes. */
  bytes: number;
}

/**
 * Deletes the data files under the table root that `snapshot` does not use, and their summaries
 * (`_summaries/<data file path>`, gone by the same rule as the file they summarize). The log
 * itself is kept whole: every commit stays readable (time travel), and old log files are small.
 */
export async function vacuumTable(
  storage: DeltaStorage,
  prefix: string,
  snapshot: Snapshot,
  options: VacuumOptions,
): Promise<VacuumResult> {
  const cutoff = Date.now() - options.olderThanMs;
  const live = new Set(snapshot.files.map((f) => `${prefix}${decodeURIComponent(f.path)}`));
  const removedAt = new Map(
    snapshot.tombstones.map((t) => [
      `${prefix}${decodeURIComponent(t.path)}`,
      t.deletionTimestamp ?? 0,
    ]),
  );
  const deleted: string[] = [];
  const sizes: number[] = [];
  for await (const entry of storage.list(prefix)) {
    let relative = entry.key.slice(prefix.length);
    // A summary is judged as its data file is (by the data file's key).
    if (relative.startsWith(SUMMARY_DIR)) relative = relative.slice(SUMMARY_DIR.length);
    const dataKey = `${prefix}${relative}`;
    // Hidden folders (`_delta_log/`, `_change_data/`, …) and non-Parquet objects are not data files.
    if (
      relative.startsWith(LOG_DIR) ||
      relative.split('/').some((part) => part.startsWith('_') || part.startsWith('.'))
    )
      continue;
    if (!relative.endsWith('.parquet') || live.has(dataKey)) continue;
    // Without a modification time the age is unknown: such a file is never deleted.
    if (!entry.lastModified || entry.lastModified.getTime() >= cutoff) continue;
    if ((removedAt.get(dataKey) ?? 0) >= cutoff) continue;
    deleted.push(entry.key);
    sizes.push(entry.size);
  }
  if (!options.dryRun && deleted.length > 0) await storage.deleteMany(deleted);
  return { deleted, sizes, bytes: sizes.reduce((a, b) => a + b, 0) };
}
