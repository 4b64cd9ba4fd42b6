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
  const data = plot.data.map((row) => {
    const out: Record<string, unknown> = { ...row };
    if (numeric.x) out[plot.x] = toNumber(row[plot.x]);
    if (numeric.y) out[plot.y] = toNumber(row[plot.y]);
    if (out.rev === undefined) out.rev = REV;
    return out;
  });
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

let counter = 0;

/** Draws a plot as an `<svg>` element whose ids are unique in the page. */
export async function renderPlotSvg(plot: ReportPlot): Promise<string> {
  let view: vega.View | undefined;
  try {
    const compiled = vl.compile(plotSpec(plot) as unknown as vl.TopLevelSpec, { logger: SILENT });
    view = new vega.View(vega.parse(compiled.spec), {
      renderer: 'none',
      logLevel: vega.None,
      loader: NO_NETWORK as unknown as vega.Loader,
    });
    const svg = await view.toSVG();
    return uniqueIds(svg, `p${++counter}-`);
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

/**
 * Many SVGs inline in one page share one id space: a clip path or gradient id of one plot must
 * not capture another's. Every id (and its `url(#…)` / `href="#…"` uses) gets the plot's prefix.
 */
function uniqueIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${prefix}${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${prefix}${id})`)
    .replace(/href="#([^"]+)"/g, (_, id: string) => `href="#${prefix}${id}"`);
}
