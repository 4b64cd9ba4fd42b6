// Where a table's objects live under its root (`prefix`, ending in `/`):
//   <prefix>_delta_log/<20-digit version>.json              one commit, written create-only
//   <prefix>_delta_log/<20-digit version>.checkpoint.parquet the replayed state at that version
//   <prefix>_delta_log/_last_checkpoint                      a hint to the newest checkpoint
//   <prefix>part-<uuid>.snappy.parquet                       data files, at the root

export const LOG_DIR = '_delta_log/';

const COMMIT = /^(\d{20})\.json$/;
const CHECKPOINT = /^(\d{20})\.checkpoint\.parquet$/;

export function pad(version: number): string {
  return String(version).padStart(20, '0');
}

export function commitKey(prefix: string, version: number): string {
  return `${prefix}${LOG_DIR}${pad(version)}.json`;
}

export function checkpointKey(prefix: string, version: number): string {
  return `${prefix}${LOG_DIR}${pad(version)}.checkpoint.parquet`;
}

export function lastCheckpointKey(prefix: string): string {
  return `${prefix}${LOG_DIR}_last_checkpoint`;
}

/** The version and kind of a log key, or undefined for anything else in `_delta_log/`. */
export function parseLogKey(
  prefix: string,
  key: string,
): { version: number; kind: 'commit' | 'checkpoint' } | undefined {
  const name = key.slice(prefix.length + LOG_DIR.length);
  const commit = COMMIT.exec(name);
  if (commit) return { version: Number(commit[1]), kind: 'commit' };
  const checkpoint = CHECKPOINT.exec(name);
  if (checkpoint) return { version: Number(checkpoint[1]), kind: 'checkpoint' };
  return undefined;
}

/** A data file's store key from its (URI-encoded, relative) path in the log. */
export function dataFileKey(prefix: string, path: string): string {
  return `${prefix}${decodeURIComponent(path)}`;
}
