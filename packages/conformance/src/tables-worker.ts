/**
 * One process of `expectTablesUnderContention` (tables-contention.ts), started with
 * `node tables-worker.js '<json>'`. It opens the project's store as any trove process does
 * (trove.yaml, the SDKs' credential chains from its environment), so the scenario runs on every
 * backend. Prints one JSON line.
 *
 * - `runs`: ends `each` runs one after another (params `writer`, `seq`; `steps` values of the
 *   metric `loss`), each committing its rows into the tables as it ends.
 * - `index`: runs `indexTables` again and again until the file `stopFile` exists.
 * - `final`: one last `indexTables`, then what the store holds: the committed rows of the runs
 *   and metrics tables, the backlog markers left, and (`countCommits`) each table's commits and
 *   retried attempts.
 */
import { existsSync } from 'node:fs';
import { buffer } from 'node:stream/consumers';
import { indexTables, type Store, sql, startRun } from '@trove/core';
import {
  loggedValue,
  type TablesFinalReport,
  type TablesRunsReport,
  type TablesWorkerJob,
} from './tables-job.js';
import { openWorkerStore } from './worker-store.js';

const TABLES = ['runs', 'metrics', 'artifacts', 'lineage'] as const;

function open(job: TablesWorkerJob): Promise<Store> {
  return openWorkerStore(job);
}

function tablePrefix(store: Store, name: string): string {
  return `${store.metaPrefix ? `${store.metaPrefix}/` : ''}tables/${name}/`;
}

async function endRuns(store: Store, job: TablesWorkerJob): Promise<TablesRunsReport> {
  const writer = job.writer ?? 0;
  const runIds: string[] = [];
  for (let seq = 0; seq < (job.each ?? 1); seq++) {
    const run = await startRun({
      cwd: job.cwd,
      store,
      name: `w${writer}-${seq}`,
      params: { writer, seq },
      dvcyaml: false,
    });
    for (let step = 0; step < (job.steps ?? 1); step++) {
      run.logMetric('loss', loggedValue(writer, seq, step), { step });
    }
    await run.end();
    runIds.push(run.id);
  }
  return { writer, runIds };
}

async function indexUntilStopped(store: Store, job: TablesWorkerJob) {
  let passes = 0;
  while (!(job.stopFile && existsSync(job.stopFile))) {
    await indexTables(store);
    passes++;
  }
  return { passes };
}

async function final(store: Store, job: TablesWorkerJob): Promise<TablesFinalReport> {
  await indexTables(store);
  // No backlog is left (checked below), so what `sql` reads is the committed tables.
  const read = async (query: string) => (await sql(store, query)).rows;
  const runs = (await read('SELECT run_id, name, status, params, metrics FROM runs')).map((r) => ({
    run_id: String(r.run_id),
    name: String(r.name),
    status: String(r.status),
    params: r.params as Record<string, string>,
    metrics: r.metrics as Record<string, number>,
  }));
  const metrics = (await read('SELECT run_id, name, step, value FROM metrics')).map((r) => ({
    run_id: String(r.run_id),
    name: String(r.name),
    step: r.step === null || r.step === undefined ? null : Number(r.step),
    value: Number(r.value),
  }));
  const markers: string[] = [];
  const backlog = `${store.metaPrefix ? `${store.metaPrefix}/` : ''}tables/_backlog/`;
  for await (const e of store.meta.list(backlog)) markers.push(e.key.slice(backlog.length));
  const commits: TablesFinalReport['commits'] = {};
  for (const name of job.countCommits ? TABLES : []) {
    const log = `${tablePrefix(store, name)}_delta_log/`;
    let count = 0;
    let retried = 0;
    for await (const e of store.meta.list(log)) {
      if (!/^\d{20}\.json$/.test(e.key.slice(log.length))) continue;
      const text = (await buffer((await store.meta.read(e.key)).body)).toString('utf8');
      const info = text
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line).commitInfo as { attempt?: number } | undefined)
        .find((i) => i !== undefined);
      count++;
      retried += Math.max(0, (info?.attempt ?? 1) - 1);
    }
    commits[name] = { commits: count, retried };
  }
  return { runs, metrics, markers, commits };
}

const job = JSON.parse(process.argv[2] ?? '{}') as TablesWorkerJob;
const store = await open(job);
try {
  const out =
    job.mode === 'runs'
      ? await endRuns(store, job)
      : job.mode === 'index'
        ? await indexUntilStopped(store, job)
        : await final(store, job);
  process.stdout.write(`${JSON.stringify(out)}\n`);
} finally {
  await store.close();
}
