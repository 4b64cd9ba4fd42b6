/**
 * Every logged metric value of a run, read from its events files (`events/metric/<name>.plx`,
 * `step|timestamp|metric` rows), streamed line by line: a long run's metrics never sit in memory
 * as one string.
 */
import { eventRowLines } from '../record/event-files.js';
import type { Store } from '../record/store.js';
import type { MetricRow } from './rows.js';

export async function metricRows(store: Store, runId: string): Promise<MetricRow[]> {
  const rows: MetricRow[] = [];
  for (const file of await store.listEventFiles(runId, 'metric')) {
    for await (const line of eventRowLines(store, file)) {
      const row = parseMetricLine(runId, file.name, line);
      if (row) rows.push(row);
    }
  }
  return rows;
}

/** The metric rows of one saved events batch (`metric/<name>.plx` rows, each newline-first). */
export function metricRowsOfBatch(runId: string, file: string, rows: string): MetricRow[] {
  const match = /^metric\/(.+)\.plx$/.exec(file);
  if (!match?.[1]) return [];
  const out: MetricRow[] = [];
  for (const line of rows.split('\n')) {
    const row = line === '' ? undefined : parseMetricLine(runId, match[1], line);
    if (row) out.push(row);
  }
  return out;
}

/** `<step>|<iso timestamp>|<value>`; a row the table cannot hold (not a finite number) is left out. */
function parseMetricLine(runId: string, name: string, line: string): MetricRow | undefined {
  const [step, timestamp, value] = line.split('|');
  if (timestamp === undefined || value === undefined) return undefined;
  const number = Number(value);
  const time = new Date(timestamp);
  if (!Number.isFinite(number) || Number.isNaN(time.getTime())) return undefined;
  return {
    run_id: runId,
    name,
    step: step === '' || step === undefined ? null : Number(step),
    timestamp: time,
    value: number,
  };
}
