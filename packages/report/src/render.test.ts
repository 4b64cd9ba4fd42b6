import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isTroveError } from '@trove/core';
import { tempDir } from '@trove/test-utils';
import { describe, expect, it } from 'vitest';
import { png } from '../test/example-run.js';
import { renderHtml, renderMarkdown, TEMPLATE_NAMES } from './index.js';
import type { ReportInput, ReportPlot } from './types.js';

const series = [0.5, 0.25, 0.125, 0.75].map((loss, step) => ({ step, loss }));
const labels = [0, 0, 1, 1, 2].map((a, i) => ({ actual: String(a), predicted: String(i % 3) }));
const bars = [
  { feature: 'age', importance: 0.5 },
  { feature: 'height', importance: 0.2 },
  { feature: 'weight', importance: 0.3 },
];

/** The mark each template draws its data with, in vega's SVG (`<g class="mark-…">`). */
const MARK: Record<string, string> = {
  linear: 'line',
  smooth: 'line',
  simple: 'line',
  scatter: 'symbol',
  confusion: 'rect',
  confusion_normalized: 'rect',
  bar_horizontal: 'rect',
  bar_horizontal_sorted: 'rect',
};

function plotFor(template: ReportPlot['template']): ReportPlot {
  if (template.startsWith('confusion')) {
    return { id: `sklearn/${template}`, template, x: 'actual', y: 'predicted', data: labels };
  }
  if (template.startsWith('bar')) {
    return { id: `custom/${template}`, template, x: 'importance', y: 'feature', data: bars };
  }
  return {
    id: `static/${template}`,
    title: template,
    template,
    x: 'step',
    y: 'loss',
    data: series,
  };
}

function input(overrides: Partial<ReportInput> = {}): ReportInput {
  return { params: {}, metrics: {}, plots: [], images: [], ...overrides };
}

/** Paths with drawing commands inside the first `<g class="mark-<type> …">` group. */
function drawnMarks(svg: string, type: string): number {
  const re = new RegExp(`<g class="mark-${type} role-mark[^"]*"[^>]*>(.*?)</g>`, 's');
  return [...(re.exec(svg)?.[1] ?? '').matchAll(/<path[^>]* d="M[^"]+"/g)].length;
}

async function expectInvalid(promise: Promise<unknown>): Promise<void> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isTroveError(err, 'INVALID_ARGUMENT')).toBe(true);
}

