/**
 * `report.md` in DVCLive's layout (`# DVC Report`, the params and metrics tables in GitHub form,
 * one `![id](id.png)` per plot, images inline as `data:` URIs), with every plot drawn by the same
 * templates as the HTML report and rasterised next to the markdown file.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { TroveError } from '@trove/core';
import { loadRasteriser } from './png.js';
import { renderPlotSvg } from './render-plot.js';
import { flatten, githubTable } from './table.js';
import type { ReportInput, ReportPlot } from './types.js';
import { validateInput } from './validate.js';

/**
 * Writes each plot as `<outDir>/<plot id>.png` and returns the markdown, which links them by
 * relative path (save it as `<outDir>/report.md`). Every plot is drawn before any file is
 * written, so bad input (one `TroveError`) leaves nothing behind.
 */
export async function renderMarkdown(input: ReportInput, outDir: string): Promise<string> {
  validateInput(input);
  const rasterise = await loadRasteriser();
  const files: Array<{ path: string; bytes: Uint8Array | string; link: string }> = [];
  const elements: string[] = [];
  const params = flatten(input.params);
  if (params.length > 0) elements.push(`\nparams.yaml\n\n${githubTable(params)}`);
  const metrics = flatten(input.metrics);
  if (metrics.length > 0) elements.push(`\nmetrics.json\n\n${githubTable(metrics)}`);

  const draw = async (plot: ReportPlot) => {
    const svg = await renderPlotSvg(plot);
    const link = `${plot.id}.${rasterise ? 'png' : 'svg'}`;
    files.push({ path: join(outDir, link), bytes: rasterise ? rasterise(svg) : svg, link });
    elements.push(`\n![${plot.id}](${encodeURI(link)})`);
  };
  for (const plot of input.plots.filter((p) => p.id.startsWith('static/'))) await draw(plot);
  for (const image of input.images) {
    const data = Buffer.from(image.bytes).toString('base64');
    elements.push(`\n![${image.name}](data:${image.mime};base64,${data})`);
  }
  for (const plot of input.plots.filter((p) => !p.id.startsWith('static/'))) await draw(plot);

  try {
    for (const file of files) {
      await mkdir(dirname(file.path), { recursive: true });
      await writeFile(file.path, file.bytes);
    }
  } catch (err) {
    throw new TroveError('PERMISSION_DENIED', `Could not write the report's plots in ${outDir}.`, {
      key: outDir,
      cause: err,
    });
  }
  return `# ${input.title ?? 'DVC Report'}\n${elements.join('\n')}\n`;
}
