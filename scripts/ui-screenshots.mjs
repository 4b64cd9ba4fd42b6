// Screenshots of each page of `trove ui` into docs/ui/*.png, from the demo store the browser
// tests use (packages/ui/test/demo-store.ts, loaded with Node's type stripping: Node ≥ 23.6).
// Usage: node scripts/ui-screenshots.mjs   (needs a build: pnpm build; chromium at /usr/bin/chromium
// or TROVE_CHROMIUM)
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const ui = (p) => pathToFileURL(join(repo, 'packages/ui', p)).href;
const work = mkdtempSync(join(tmpdir(), 'trove-ui-shots-'));
process.env.TROVE_CACHE_DIR ??= join(work, 'cache');

const { writeDemoStore } = await import(ui('test/demo-store.ts'));
const { startUi } = await import(ui('dist/index.js'));
const { chromium } = await import(ui('node_modules/playwright-core/index.mjs'));
const { Store } = await import(ui('node_modules/@trove/core/dist/index.js'));
const { createLocalBackend } = await import(ui('node_modules/@trove/backend-local/dist/index.js'));

const { findChromium } = await import(
  pathToFileURL(join(repo, 'packages/test-utils/src/chromium.ts')).href
);
const executablePath = findChromium();
if (!executablePath)
  throw new Error('chromium not found: apt-get install chromium, or set TROVE_CHROMIUM');

const out = join(repo, 'docs/ui');
mkdirSync(out, { recursive: true });
const store = new Store({ name: 'demo', meta: createLocalBackend({ root: join(work, 'store') }) });
const runs = await writeDemoStore(store, join(work, 'projects'));
const server = await startUi({ store, port: 0 });
const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
page.on('request', (r) => {
  if (new URL(r.url()).hostname !== '127.0.0.1' && !r.url().startsWith('data:'))
    throw new Error(`the page asked for ${r.url()}`);
});

async function shot(name, path, ready, { fullPage = false, before } = {}) {
  await page.goto(new URL(path, server.url).href);
  await page.waitForSelector(ready);
  if (before) await before();
  await page.screenshot({ path: join(out, `${name}.png`), fullPage });
  console.log(`docs/ui/${name}.png`);
}

try {
  await shot('runs', '/runs', '.runs-table .tr[data-run]');
  await shot('runs-bad-filter', '/runs?filter=metrics.acc%200.9', '.filter-error');
  const compare = `/compare?runs=${runs.train.join(',')}`;
  await shot('compare', compare, 'figure.metric-chart[data-metric=acc] .chart[data-state=drawn]');
  await shot('compare-params-images', compare, '.image-compare figure img', {
    before: async () => {
      await page.waitForSelector('.plots-compare img');
      await page.$eval('table[data-table=params]', (t) => t.scrollIntoView());
    },
  });
  await shot('compare-text-diff', compare, '.text-diff', {
    before: async () => {
      await page.selectOption('select[aria-label="text path"]', 'outputs/config.json');
      await page.waitForSelector('.text-diff .ins');
      await page.$eval('.text-diff', (t) => t.scrollIntoView());
    },
  });
  const run = `/run/${runs.train[0]}`;
  await shot('run', `${run}?path=outputs/metrics.csv`, '.preview[data-kind=table]', {
    fullPage: true,
  });
  await shot(
    'run-image',
    `${run}?path=assets/image/sample_20.png`,
    '.preview[data-kind=image] img',
  );
  await shot('lineage', `/lineage?ref=${runs.evaluate}&dir=both&depth=3`, 'svg.lineage g.node');
  await shot('models', '/models/classifier', 'tr[data-version]');
} finally {
  await browser.close();
  await server.close();
  rmSync(work, { recursive: true, force: true });
}
