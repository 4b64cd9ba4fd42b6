/** What tables-contention.ts and its worker processes (tables-worker.ts) hand each other. */

export interface TablesWorkerJob {
  mode: 'runs' | 'index' | 'final';
  cwd: string;
  store?: string;
  resolveFrom?: string[];
  /** `runs`: this writer's number, 0-based, its run count and metric steps a run. */
  writer?: number;
  each?: number;
  steps?: number;
  /** `index`: the loop stops once this local file exists. */
  stopFile?: string;
  /** `final`: also count each table's commits and retried attempts (a read of every commit). */
  countCommits?: boolean;
}

export interface TablesRunsReport {
  writer: number;
  runIds: string[];
}

export interface TablesFinalReport {
  runs: Array<{
    run_id: string;
    name: string;
    status: string;
    params: Record<string, string>;
    metrics: Record<string, number>;
  }>;
  metrics: Array<{ run_id: string; name: string; step: number | null; value: number }>;
  markers: string[];
  /**
   * Per table: commits in its log and attempts beyond the first (lost versions, made again);
   * only when asked (`countCommits`), empty otherwise.
   */
  commits: Record<string, { commits: number; retried: number }>;
}

/** The value writer `w` logs for its run `seq` at `step`: unique, so a lost or stale row shows. */
export function loggedValue(writer: number, seq: number, step: number): number {
  return writer * 1000 + seq + step / 100;
}
