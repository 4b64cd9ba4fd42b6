/**
 * The report in a real browser: Debian's chromium, headless, with every request except the
 * report file itself refused. The report must need nothing else: no request leaves the page, no
 * console error, one drawn <svg> per plot, images that decode, and a screenshot that is not blank.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { tempDir } from '@trove/test-utils';
import { chromiumPath } from '@trove/test-utils/chromium';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { renderHtml, reportInputFromRun, TEMPLATE_NAMES } from '../src/index.js';
import type { ReportInput } from '../src/types.js';
import { exampleRun, localStore } from './example-run.js';

let browser: Browser;

/** Opens a report with every request but the file itself refused; returns what was seen. */
async function open(input: ReportInput) {
  const file = join(tempDir(), 'report.html');
  writeFileSync(file, await renderHtml(input));
  const url = pathToFileURL(file).href;
  const context = await browser.newContext({ viewport: { width: 1100, height: 700 } });
  const refused: string[] = [];
  await context.route('**/*', (route) => {
    if (route.request().url() === url) return route.continue();
    refused.push(route.request().url());
    return route.abort();
  });
  const page = await context.newPage();
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => {
    if (r.url() !== url && !r.url().startsWith('data:')) requests.push(r.url());
  });
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url, { waitUntil: 'load' });
  const seen = await page.evaluate(async () => {
    const images = [...document.querySelectorAll('img')];
    await Promise.all(images.map((img) => img.decode()));
    return {
      svgs: document.querySelectorAll('svg').length,
      plots: [...document.querySelectorAll('figure.plot')].map((figure) => {
        // marks that cover some area on screen (vega's mark groups, not axes or legends)
        const drawn = [...figure.querySelectorAll('.role-mark path, .role-mark rect')].filter(
          (el) => {
            const box = el.getBoundingClientRect();
            return box.width > 0 && box.height > 0;
          },
        );
        return { id: figure.id, svgs: figure.querySelectorAll('svg').length, drawn: drawn.length };
      }),
      images: images.map((img) => ({ w: img.naturalWidth, h: img.naturalHeight })),
    };
  });
  return { context, page, seen, requests, refused, errors };
}

beforeAll(async () => {
  const executablePath = chromiumPath({
    chromium: inject('chromium'),
    chromiumProblem: inject('chromiumProblem'),
  });
  browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
});

afterAll(async () => {
  await browser?.close();
});

describe('report.html in headless chromium', () => {
  it("shows DVCLive's example run offline: plots drawn, images decoded, nothing fetched", async () => {
    const storeDir = tempDir();
    const id = await exampleRun(tempDir(), localStore(storeDir));
    const input = await reportInputFromRun(localStore(storeDir), id);
    const { context, page, seen, requests, refused, errors } = await open(input);
    expect(requests).toEqual([]);
    expect(refused).toEqual([]);
    expect(errors).toEqual([]);
    expect(seen.svgs).toBe(input.plots.length);
    expect(seen.plots.map((p) => p.id)).toEqual([
      'plot-static_metric',
      'plot-static_nested_metric',
      'plot-sklearn_confusion_matrix',
    ]);
    for (const plot of seen.plots) {
      expect(plot.svgs).toBe(1);
      expect(plot.drawn).toBeGreaterThan(0);
    }
    expect(seen.images).toEqual([{ w: 50, h: 50 }]);

    const shot = await page.screenshot({ fullPage: true });
    if (process.env.TROVE_REPORT_SCREENSHOT)
      writeFileSync(process.env.TROVE_REPORT_SCREENSHOT, shot);
    // pixel statistics of the screenshot, computed by the browser on a blank page
    const stats = await (await context.newPage()).evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.naturalWidth;
      canvas.height = img.naturalHeight;
      const ctx = canvas.getContext('2d') as CanvasRenderingContext2D;
      ctx.drawImage(img, 0, 0);
      const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      let sum = 0;
      let sq = 0;
      let ink = 0;
      const n = data.length / 4;
      for (let i = 0; i < data.length; i += 4) {
        const y = 0.299 * (data[i] ?? 0) + 0.587 * (data[i + 1] ?? 0) + 0.114 * (data[i + 2] ?? 0);
        sum += y;
        sq += y * y;
        if (y < 200) ink++;
      }
      const mean = sum / n;
      return { width: canvas.width, stddev: Math.sqrt(sq / n - mean * mean), ink: ink / n };
    }, shot.toString('base64'));
    expect(stats.width).toBe(1100);
    expect(stats.stddev).toBeGreaterThan(20);
    expect(stats.ink).toBeGreaterThan(0.01);
    await context.close();
  });

  it('draws every template', async () => {
    const plots = TEMPLATE_NAMES.map((template) =>
      template.startsWith('confusion')
        ? {
            id: template,
            template,
            x: 'a',
            y: 'p',
            data: [0, 1, 1].map((v, i) => ({ a: String(v), p: String(i % 2) })),
          }
        : template.startsWith('bar')
          ? {
              id: template,
              template,
              x: 'v',
              y: 'k',
              data: [
                { k: 'x', v: 2 },
                { k: 'y', v: 1 },
              ],
            }
          : {
              id: template,
              template,
              x: 'step',
              y: 'loss',
              data: [3, 1, 2].map((loss, step) => ({ step, loss })),
            },
    );
    const { context, seen, requests, refused, errors } = await open({
      params: {},
      metrics: {},
      plots,
      images: [],
    });
    expect({ requests, refused, errors }).toEqual({ requests: [], refused: [], errors: [] });
    expect(seen.svgs).toBe(plots.length);
    expect(seen.plots.map((p) => p.id)).toEqual(TEMPLATE_NAMES.map((t) => `plot-${t}`));
    for (const plot of seen.plots) {
      expect(plot.svgs, plot.id).toBe(1);
      expect(plot.drawn, plot.id).toBeGreaterThan(0);
    }
    await context.close();
  });
});
