/**
 * The app in headless chromium for the tests: every request the page makes is recorded and
 * any to a host other than 127.0.0.1 is refused, and console errors (CSP violations among them)
 * and page errors are collected, so a test can assert that a page load stayed on loopback.
 */
import { fileURLToPath } from 'node:url';
import { chromiumPath } from '@trove/test-utils/chromium';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { inject } from 'vitest';

/**
 * The built web app (`pnpm -F @trove/ui build`): the tests run the server from src/, where the
 * default (beside dist/server/) does not point.
 */
export const BUILT_APP = fileURLToPath(new URL('../dist/web/', import.meta.url));

export async function launch(): Promise<Browser> {
  const executablePath = chromiumPath({
    chromium: inject('chromium'),
    chromiumProblem: inject('chromiumProblem'),
  });
  return chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
}

export interface Opened {
  context: BrowserContext;
  page: Page;
  /** every URL the page asked for */
  requests: string[];
  /** the ones that left 127.0.0.1 (refused) */
  outside: string[];
  errors: string[];
}

/** A fresh context and page; `allow(url)` says which requests may go (default 127.0.0.1 only). */
export async function openPage(
  browser: Browser,
  allow: (url: URL) => boolean = (url) => url.hostname === '127.0.0.1',
): Promise<Opened> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  const requests: string[] = [];
  const outside: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    requests.push(url);
    if (url.startsWith('data:') || url.startsWith('blob:') || allow(new URL(url))) {
      return route.continue();
    }
    outside.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, requests, outside, errors };
}

/**
 * How many pixels of a chart's canvas are in color: axes, grid and labels are gray, the runs'
 * curves are saturated hues, so a chart with curves has colored pixels and an empty one none.
 */
export async function canvasInk(page: Page, selector: string): Promise<number> {
  return page.$eval(selector, (canvas) => {
    const c = canvas as HTMLCanvasElement;
    const ctx = c.getContext('2d');
    if (!ctx) return 0;
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) {
      const [r = 0, g = 0, b = 0, a = 0] = data.subarray(i, i + 4);
      if (a > 128 && Math.max(r, g, b) - Math.min(r, g, b) > 60) ink++;
    }
    return ink;
  });
}

/** Every <img> under `selector`, decoded, with its natural size. */
export async function decodedImages(page: Page, selector: string) {
  return page.$$eval(selector, async (imgs) => {
    await Promise.all((imgs as HTMLImageElement[]).map((img) => img.decode()));
    return (imgs as HTMLImageElement[]).map((img) => ({
      w: img.naturalWidth,
      h: img.naturalHeight,
    }));
  });
}

/**
 * Waits for each metric's chart to be drawn; returns each chart's colored-pixel count and its
 * caption (how many points of how many it shows).
 */
export async function drawnCharts(page: Page, metrics: readonly string[]) {
  const out: { metric: string; ink: number; caption: string }[] = [];
  for (const metric of metrics) {
    const chart = `figure.metric-chart[data-metric=${metric}]`;
    await page.waitForSelector(`${chart} .chart[data-state=drawn]`);
    out.push({
      metric,
      ink: await canvasInk(page, `${chart} canvas`),
      caption: (await page.textContent(`${chart} figcaption`)) ?? '',
    });
  }
  return out;
}
