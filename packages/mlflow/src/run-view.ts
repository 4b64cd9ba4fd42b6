/**
 * A run as MLflow's `Run` entity shows it (`run.info`, `run.data`), made from a row of core's runs
 * table. `getRun` and `searchRuns` both return this, so the two never disagree.
 */
import { type RunRow, TroveError } from '@trove/core';
import { experimentIdOfRow } from './experiments.js';

export type MlflowStatus = 'RUNNING' | 'FINISHED' | 'FAILED' | 'KILLED';

export interface MlflowRunInfo {
  run_id: string;
  run_name: string;
  experiment_id: string;
  user_id: string | null;
  status: MlflowStatus;
  /** Epoch milliseconds. */
  start_time: number;
  /** Epoch milliseconds; null while the run is running. */
  end_time: number | null;
  /** `runs:/<run_id>`: append `/<path>` to name an artifact for `downloadArtifacts` or a ref. */
  artifact_uri: string;
  /** Always `active`: trove does not delete runs. */
  lifecycle_stage: 'active';
}

export interface MlflowRunData {
  /** Every param as text, as MLflow keeps `str(value)` (non-strings as JSON). */
  params: Record<string, string>;
  /** The latest value of each metric. */
  metrics: Record<string, number>;
  tags: Record<string, string>;
}

export interface MlflowRun {
  info: MlflowRunInfo;
  data: MlflowRunData;
}

const STATUS: Record<string, MlflowStatus> = {
  running: 'RUNNING',
  completed: 'FINISHED',
  failed: 'FAILED',
  killed: 'KILLED',
};

export function mlflowRun(row: RunRow): MlflowRun {
  const status = STATUS[row.status];
  if (status === undefined) {
    throw new TroveError('CORRUPT', `Run ${row.run_id} has the unknown status ${row.status}.`, {
      key: row.run_id,
    });
  }
  return {
    info: {
      run_id: row.run_id,
      run_name: row.name,
      experiment_id: experimentIdOfRow(row.experiment),
      user_id: row.user,
      status,
      start_time: row.start_time.getTime(),
      end_time: row.end_time === null ? null : row.end_time.getTime(),
      artifact_uri: `runs:/${row.run_id}`,
      lifecycle_stage: 'active',
    },
    data: { params: { ...row.params }, metrics: { ...row.metrics }, tags: { ...row.tags } },
  };
}
