/** `/api/plots`: each run's DVCLive custom and sklearn plots, drawn to SVG by @trove/report. */
import type { Store } from '@trove/core';
import type { RunArtifacts } from './run-files.js';

export interface PlotEntry {
  run: string;
  name: string;
  svg: string;
}

// vega and vega-lite take ~0.5 s to load: only a page that shows plots pays for them
const report = () => import('@trove/report');

export async function plotsOf(store: Store, runs: readonly RunArtifacts[]): Promise<PlotEntry[]> {
  const { artifactPlots, renderPlotSvg } = await report();
  const out: PlotEntry[] = [];
  for (const [r, { run, artifacts }] of runs.entries()) {
    for (const [p, plot] of (await artifactPlots(store, run, artifacts)).entries()) {
      out.push({ run, name: plot.id, svg: await renderPlotSvg(plot, `r${r}p${p}-`) });
    }
  }
  return out;
}

/** The plot names (ids) of the runs' plots, from their records: no plot file is read. */
export async function plotNames(runs: readonly RunArtifacts[]): Promise<string[]> {
  const { plotArtifacts } = await report();
  const names = new Set<string>();
  for (const { artifacts } of runs) for (const plot of plotArtifacts(artifacts)) names.add(plot.id);
  return [...names].sort();
}
