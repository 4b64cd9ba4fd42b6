#!/usr/bin/env node
// bench/ui: `trove ui` in headless chromium (issue 20's targets): the compare view of 100 runs ×
// 10 metrics × 100,000 steps to the first drawn chart (≤ 2 s), and the runs page over 100,000
// runs to the first rows (≤ 1 s). The store is bench/ui-data.mjs's, written once into
// bench/.work/ui (reused with --reuse). Each page is opened in a fresh browser context; the first
// opening after the server starts (cold: the server's caches empty) and the median of the next
// ones (warm) are reported, with the load average, since the machine is shared.
// Usage: node bench/ui.mjs [--reuse] [--dir D] [--dry] [--runs 100] [--metrics 10] [--steps 100000] [--table-runs 100000] [--rounds 5]
// Needs: a build (pnpm build), chromium (/usr/bin/chromium or TROVE_CHROMIUM: test-utils'
// findChromium, loaded with Node's type stripping, Node ≥ 23.6).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { machine, median, REPO, writeSection } from './lib.mjs';
import { writeUiStore } from './ui-data.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const shape = {
  runs: opt('runs', 100),
  metrics: opt('metrics', 10),
  steps: opt('steps', 100_000),
  tableRuns: opt('table-runs', 100_000),
};
const rounds = opt('rounds', 5);
const dirAt = args.indexOf('--dir');
const dir = dirAt >= 0 ? resolve(args[dirAt + 1]) : join(REPO, 'bench/.work/ui');
// --dry: print the timings, leave bench/RESULTS.md alone (a trial on a small store)
const dry = args.includes('--dry');
const marker = join(dir, 'written.json');
process.env.TROVE_CACHE_DIR ??= join(dir, 'cache');

const pkg = (p) => import(pathToFileURL(join(REPO, 'packages', p)).href);
const core = await pkg('core/dist/index.js');
const { startUi } = await pkg('ui/dist/index.js');
const { chromium } = await pkg('ui/node_modules/playwright-core/index.mjs');

const same =
  existsSync(marker) &&
  JSON.stringify(JSON.parse(readFileSync(marker, 'utf8')).shape) === JSON.stringify(shape);
let written;
if (args.includes('--reuse') && same) {
  written = JSON.parse(readFileSync(marker, 'utf8'));
} else {
  const t0 = performance.now();
  const out = await writeUiStore(dir, { ...shape, log: (l) => console.error(l) });
  written = { shape, runIds: out.runIds, seconds: (performance.now() - t0) / 1000 };
  writeFileSync(marker, JSON.stringify(written));
}
console.error(
  `store: ${shape.runs} runs × ${shape.metrics} metrics × ${shape.steps} steps, ${shape.tableRuns} runs in the table`,
);

const executablePath = (await pkg('test-utils/src/chromium.ts')).findChromium();
if (!executablePath)
  throw new Error('chromium not found: apt-get install chromium, or set TROVE_CHROMIUM');
const store = await core.openStore({ cwd: dir });
const ui = await startUi({ store, port: 0 });
const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
const chromiumVersion = browser.version();

/**
 * Opens `path` in a fresh context and waits for `selector`; returns the milliseconds from the
 * navigation's start (the browser's own clock: performance.now() is 0 at navigation start).
 */
async function timeTo(path, selector, mark) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const outside = [];
  page.on('request', (r) => {
    if (new URL(r.url()).hostname !== '127.0.0.1') outside.push(r.url());
  });
  await page.goto(new URL(path, ui.url).href, { waitUntil: 'commit' });
  await page.waitForSelector(selector, { timeout: 120_000 });
  // the app marks the moment it drew (a chart's first draw, the table's first rows); reading
  // performance.now() here instead would add however long the page kept its thread busy after
  const ms = await page.evaluate(
    (prefix) =>
      Math.min(
        ...performance
          .getEntriesByType('mark')
          .filter((m) => m.name.startsWith(prefix))
          .map((m) => m.startTime),
      ),
    mark,
  );
  const detail = await page.evaluate(() => ({
    charts: document.querySelectorAll('.chart[data-state=drawn]').length,
    rows: document.querySelectorAll('.runs-table .tr[data-run]').length,
    caption: document.querySelector('figure.metric-chart figcaption')?.textContent ?? '',
  }));
  await context.close();
  if (outside.length) throw new Error(`the page asked outside 127.0.0.1: ${outside.join(', ')}`);
  return { ms, ...detail };
}

