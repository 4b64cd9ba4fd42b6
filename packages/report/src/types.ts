import type { TemplateName } from './templates.js';

/** One plot: rows of data drawn with one of DVC's templates. */
export interface ReportPlot {
  /** Unique in the report; a relative path (`static/loss`, `sklearn/roc`): names the PNG of `report.md`. */
  id: string;
  title?: string;
  template: TemplateName;
  x: string;
  y: string;
  xLabel?: string;
  yLabel?: string;
  data: Array<Record<string, string | number>>;
}

export interface ReportImage {
  /** Shown above the image (DVCLive: its path under `plots/images/`). */
  name: string;
  mime: 'image/png' | 'image/jpeg' | 'image/gif';
  bytes: Uint8Array;
}

export interface ReportInput {
  title?: string;
  params: Record<string, unknown>;
  metrics: Record<string, unknown>;
  plots: ReportPlot[];
  images: ReportImage[];
}
