/**
 * `@trove/report`: a run's report that works offline. Params and metrics tables, plots drawn with
 * DVC's Vega-Lite templates to static inline SVG, images inline; or DVCLive's `report.md` with
 * the plots as PNG files next to it.
 */
export { artifactPlots, plotArtifacts, reportInputFromRun } from './from-run.js';
export { renderHtml } from './html.js';
export { renderMarkdown } from './markdown.js';
export { plotSpec, renderPlotSvg } from './render-plot.js';
export { TEMPLATE_NAMES, type TemplateName } from './templates.js';
export type { ReportImage, ReportInput, ReportPlot } from './types.js';
