/**
 * The two files the client leaves in an offline run's folder, written at `end()` so the folder is
 * the client's path for path: `run.plx.json` (the run: uuid, name, times, status, outputs) and
 * `lineages.plx.json` (V1RunArtifact rows keyed by name, last one wins, plus one row per events
 * file with its step and timestamp range, as the client's events sync makes them; a metric's
 * pandas `describe()` statistics are left out).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LineageRow, RunRecord } from '@trove/core';
import type { RunEvents } from '@trove/core/dialect';

interface RunArtifact {
  name: string;
  kind: string;
  path?: string;
  summary: Record<string, unknown>;
  is_input: boolean;
}

/** The client's words: `log_succeeded`, `log_failed`, and `stopped` for a run stopped by a signal. */
const CLIENT_STATUS = { completed: 'succeeded', failed: 'failed', killed: 'stopped' } as const;

export function writeBookkeeping(
  folder: string,
  record: RunRecord,
  lineage: readonly LineageRow[],
  events: Pick<RunEvents, 'files' | 'summary'>,
  status: 'completed' | 'failed' | 'killed',
  swept: ReadonlySet<string>,
): void {
  const rows = new Map<string, RunArtifact>();
  for (const row of lineage) {
    if (swept.has(row.path)) continue; // saved under outputs/ by the user: the client only syncs those
    if (row.summary.step !== undefined && !row.isRef) continue; // versioned: its events file stands for it
    rows.set(row.name, {
      name: row.name,
      kind: row.kind,
      ...(row.kind === 'coderef' ? {} : { path: row.path }),
      summary: row.summary,
      is_input: row.isInput,
    });
  }
  for (const file of events.files()) {
    const [kind = '', plx = ''] = file.split('/');
    const name = plx.replace(/\.plx$/, '');
    rows.set(name, {
      name,
      kind,
      path: `events/${file}`,
      summary: events.summary(file),
      is_input: false,
    });
  }
  writeFileSync(join(folder, 'lineages.plx.json'), JSON.stringify([...rows.values()]));

  const finished = record.endTime ?? new Date().toISOString();
  const outputs = Object.fromEntries(
    Object.entries(record.summary).filter(([k, v]) => k !== 'step' && typeof v === 'number'),
  );
  const run = {
    uuid: record.id,
    name: record.name,
    created_at: pyTime(record.startTime),
    started_at: pyTime(record.startTime),
    finished_at: pyTime(finished),
    duration: (Date.parse(finished) - Date.parse(record.startTime)) / 1000,
    managed_by: 'user',
    is_managed: false,
    status: CLIENT_STATUS[status],
    kind: 'job',
    runtime: 'job',
    ...(Object.keys(record.tags).length > 0 ? { tags: Object.keys(record.tags) } : {}),
    ...(Object.keys(outputs).length > 0 ? { outputs } : {}),
  };
  writeFileSync(join(folder, 'run.plx.json'), JSON.stringify(run));
}

function pyTime(iso: string): string {
  return `${iso.slice(0, 23)}000+00:00`;
}
