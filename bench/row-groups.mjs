#!/usr/bin/env node
// bench/row-groups: how the metrics table's row group size bounds a deep zoom (issue 20). Writes
// `runs` data files of 10 metrics × `steps` steps, sorted by run, metric and step, with row
// groups of 8,192, 16,384 and 32,768 rows (and the writer's default, 1,000 then 100,000), then
// times DuckDB reading the values of a 10% and a 1% window of steps from them (the shape of
// metricSeries' deep zoom), a new engine instance each time, median of 5.
// Usage: node bench/row-groups.mjs <dir> [--runs 5] [--steps 100000]
// Needs: a build (pnpm build).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadAverages, machine, median, REPO, writeSection } from './lib.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) =>
  args.includes(`--${name}`) ? Number(args[args.indexOf(`--${name}`) + 1]) : fallback;
const dir = args[0];
const RUNS = opt('runs', 5);
const STEPS = opt('steps', 100_000);
const dist = (pkg, p) => import(pathToFileURL(join(REPO, 'packages', pkg, 'dist', p)).href);
const { LocalBackend } = await dist('backend-local', 'index.js');
const { DeltaTable, defineSchema } = await dist('delta', 'index.js');
const { TABLE_COLUMNS } = await dist('core', 'tables/columns.js');
const { Session } = await dist('core', 'tables/engine.js');

const schema = defineSchema(TABLE_COLUMNS.metrics);
const sizes = [undefined, 8192, 16_384, 32_768];
const results = [];
for (const size of sizes) {
  const root = join(dir, String(size ?? 'default'));
  rmSync(root, { recursive: true, force: true });
  const table = new DeltaTable(new LocalBackend({ root }), '', {
    schema,
    layout: { sortBy: ['run_id', 'name', 'step'], ...(size ? { rowGroupSize: size } : {}) },
  });
  const files = [];
  for (let r = 0; r < RUNS; r++) {
    const rows = [];
    for (let m = 0; m < 10; m++) {
      for (let s = 0; s < STEPS; s++) {
        rows.push({
          run_id: `run-${String(r).padStart(4, '0')}-0000000000000000`,
          name: m === 0 ? 'loss' : `m${m}`,
          step: s,
          timestamp: new Date(1_767_225_600_000 + s * 100),
          value: Math.exp(-s / STEPS) + ((s * 7919) % 101) / 1000,
        });
      }
    }
    const result = await table.commit(() => ({ add: [rows] }));
    files.push(...result.added.map((a) => join(root, a.path)));
  }
  const row = { size: size ?? 'default (1,000 then 100,000)' };
  for (const [label, lo, hi] of [
    ['10%', 0.4 * STEPS, 0.5 * STEPS - 1],
    ['1%', 0.45 * STEPS, 0.46 * STEPS - 1],
  ]) {
    const times = [];
    for (let i = 0; i < 5; i++) {
      const session = await Session.isolated();
      const t0 = performance.now();
      const found = await session.rows(
        `SELECT run_id, name, count(*) AS n, min(value), max(value) FROM read_parquet([${files.map((f) => `'${f}'`).join(', ')}])
         WHERE step >= ${lo} AND step <= ${hi} GROUP BY run_id, name`,
      );
      times.push((performance.now() - t0) / 1000);
      if (found.length !== RUNS * 10) throw new Error('wrong series count');
      session.close();
    }
    row[label] = median(times);
  }
  results.push(row);
  console.error(row);
}
const md = `## row-groups — \`node bench/row-groups.mjs <dir>\`

${machine()}. Load average at the end: ${loadAverages()} (other processes shared the 2 cores). ${RUNS} metrics data files of 10 metrics × ${STEPS.toLocaleString('en')} steps (sorted by run, metric and step) written by \`@trove/delta\` with each row group size; DuckDB reads the values of a window of steps from them (count, min and max by series, a new engine each time, median of 5).

| row group rows | zoom 10% | zoom 1% |
|---|---|---|
${results.map((r) => `| ${r.size} | ${r['10%'].toFixed(3)} s | ${r['1%'].toFixed(3)} s |`).join('\n')}

The writer's default (1,000 rows, then 100,000: a whole metric of a run) lets the engine skip nothing in a window; 8,192–32,768 rows read about the window's share. The metrics table uses 16,384: a run's metric of 100,000 steps is 7 groups, and the footer stays small.
`;
if (STEPS === 100_000) writeSection('row-groups', md);
console.log(md);
