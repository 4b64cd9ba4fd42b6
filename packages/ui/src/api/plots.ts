/** `/api/plots`: each run's DVCLive custom and sklearn plots, drawn to SVG by @trove/report. */
import type { Store } from '@trove/core';

export interface PlotEntry {
  run: string;
  name: string;
  svg: string;
}

// vega and vega-lite take ~0.5 s to load: only a page that shows plots pays for them
const report = () => import('@trove/report');

export async function plotsOf(store: Store, runIds: readonly string[]): Promise<PlotEntry[]> {
  const { artifactPlots, renderPlotSvg } = await report();
  const out: PlotEntry[] = [];
  for (const [r, run] of runIds.entries()) {
    for (const [p, plot] of (await artifactPlots(store, run)).entries()) {
      out.push({ run, name: plot.id, svg: await renderPlotSvg(plot, `r${r}p${p}-`) });
    }
  }
  return out;
}

/** The plot names (ids) of each run's plots, without drawing them. */
export async function plotNames(store: Store, runIds: readonly string[]): Promise<string[]> {
  const { artifactPlots } = await report();
  const names = new Set<string>();
  for (const run of runIds) for (const plot of await artifactPlots(store, run)) names.add(plot.id);
  return [...names].sort();
}
