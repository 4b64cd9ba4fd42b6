#!/usr/bin/env node
// bench/report: rendering a report of 100,000 metric points (DVCLive's `makeReport` target: < 2 s),
// as HTML (inline SVG) and as markdown (PNG files), in one process after a warm-up render.
// Usage: node bench/report.mjs [--rounds 3] [--points 100000]
// Needs: a build (pnpm build). Writes its section of bench/RESULTS.md.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO, writeSection } from './lib.mjs';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    points: { type: 'string', default: '100000' },
  },
});
const rounds = Number(values.rounds);
const points = Number(values.points);
const { renderHtml, renderMarkdown } = await import(`${REPO}packages/report/dist/index.js`);

/** One metric of `n` steps, like a long training loop logging one value per step. */
function input(n, metrics = 1) {
  const plots = [];
  for (let m = 0; m < metrics; m++) {
    const per = Math.floor(n / metrics);
    const data = new Array(per);
    for (let step = 0; step < per; step++) {
      data[step] = { step, loss: Math.exp(-step / per) + 0.05 * Math.sin(step * (m + 1)) };
    }
    plots.push({
      id: `static/loss${m}`,
      title: `loss${m}`,
      template: 'linear',
      x: 'step',
      y: 'loss',
      data,
    });
  }
  return { params: { lr: 0.001 }, metrics: { loss: 0.1 }, plots, images: [] };
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function measure(label, fn) {
  await fn(); // warm-up: module loading and JIT are not the report's cost
  const times = [];
  let out;
  for (let i = 0; i < rounds; i++) {
    const t0 = process.hrtime.bigint();
    out = await fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  const row = {
    label,
    median: median(times),
    min: Math.min(...times),
    max: Math.max(...times),
    out,
  };
  console.log(`${label}: ${row.median.toFixed(2)} s [${row.min.toFixed(2)}–${row.max.toFixed(2)}]`);
  return row;
}

const cases = [
  ['1 metric × 100,000 steps', input(points, 1)],
  ['10 metrics × 10,000 steps', input(points, 10)],
];
const rows = [];
for (const [name, data] of cases) {
  const html = await measure(`${name}: renderHtml`, () => renderHtml(data));
  html.size = `${(html.out.length / 2 ** 20).toFixed(1)} MiB`;
  rows.push(html);
  const dir = mkdtempSync(join(tmpdir(), 'trove-bench-report-'));
  const md = await measure(`${name}: renderMarkdown (+ PNG)`, () => renderMarkdown(data, dir));
  md.size = `${(readFileSync(join(dir, 'static/loss0.png')).length / 1024).toFixed(0)} KiB PNG each`;
  rows.push(md);
  rmSync(dir, { recursive: true, force: true });
}
const rss = process.resourceUsage().maxRSS / 1024;

const machine = `${cpus()[0]?.model ?? 'unknown'} (${cpus().length} cores), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}`;
writeSection(
  'report',
  `## report (makeReport) — \`node bench/report.mjs\`

${machine}. Medians of ${rounds} rounds in one process after a warm-up render; ${points.toLocaleString('en')} points in total.

| case | median s [min–max] | output |
|---|---|---|
${rows.map((r) => `| ${r.label} | ${r.median.toFixed(2)} [${r.min.toFixed(2)}–${r.max.toFixed(2)}] | ${r.size} |`).join('\n')}

Target: a report of 100,000 points in < 2 s. Peak RSS of the bench process: ${rss.toFixed(0)} MiB.`,
);