async function measure(name, path, selector, mark) {
  const first = await timeTo(path, selector, mark);
  const rest = [];
  for (let i = 0; i < rounds; i++) rest.push(await timeTo(path, selector, mark));
  const ms = rest.map((r) => r.ms);
  console.error(
    `${name}: first ${first.ms.toFixed(0)} ms, then ${ms.map((m) => m.toFixed(0)).join(', ')} ms`,
  );
  return { first, ms, last: rest.at(-1) };
}

const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const loadBefore = load();
const compare = await measure(
  'compare',
  `/compare?runs=${written.runIds.join(',')}`,
  'figure.metric-chart .chart[data-state=drawn]',
  'trove:chart-drawn:',
);
const runsPage = await measure('runs', '/runs', '.runs-table .tr[data-run]', 'trove:rows-drawn');

/** Scrolls the runs table to the middle and times until the rows there are drawn (fetched by range). */
async function scrollTiming() {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  await page.goto(new URL('/runs', ui.url).href);
  await page.waitForSelector('.runs-table .tr[data-run]');
  const times = [];
  for (const fraction of [0.5, 0.25, 0.9, 0.1, 0.75]) {
    const target = Math.floor(shape.tableRuns * fraction);
    const ms = await page.evaluate(async (row) => {
      const table = document.querySelector('.runs-table');
      const t0 = performance.now();
      table.scrollTop = row * 28;
      while (!document.querySelector(`.tr[data-run][aria-rowindex="${row + 2}"]`)) {
        await new Promise((r) => requestAnimationFrame(r));
      }
      return performance.now() - t0;
    }, target);
    times.push(ms);
  }
  await context.close();
  console.error(`scroll: ${times.map((m) => m.toFixed(0)).join(', ')} ms`);
  return times;
}
const scroll = await scrollTiming();
const loadAfter = load();
await browser.close();
await ui.close();
await store.close();

const fmt = (ms) => (ms / 1000).toFixed(2);
const row = (label, m, target) =>
  `| ${label} | ${fmt(m.first.ms)} | ${fmt(median(m.ms))} [${fmt(Math.min(...m.ms))}–${fmt(Math.max(...m.ms))}] | ${target} |`;
if (!dry)
  writeSection(
    'ui',
    `## ui (local store, headless chromium) — \`node bench/ui.mjs\`

${machine()}; chromium ${chromiumVersion}. Store from \`bench/ui-data.mjs\`: ${shape.runs} runs × ${shape.metrics} metrics × ${shape.steps.toLocaleString('en')} steps
(${(shape.runs * shape.metrics * shape.steps).toLocaleString('en')} values in the metrics table), ${shape.tableRuns.toLocaleString('en')} runs in the runs table.
Seconds from the navigation's start to the app's own mark of the moment it drew (\`trove:chart-drawn:*\`,
\`trove:rows-drawn\`), by the browser's clock, each in a fresh
browser context against one \`startUi\` server: the first opening after the server started (its caches
cold), then the median [min–max] of ${rounds} more. Load average (1, 5, 15 min) before: ${loadBefore}; after: ${loadAfter}
(2 cores shared with other work).

| page | first s | then s, median [min–max] | target |
|---|---|---|---|
${row(`compare view of ${written.runIds.length} runs: first chart drawn (${shape.metrics} metric charts)`, compare, '≤ 2 s')}
${row(`runs page: first rows of ${shape.tableRuns.toLocaleString('en')}`, runsPage, '≤ 1 s')}

A jump of the runs table to a row far away (50%, 25%, 90%, 10%, 75% of ${shape.tableRuns.toLocaleString('en')}) drew that row in
${scroll.map((m) => (m / 1000).toFixed(2)).join(', ')} s (its page of 200 rows fetched by range from \`/api/runs\`).

The first opening of each page pays the server's cold start (its first reads of the tables and of
the metric summaries; the server's own timings are in the ui-server section). The chart drawn first
showed "${compare.last.caption.trim()}"; when the page was read after it, ${compare.last.charts} charts were drawn
(the charts near the screen load two at a time; the rest as they scroll into view).`,
  );
console.log(
  JSON.stringify({
    compare: { first: compare.first.ms, ms: compare.ms },
    runs: { first: runsPage.first.ms, ms: runsPage.ms },
    loadBefore,
    loadAfter,
  }),
);
