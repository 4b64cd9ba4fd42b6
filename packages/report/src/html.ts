/**
 * `report.html` that works offline: everything it shows is in the file. Plots are inline SVG,
 * images `data:` URIs, the style sheet inline; a Content-Security-Policy forbids the page any
 * request (DVCLive's report loads Vega from a CDN and is blank without the network).
 */
import { renderPlotSvg } from './render-plot.js';
import { flatten, formatValue } from './table.js';
import type { ReportImage, ReportInput, ReportPlot } from './types.js';
import { validateInput } from './validate.js';

const CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'";

const STYLE = `
  body { font-family: system-ui, sans-serif; margin: 24px; color: #1a1a1a; }
  h1 { font-size: 1.6em; }
  h2 { font-size: 1.1em; margin: 0 0 8px; }
  section { margin: 0 0 24px; }
  table { border-collapse: collapse; }
  th, td { border: 1px solid #ccc; padding: 4px 10px; text-align: left; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; }
  .plots { display: flex; flex-wrap: wrap; gap: 16px; align-items: flex-start; }
  figure { margin: 0; border: 1px solid #ddd; padding: 8px; }
  figcaption { font-size: 0.9em; margin-bottom: 4px; }
  figure.image img { min-width: 150px; max-width: 100%; image-rendering: pixelated; }
`;

/**
 * Renders a self-contained HTML report. Order as in DVCLive: params, metrics, metric plots
 * (ids under `static/`), images, other plots. Bad input is one `TroveError` (`INVALID_ARGUMENT`).
 *
 * @example
 * await writeFile('report.html', await renderHtml(await reportInputFromRun(store, runId)));
 */
export async function renderHtml(input: ReportInput): Promise<string> {
  validateInput(input);
  const title = input.title ?? 'trove report';
  const parts: string[] = [];
  parts.push(tableSection('params', 'params.yaml', input.params));
  parts.push(tableSection('metrics', 'metrics.json', input.metrics));
  const metricPlots = input.plots.filter((p) => p.id.startsWith('static/'));
  const otherPlots = input.plots.filter((p) => !p.id.startsWith('static/'));
  const figures = [
    ...(await plotFigures(metricPlots, 0)),
    ...imageFigures(input.images),
    ...(await plotFigures(otherPlots, metricPlots.length)),
  ];
  if (figures.length > 0) {
    parts.push(`<section id="plots"><div class="plots">\n${figures.join('\n')}\n</div></section>`);
  }
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${parts.filter((p) => p !== '').join('\n')}
</body>
</html>
`;
}

function tableSection(id: string, name: string, values: Record<string, unknown>): string {
  const rows = flatten(values);
  if (rows.length === 0) return '';
  const head = rows.map(([key]) => `<th>${escapeHtml(key)}</th>`).join('');
  const cells = rows
    .map(([, v]) =>
      typeof v === 'number'
        ? `<td class="num">${escapeHtml(formatValue(v))}</td>`
        : `<td>${escapeHtml(formatValue(v))}</td>`,
    )
    .join('');
  return `<section id="${id}"><h2>${escapeHtml(name)}</h2>
<table><thead><tr>${head}</tr></thead><tbody><tr>${cells}</tr></tbody></table></section>`;
}

/** `first`: the page's count of plots before these, for ids unique in the page (`svg3-1`). */
async function plotFigures(plots: ReportPlot[], first: number): Promise<string[]> {
  const figures: string[] = [];
  for (const [i, plot] of plots.entries()) {
    const svg = await renderPlotSvg(plot, `svg${first + i + 1}-`);
    figures.push(
      `<figure class="plot" id="${domId(plot.id)}"><figcaption>${escapeHtml(plot.id)}</figcaption>${svg}</figure>`,
    );
  }
  return figures;
}

function imageFigures(images: ReportImage[]): string[] {
  return images.map(
    (image) =>
      `<figure class="image"><figcaption>${escapeHtml(image.name)}</figcaption><img alt="${escapeHtml(image.name)}" src="data:${image.mime};base64,${Buffer.from(image.bytes).toString('base64')}"></figure>`,
  );
}

/** DVC's div ids: every character of ``!@#$%^&*()[]{};,<>?\/:.|`~=_+ `` becomes `_`. */
function domId(id: string): string {
  return `plot-${id.replace(/[!@#$%^&*()[\]{};,<>?\\/:.|`~=_+ ]/g, '_')}`;
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
