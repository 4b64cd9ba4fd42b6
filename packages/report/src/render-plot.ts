/**
 * One plot to one static SVG: DVC's template filled with the plot's rows, compiled by vega-lite
 * and drawn by vega's headless SVG renderer (no canvas, no DOM, no network: a loader that
 * refuses every request).
 */
import { TroveError } from '@trove/core';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import { fillTemplate, REV } from './fill.js';
import { quantitativeAxes } from './templates.js';
import type { ReportPlot } from './types.js';
import { toNumber } from './validate.js';

const SILENT = vega.logger(vega.None);

/** vega asks its loader for any URL a spec names; a report never loads anything. */
const NO_NETWORK = {
  load: (uri: string) => Promise.reject(refused(uri)),
  sanitize: (uri: string) => Promise.reject(refused(uri)),
  http: (uri: string) => Promise.reject(refused(uri)),
  file: (uri: string) => Promise.reject(refused(uri)),
};

function refused(uri: string): TroveError {
  return new TroveError('INVALID_ARGUMENT', `A report plot may not load ${uri}.`);
}

/** The Vega-Lite spec of a plot (DVC's template, filled). Input is assumed validated. */
export function plotSpec(plot: ReportPlot): Record<string, unknown> {
  const numeric = quantitativeAxes(plot.template);
  const rows = plot.data.map((row) => {
    const out: Record<string, unknown> = { ...row };
    // NaN and ±inf (DVCLive logs them) cannot be placed on an axis: vega leaves them out
    if (numeric.x) out[plot.x] = finiteOrNull(row[plot.x]);
    if (numeric.y) out[plot.y] = finiteOrNull(row[plot.y]);
    if (out.rev === undefined) out.rev = REV;
    return out;
  });
  const data = LINES.has(plot.template) ? decimate(rows, plot.x, plot.y) : rows;
  return fillTemplate({
    template: plot.template,
    x: plot.x,
    y: plot.y,
    title: plot.title ?? '',
    xLabel: plot.xLabel ?? plot.x,
    yLabel: plot.yLabel ?? plot.y,
    data,
  });
}

function finiteOrNull(value: unknown): number | null {
  const n = toNumber(value);
  return n !== undefined && Number.isFinite(n) ? n : null;
}

/** Templates that draw a line through the rows in x order. */
const LINES = new Set(['linear', 'smooth', 'simple']);

/** Rows kept per line: two per bucket, 500 buckets across a 300-pixel-wide plot. */
const MAX_LINE_POINTS = 1000;

/**
 * A line of 100,000 steps drawn 300 pixels wide shows no more than a few rows per pixel, but
 * costs vega seconds and the page megabytes. Longer lines are cut into buckets of consecutive
 * x and keep each bucket's lowest and highest y, in x order, so every peak and dip is still
 * drawn (min/max decimation). Each revision is decimated on its own.
 */
function decimate(
  rows: Array<Record<string, unknown>>,
  x: string,
  y: string,
): Array<Record<string, unknown>> {
  if (rows.length <= MAX_LINE_POINTS) return rows;
  const byRev = new Map<unknown, Array<Record<string, unknown>>>();
  for (const row of rows) {
    const list = byRev.get(row.rev);
    if (list) list.push(row);
    else byRev.set(row.rev, [row]);
  }
  const out: Array<Record<string, unknown>> = [];
  for (const line of byRev.values()) {
    if (line.length <= MAX_LINE_POINTS) {
      out.push(...line);
      continue;
    }
    line.sort((a, b) => (a[x] as number) - (b[x] as number));
    const buckets = MAX_LINE_POINTS / 2;
    const size = line.length / buckets;
    for (let b = 0; b < buckets; b++) {
      const start = Math.floor(b * size);
      const end = Math.min(line.length, Math.floor((b + 1) * size));
      let lo = -1;
      let hi = -1;
      for (let i = start; i < end; i++) {
        const v = (line[i] as Record<string, unknown>)[y];
        if (typeof v !== 'number') continue;
        if (lo < 0 || v < ((line[lo] as Record<string, unknown>)[y] as number)) lo = i;
        if (hi < 0 || v > ((line[hi] as Record<string, unknown>)[y] as number)) hi = i;
      }
      if (lo < 0) {
        // no number here: keep one row, so the gap in the line stays a gap
        out.push(line[start] as Record<string, unknown>);
        continue;
      }
      for (const i of lo === hi ? [lo] : lo < hi ? [lo, hi] : [hi, lo]) {
        out.push(line[i] as Record<string, unknown>);
      }
    }
  }
  return out;
}

/**
 * Draws a plot as an `<svg>` element. Its ids (clip paths, gradients) are renamed
 * `<idPrefix><n>` in order of appearance: unique in a page when each plot has its own prefix,
 * and the same for the same input (vega numbers them with process-wide counters).
 */
export async function renderPlotSvg(plot: ReportPlot, idPrefix = 'plot-'): Promise<string> {
  let view: vega.View | undefined;
  try {
    const compiled = vl.compile(plotSpec(plot) as unknown as vl.TopLevelSpec, { logger: SILENT });
    view = new vega.View(vega.parse(compiled.spec), {
      renderer: 'none',
      logLevel: vega.None,
      loader: NO_NETWORK as unknown as vega.Loader,
    });
    const svg = await view.toSVG();
    return renameIds(svg, idPrefix);
  } catch (err) {
    throw new TroveError(
      'INVALID_ARGUMENT',
      `Plot ${JSON.stringify(plot.id)} could not be drawn with template ${plot.template}: ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    );
  } finally {
    view?.finalize();
  }
}

function renameIds(svg: string, prefix: string): string {
  const names = new Map<string, string>();
  const rename = (id: string) => {
    let name = names.get(id);
    if (name === undefined) {
      name = `${prefix}${names.size + 1}`;
      names.set(id, name);
    }
    return name;
  };
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${rename(id)}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${rename(id)})`)
    .replace(/href="#([^"]+)"/g, (_, id: string) => `href="#${rename(id)}"`);
}