describe('renderHtml', () => {
  it.each(TEMPLATE_NAMES)(
    'draws the %s template as an inline <svg> with marks',
    async (template) => {
      const plot = plotFor(template);
      const html = await renderHtml(input({ plots: [plot] }));
      const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
      expect(svgs).toHaveLength(1);
      const svg = svgs[0] ?? '';
      const marks = drawnMarks(svg, MARK[template] ?? '');
      if (template.startsWith('confusion'))
        expect(marks).toBe(9); // 3 × 3 cells, zeros imputed
      else if (template.startsWith('bar')) expect(marks).toBe(3);
      else if (template === 'scatter') expect(marks).toBe(series.length);
      else expect(marks).toBeGreaterThanOrEqual(1);
      // axis titles are the field names when no label is given
      expect(svg).toContain(`>${plot.x}</text>`);
    },
  );

  it('sorts bar_horizontal_sorted by value, as DVC does (sort: -x)', async () => {
    const order = async (template: ReportPlot['template']) => {
      const svg = await renderHtml(input({ plots: [plotFor(template)] }));
      const labelGroup = svg.match(/role-axis-label[\s\S]*?<\/g>/g) ?? [];
      const texts = labelGroup.flatMap((g) =>
        [...g.matchAll(/>([a-z]+)<\/text>/g)].map((m) => m[1]),
      );
      return texts.filter((t) => bars.some((b) => b.feature === t));
    };
    expect(await order('bar_horizontal_sorted')).toEqual(['age', 'weight', 'height']);
    expect(await order('bar_horizontal')).toEqual(['age', 'height', 'weight']);
  });

  it('draws a line of 100,000 steps from at most 1,000 rows, keeping its peaks', async () => {
    const data = Array.from({ length: 100_000 }, (_, step) => ({
      step,
      loss: step === 54_321 ? 100 : (step % 7) / 7,
    }));
    const plot: ReportPlot = { id: 'static/loss', template: 'simple', x: 'step', y: 'loss', data };
    const svg = await renderHtml(input({ plots: [plot] }));
    const line = /<g class="mark-line role-mark[^"]*"[^>]*><path[^>]* d="(M[^"]+)"/.exec(svg)?.[1];
    const vertices = (line ?? '').split(/[ML]/).filter((p) => p !== '').length;
    expect(vertices).toBeGreaterThan(500);
    expect(vertices).toBeLessThanOrEqual(1000);
    // the spike sets the y axis: its top tick is 100
    const ticks = [...svg.matchAll(/role-axis-label[\s\S]*?<\/g>/g)].map((m) => m[0]);
    expect(ticks.some((t) => t.includes('>100</text>'))).toBe(true);
    // the x axis still spans every step
    expect(ticks.some((t) => t.includes('>100,000</text>'))).toBe(true);
  });

  it('leaves NaN and ±inf (as DVCLive logs them) off the axes instead of breaking the plot', async () => {
    const data = [1, 'inf', 'nan', 0.5, Number.NEGATIVE_INFINITY, Number.NaN, 0.75].map(
      (loss, step) => ({ step, loss }),
    );
    for (const template of ['linear', 'simple', 'scatter'] as const) {
      const plot: ReportPlot = { id: 'static/loss', template, x: 'step', y: 'loss', data };
      const svg = await renderHtml(input({ plots: [plot] }));
      expect(svg).not.toMatch(/NaN|Infinity/);
      expect(drawnMarks(svg, MARK[template] ?? '')).toBeGreaterThan(0);
    }
  });

  it('gives every inline svg its own ids, so clip paths do not collide; same input, same page', async () => {
    const html = await renderHtml(input({ plots: TEMPLATE_NAMES.map(plotFor) }));
    expect(await renderHtml(input({ plots: TEMPLATE_NAMES.map(plotFor) }))).toBe(html);
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [, ref] of html.matchAll(/url\(#([^)]+)\)/g)) expect(ids).toContain(ref);
  });

  it('writes the params and metrics tables, nested keys flattened with dots', async () => {
    const html = await renderHtml(
      input({
        params: { lr: 0.001, optimizer: { name: 'adam', betas: [0.9, 0.999] }, tag: '<b>' },
        metrics: { acc: 0.75, step: 3 },
      }),
    );
    const params = html.match(/<section id="params">[\s\S]*?<\/section>/)?.[0] ?? '';
    expect(params).toContain('<h2>params.yaml</h2>');
    expect([...params.matchAll(/<th>([^<]*)<\/th>/g)].map((m) => m[1])).toEqual([
      'lr',
      'optimizer.name',
      'optimizer.betas',
      'tag',
    ]);
    expect([...params.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1])).toEqual([
      '0.001',
      'adam',
      '[0.9,0.999]',
      '&lt;b&gt;',
    ]);
    const metrics = html.match(/<section id="metrics">[\s\S]*?<\/section>/)?.[0] ?? '';
    expect([...metrics.matchAll(/<td class="num">([^<]*)<\/td>/g)].map((m) => m[1])).toEqual([
      '0.75',
      '3',
    ]);
  });

  it('inlines images as data URIs and loads nothing from the network', async () => {
    const bytes = png(4, 3, (x) => [x * 60, 0, 0]);
    const html = await renderHtml(
      input({
        title: 'run <1>',
        params: { lr: 0.1 },
        plots: TEMPLATE_NAMES.map(plotFor),
        images: [{ name: 'img.png', mime: 'image/png', bytes }],
      }),
    );
    expect(html).toContain(`src="data:image/png;base64,${Buffer.from(bytes).toString('base64')}"`);
    expect(html).toContain('<title>run &lt;1&gt;</title>');
    expect(html).not.toMatch(/<script|<link|<iframe|<object|@import/i);
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/url\(\s*["']?(https?:)?\/\//i);
    expect(html).toContain(
      `content="default-src 'none'; img-src data:; style-src 'unsafe-inline'"`,
    );
  });

  it('refuses bad input with one TroveError', async () => {
    const good = plotFor('linear');
    const cases: ReportInput[] = [
      input({ plots: [{ ...good, template: 'pie' as ReportPlot['template'] }] }),
      input({ plots: [{ ...good, y: 'accuracy' }] }),
      input({ plots: [{ ...good, data: [{ step: 0, loss: 'high' }] }] }),
      input({ plots: [{ ...good, data: [] }] }),
      input({ plots: [good, good] }),
      input({ plots: [{ ...good, id: '../escape' }] }),
      input({ images: [{ name: 'x.png', mime: 'image/png', bytes: new Uint8Array([1, 2, 3]) }] }),
      input({ params: null as unknown as Record<string, unknown> }),
    ];
    for (const bad of cases) await expectInvalid(renderHtml(bad));
  });
});

describe('renderMarkdown', () => {
  it("writes DVCLive's layout, with each plot as a PNG file next to it", async () => {
    const dir = tempDir();
    const bytes = png(2, 2, () => [255, 0, 0]);
    const md = await renderMarkdown(
      input({
        params: { lr: 0.01, epochs: 10 },
        metrics: { acc: 0.9 },
        plots: [plotFor('linear'), plotFor('confusion')],
        images: [{ name: 'img.png', mime: 'image/png', bytes }],
      }),
      dir,
    );
    expect(md).toBe(
      [
        '# DVC Report',
        '',
        'params.yaml',
        '',
        '|   lr |   epochs |',
        '|------|----------|',
        '| 0.01 |       10 |',
        '',
        'metrics.json',
        '',
        '|   acc |',
        '|-------|',
        '|   0.9 |',
        '',
        '![static/linear](static/linear.png)',
        '',
        `![img.png](data:image/png;base64,${Buffer.from(bytes).toString('base64')})`,
        '',
        '![sklearn/confusion](sklearn/confusion.png)',
        '',
      ].join('\n'),
    );
    for (const file of ['static/linear.png', 'sklearn/confusion.png']) {
      const written = readFileSync(join(dir, file));
      expect([...written.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      // IHDR: vega's 300×300 plot area plus axes and legend
      expect(written.readUInt32BE(16)).toBeGreaterThan(300);
      expect(written.readUInt32BE(20)).toBeGreaterThan(300);
    }
  });

  it('writes nothing when the input is bad', async () => {
    const dir = tempDir();
    const plots = [plotFor('linear'), { ...plotFor('scatter'), y: 'missing' }];
    await expectInvalid(renderMarkdown(input({ plots }), dir));
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(join(dir, 'static'))).toBe(false);
  });
});
