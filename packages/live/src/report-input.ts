/**
 * What `@trove/report` draws: params, metrics, one linear plot per metric history, the custom
 * and sklearn plots (data unwrapped from their `roc`/`precision_recall`/… key), and the
 * images. Built from the files a Live wrote, so it shows what DVC would show.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import type { ReportImage, ReportInput, ReportPlot, TemplateName } from '@trove/report';
import { loadJsonPy } from './py-load.js';
import { toPlain } from './py-values.js';

export interface ReportSource {
  dir: string;
  params: Record<string, unknown>;
  summary: Record<string, unknown>;
  plots: ReadonlyArray<{ outputPath: string; config: Record<string, unknown> }>;
  title?: string;
}

function walk(dir: string, suffix: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p, suffix));
    else if (e.name.endsWith(suffix)) out.push(p);
  }
  return out.sort();
}

function cell(text: string): string | number {
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

function parseTsv(text: string): Array<Record<string, string | number>> {
  const lines = text.split(/\r?\n/).filter((l) => l !== '');
  const header = (lines.shift() ?? '').split('\t');
  return lines.map((line) => {
    const cells = line.split('\t');
    return Object.fromEntries(header.map((h, i) => [h, cell(cells[i] ?? '')]));
  });
}

const posix = (p: string) => p.split(sep).join('/');

/** The report of a Live, from its files and state. */
export function buildReportInput(source: ReportSource): ReportInput {
  const plots: ReportPlot[] = [];
  const metricsDir = join(source.dir, 'plots', 'metrics');
  for (const file of walk(metricsDir, '.tsv')) {
    const rel = posix(relative(metricsDir, file)).replace(/\.tsv$/, '');
    const y = rel.slice(rel.lastIndexOf('/') + 1);
    plots.push({
      id: `static/${rel}`,
      title: rel,
      template: 'linear',
      x: 'step',
      y,
      data: parseTsv(readFileSync(file, 'utf8')),
    });
  }
  for (const plot of source.plots) {
    if (!existsSync(plot.outputPath)) continue;
    const config = plot.config;
    let data = toPlain(loadJsonPy(readFileSync(plot.outputPath, 'utf8'), plot.outputPath));
    if (data !== null && typeof data === 'object' && !Array.isArray(data)) {
      data = Object.values(data)[0];
    }
    const template = String(config.template ?? 'linear');
    const y = Array.isArray(config.y) ? String(config.y[0]) : String(config.y);
    plots.push({
      id: posix(relative(source.dir, plot.outputPath)).replace(/\.json$/, ''),
      ...(config.title !== undefined ? { title: String(config.title) } : {}),
      // As given: the report draws DVC's templates and anything else as `linear`.
      template: template as TemplateName,
      x: String(config.x),
      y,
      ...(config.x_label !== undefined ? { xLabel: String(config.x_label) } : {}),
      ...(config.y_label !== undefined ? { yLabel: String(config.y_label) } : {}),
      data: Array.isArray(data) ? (data as Array<Record<string, string | number>>) : [],
    });
  }
  const imagesDir = join(source.dir, 'plots', 'images');
  const images: ReportImage[] = [];
  for (const ext of ['.png', '.jpg', '.jpeg', '.gif']) {
    for (const file of walk(imagesDir, ext)) {
      const mime = ext === '.png' ? 'image/png' : ext === '.gif' ? 'image/gif' : 'image/jpeg';
      images.push({
        name: posix(relative(imagesDir, file)),
        mime,
        bytes: new Uint8Array(readFileSync(file)),
      });
    }
  }
  images.sort((a, b) => imageOrder(a.name, b.name));
  return {
    ...(source.title !== undefined ? { title: source.title } : {}),
    params: toPlain(source.params) as Record<string, unknown>,
    metrics: toPlain(source.summary) as Record<string, unknown>,
    plots,
    images,
  };
}

/** DVC's report order: by folder, then numeric basenames numerically (`9.png` before `10.png`). */
function imageOrder(a: string, b: string): number {
  const split = (n: string) => {
    const i = n.lastIndexOf('/');
    const base = n.slice(i + 1, n.length - extname(n).length);
    return { dir: n.slice(0, Math.max(i, 0)), base, num: /^\d+$/.test(base) ? Number(base) : NaN };
  };
  const x = split(a);
  const y = split(b);
  if (x.dir !== y.dir) return x.dir < y.dir ? -1 : 1;
  if (!Number.isNaN(x.num) && !Number.isNaN(y.num)) return x.num - y.num;
  return a < b ? -1 : a > b ? 1 : 0;
}
