#!/usr/bin/env node
// bench/ui-server: the server half of `trove ui` on the issue's sizes (issue 20): 100 runs ×
// 10 metrics × 100,000 steps and 100,000 runs in the runs table (bench/ui-data.mjs writes them).
// `trove ui --json` is started as users start it, with an empty cache folder (cold: the tables'
// files are fetched and the metric summaries made by the first request), then each request is
// timed to its last byte by an HTTP client in this process, first and repeated (warm).
// Usage: node bench/ui-server.mjs [--dir <store dir>] [--reuse] [--steps N] (a smaller store for
// iterating: its results are printed, not written to RESULTS.md)
// Needs: a build (pnpm build). Writes its section of bench/RESULTS.md.
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAverages, machine, median, TROVE, writeSection } from './lib.mjs';
import { writeUiStore } from './ui-data.mjs';

const args = process.argv.slice(2);
const dir = args.includes('--dir')
  ? args[args.indexOf('--dir') + 1]
  : join(tmpdir(), 'trove-bench-ui');
const RUNS = 100;
const METRICS = 10;
const STEPS = args.includes('--steps') ? Number(args[args.indexOf('--steps') + 1]) : 100_000;
const TABLE_RUNS = 100_000;
const ROUNDS = 5;

if (!(args.includes('--reuse') && existsSync(join(dir, '.trove')))) {
  const t0 = performance.now();
  await writeUiStore(dir, {
    runs: RUNS,
    metrics: METRICS,
    steps: STEPS,
    tableRuns: TABLE_RUNS,
    log: (line) => console.error(line),
  });
  console.error(`store written in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

/** `trove ui --json` in `dir` with a fresh cache folder; resolves to its URL and the process. */
function serve(cache) {
  rmSync(cache, { recursive: true, force: true });
  const child = spawn(process.execPath, [TROVE, 'ui', '--json'], {
    cwd: dir,
    env: { ...process.env, TROVE_CACHE_DIR: cache },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const url = /"url": "([^"]+)"/.exec(out)?.[1];
      if (url) resolve({ url, child });
    });
    child.on('exit', (code) => reject(new Error(`trove ui exited ${code}`)));
  });
}

/** Seconds to the last byte of GET `path`, and the body's size. */
async function timeGet(url, path) {
  const t0 = performance.now();
  const res = await fetch(url + path);
  const body = Buffer.from(await res.arrayBuffer());
  const seconds = (performance.now() - t0) / 1000;
  if (res.status !== 200)
    throw new Error(`${path}: ${res.status} ${body.toString().slice(0, 300)}`);
  return { seconds, bytes: body.length, body };
}

const { url, child } = await serve(join(dir, 'bench-cache'));
// the very first request of the process: the runs page, nothing loaded yet
const coldRuns = await timeGet(url, 'api/runs?limit=200');
const ids = (
  await (
    await fetch(
      `${url}api/runs?limit=${RUNS}&filter=${encodeURIComponent('params.seed IS NOT NULL')}`,
    )
  ).json()
).rows.map((r) => r.id);
if (ids.length !== RUNS) throw new Error(`expected ${RUNS} real runs, found ${ids.length}`);
/** Steps [a, b) of the range as fractions, and the label's numbers. */
const window = (a, b) => {
  const lo = Math.round(a * STEPS);
  const hi = Math.round(b * STEPS) - 1;
  return {
    q: `xmin=${lo}&xmax=${hi}`,
    label: `${lo.toLocaleString('en')}–${hi.toLocaleString('en')}`,
  };
};
const [w50, w10, w1] = [window(0.25, 0.75), window(0.4, 0.5), window(0.45, 0.46)];
const keys = Array.from({ length: METRICS }, (_, m) => (m === 0 ? 'loss' : `m${m}`)).join(',');
const all = ids.join(',');
const cases = [
  ['runs page: first 200 of 100,000, newest first', 'api/runs?limit=200'],
  [
    'runs page: filter and order',
    `api/runs?limit=200&filter=${encodeURIComponent('params.lr < 0.01')}&orderBy=${encodeURIComponent('metrics.loss ASC')}`,
  ],
  [
    'metrics: 100 runs × 10 metrics, width 1000, f32',
    `api/metrics?runs=${all}&keys=${keys}&width=1000&format=f32`,
  ],
  [
    'metrics: 100 runs × 10 metrics, width 1000, JSON',
    `api/metrics?runs=${all}&keys=${keys}&width=1000`,
  ],
  [
    `metrics: zoom to 50% (steps ${w50.label}: from the summaries), f32`,
    `api/metrics?runs=${all}&keys=${keys}&width=1000&${w50.q}&format=f32`,
  ],
  [
    `metrics: zoom to 10% (steps ${w10.label}: from the values), f32`,
    `api/metrics?runs=${all}&keys=${keys}&width=1000&${w10.q}&format=f32`,
  ],
  [
    `metrics: zoom to 1% (steps ${w1.label}: from the values), f32`,
    `api/metrics?runs=${all}&keys=${keys}&width=1000&${w1.q}&format=f32`,
  ],
  [
    'metrics: 10 runs × 1 metric, width 1000, JSON',
    `api/metrics?runs=${ids.slice(0, 10).join(',')}&keys=loss&width=1000`,
  ],
  ['compare: 100 runs (params, summaries, names)', `api/compare?runs=${all}`],
];
const results = [];
for (const [name, path] of cases) {
  const first = path === 'api/runs?limit=200' ? coldRuns : await timeGet(url, path);
  const warm = [];
  for (let r = 0; r < ROUNDS; r++) warm.push((await timeGet(url, path)).seconds);
  let points = '';
  if (path.includes('format=f32')) {
    const n = first.body.readUInt32LE(0);
    const header = JSON.parse(first.body.subarray(4, 4 + n).toString());
    points = header.series.reduce((s, x) => s + x.points, 0).toLocaleString('en');
  } else if (path.startsWith('api/metrics')) {
    points = JSON.parse(first.body.toString())
      .series.reduce((s, x) => s + x.x.length, 0)
      .toLocaleString('en');
  }
  results.push({ name, first: first.seconds, warm: median(warm), bytes: first.bytes, points });
  console.error(results.at(-1));
}
child.kill('SIGTERM');

// A machine's first open of the compare view: a new process, an empty cache folder, and the
// whole curves as its very first request (no warm-up has run: the summaries are fetched and
// decoded by this request).
const second = await serve(join(dir, 'bench-cache-2'));
const firstOpen = await timeGet(
  second.url,
  `api/metrics?runs=${all}&keys=${keys}&width=1000&format=f32`,
);
second.child.kill('SIGTERM');
results.unshift({
  name: 'metrics: 100 runs × 10 metrics, width 1000, f32, the first request of a new process',
  first: firstOpen.seconds,
  warm: Number.NaN,
  bytes: firstOpen.bytes,
  points: '',
});
console.error(results[0]);

const mib = (b) => (b / 2 ** 20).toFixed(1);
const md = `## ui-server (local store) — \`node bench/ui-server.mjs\`

${machine()}. Load average at the end: ${loadAverages()} (other processes shared the 2 cores). Store by \`bench/ui-data.mjs\`: ${RUNS} runs × ${METRICS} metrics × ${STEPS.toLocaleString('en')} steps (${(RUNS * METRICS * STEPS).toLocaleString('en')} values in \`tables/metrics\`, a data file a run) and ${TABLE_RUNS.toLocaleString('en')} runs in \`tables/runs\`. \`trove ui --json\` in a new process with an empty cache folder; each request timed to its last byte by a client in the bench process: the first (cold: table files and the metric summaries their writers stored fetched into the cache) and the median of ${ROUNDS} repeats (warm). The browser's part (parse, draw) is bench/ui.mjs's.

| request | first (cold) | repeated (warm) | body | points |
|---|---|---|---|---|
${results.map((r) => `| ${r.name} | ${r.first.toFixed(3)} s | ${Number.isNaN(r.warm) ? '' : `${r.warm.toFixed(3)} s`} | ${mib(r.bytes)} MiB | ${r.points} |`).join('\n')}

Each metrics data file's writer stores its curve summary beside the table (\`tables/metrics/_summaries/\`: 2,048 min/max buckets a series, by step and by time), so the first whole-curve request of a machine fetches ${RUNS} small files and no data file, and nothing is made on first open; repeated, the curves are re-bucketed in memory from them, and so is a zoom whose pixel columns are no narrower than a summary's buckets (here down to about half the range at 1,000 pixels). A deeper zoom reads the values in its window: the data files are sorted by run, metric and step in row groups of 16,384 rows with min/max statistics, so the engine reads only the groups whose steps meet the window (about 2 of a series' 7 for the 10% zoom, 1–2 for the 1%).

Targets (issue 20): the compare view of 100 runs × 10 metrics × 100,000 steps drawn in ≤ 2 s in Chromium (the server's part must be well under that); the runs page with 100,000 runs, first rows in ≤ 1 s.
`;
if (STEPS === 100_000) writeSection('ui-server', md);
console.log(md);
