/**
 * Where the compare view gets its data: the server (`liveSource`), or the JSON embedded in an
 * offline report (`embeddedSource`), so the one view draws both. The embedded form is what
 * `compareReportHtml` writes; its shape is `EmbeddedCompare`.
 */
import { fileUrl, getBinary, getJson } from './api.js';
import { readBinarySeries } from './binary-series.js';
import type { CompareData, ImageEntry, PlotEntry, Series, TextEntry } from './types.js';

export type XAxis = 'step' | 'time';

interface MetricsQuery {
  keys: string[];
  x: XAxis;
  width: number;
  xmin?: number;
  xmax?: number;
}

export interface CompareSource {
  /** false when zooming cannot fetch finer data (the offline report) */
  readonly refines: boolean;
  compare(runs: string[]): Promise<CompareData>;
  metrics(runs: string[], q: MetricsQuery, signal?: AbortSignal): Promise<Series[]>;
  images(runs: string[], name: string): Promise<ImageEntry[]>;
  imageSrc(image: ImageEntry): string;
  plots(runs: string[]): Promise<PlotEntry[]>;
  texts(runs: string[], path: string): Promise<TextEntry[]>;
}

export const liveSource: CompareSource = {
  refines: true,
  compare: (runs) => getJson<CompareData>('compare', { runs: runs.join(',') }),
  metrics: async (runs, q, signal) => {
    const query = {
      runs: runs.join(','),
      keys: q.keys.join(','),
      x: q.x,
      width: Math.round(q.width),
      xmin: q.xmin,
      xmax: q.xmax,
      format: 'f32',
    };
    return readBinarySeries(await getBinary('metrics', query, signal));
  },
  images: async (runs, name) =>
    (await getJson<{ images: ImageEntry[] }>('images', { runs: runs.join(','), name })).images,
  imageSrc: (image) => fileUrl(image.run, image.path),
  plots: async (runs) =>
    (await getJson<{ plots: PlotEntry[] }>('plots', { runs: runs.join(',') })).plots,
  texts: async (runs, path) =>
    (await getJson<{ texts: TextEntry[] }>('texts', { runs: runs.join(','), path })).texts,
};

/** What an offline report carries. */
export interface EmbeddedCompare {
  compare: CompareData;
  metrics: Record<XAxis, Series[]>;
  images: Record<string, (ImageEntry & { src?: string })[]>;
  plots: PlotEntry[];
  texts: Record<string, TextEntry[]>;
  /** images left out because they were over the report's size bound */
  omitted?: string[];
}

function within(s: Series, xmin?: number, xmax?: number): Series {
  if (xmin === undefined || xmax === undefined) return s;
  const keep = s.x.map((x) => x >= xmin && x <= xmax);
  const pick = <T>(a?: T[]) => a?.filter((_, i) => keep[i]);
  return {
    ...s,
    x: s.x.filter((_, i) => keep[i]),
    y: pick(s.y) ?? [],
    ymin: pick(s.ymin),
    ymax: pick(s.ymax),
  };
}

export function embeddedSource(data: EmbeddedCompare): CompareSource {
  return {
    refines: false,
    compare: async () => data.compare,
    metrics: async (runs, q) =>
      data.metrics[q.x]
        .filter((s) => runs.includes(s.run) && q.keys.includes(s.key))
        .map((s) => within(s, q.xmin, q.xmax)),
    images: async (_runs, name) => data.images[name] ?? [],
    imageSrc: (image) => (image as ImageEntry & { src?: string }).src ?? '',
    plots: async () => data.plots,
    texts: async (_runs, path) => data.texts[path] ?? [],
  };
}

/** For a link out of the offline report there is no server: only the live app links. */
export function runLink(source: CompareSource, run: string): string | undefined {
  return source.refines ? `/run/${encodeURIComponent(run)}` : undefined;
}
