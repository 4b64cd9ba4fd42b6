/**
 * `compareReportHtml`: the compare view as one self-contained HTML file (for CI comments and
 * mail). The built web app's script and stylesheet are inlined and the data the view would ask
 * the server for is embedded as JSON (curves downsampled for a wide chart, images as data: URIs
 * within a size bound, plots as SVG, the first MiB of each text file), so the same compare view
 * draws it from file:// with no network.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { metricSeries, type Store, searchRuns, TroveError } from '@trove/core';
import { compareData } from './api/compare.js';
import { imagesOf } from './api/images.js';
import { seriesJson } from './api/metrics.js';
import { plotsOf } from './api/plots.js';
import { readHead } from './api/preview.js';
import { contentType, locateFile, readRunArtifacts } from './api/run-files.js';
import { textsOf } from './api/texts.js';

export interface CompareReportOptions {
  store: Store;
  /** Run ids (or unique prefixes), or a filter in the search grammar (its first 50 runs). */
  runs: readonly string[] | string;
  /** Width the curves are downsampled for (default 1600 pixels). */
  width?: number;
  /** Images larger than this are left out (default 512 KiB each)… */
  maxImageBytes?: number;
  /** …and once the images embedded reach this, the rest are left out (default 16 MiB). */
  maxImagesTotal?: number;
  /** At most this many text files are embedded for diffs (default 20). */
  maxTexts?: number;
  /** Where the built web app is (default: the package's `dist/web/`). */
  appDir?: string;
}

const MAX_RUNS = 50;

/** `dist/web/` beside this file's `dist/compare-report.js`. */
const APP_DIR = fileURLToPath(new URL('./web/', import.meta.url));

async function runIdsOf(store: Store, runs: readonly string[] | string): Promise<string[]> {
  if (typeof runs !== 'string') return [...runs];
  const rows = await searchRuns(store, { filter: runs, limit: MAX_RUNS + 1 });
  if (rows.length < 2) {
    throw new TroveError(
      'INVALID_ARGUMENT',
      `The filter matches ${rows.length} run(s); compare takes 2–${MAX_RUNS}.`,
    );
  }
  return rows.slice(0, MAX_RUNS).map((r) => r.run_id);
}

/** The built app's script and stylesheet (their names come from Vite's manifest). */
function builtApp(appDir: string): { js: string; css: string[] } {
  let manifest: Record<string, { file: string; css?: string[]; isEntry?: boolean }>;
  try {
    manifest = JSON.parse(readFileSync(join(appDir, '.vite/manifest.json'), 'utf8'));
  } catch (err) {
    throw new TroveError('NOT_FOUND', 'The built web app of @trove/ui is missing.', {
      hint: 'build the package (pnpm -F @trove/ui build)',
      cause: err,
    });
  }
  const entry = Object.values(manifest).find((e) => e.isEntry);
  if (!entry) throw new TroveError('CORRUPT', "The web app's manifest names no entry.");
  // our own bundle, ~150 kB: read whole to be inlined
  const read = (file: string) => readFileSync(join(appDir, file), 'utf8');
  return { js: read(entry.file), css: (entry.css ?? []).map(read) };
}

/** Escapes what would end the element early: a script's or style's text is not HTML-escaped. */
function inlineText(text: string, tag: 'script' | 'style'): string {
  return text.replace(new RegExp(`</(${tag})`, 'gi'), '<\\/$1');
}

/** The whole report as one HTML string. */
export async function compareReportHtml(options: CompareReportOptions): Promise<string> {
  const { store } = options;
  const width = options.width ?? 1600;
  const maxImage = options.maxImageBytes ?? 512 * 1024;
  let imageBudget = options.maxImagesTotal ?? 16 * 1024 * 1024;
  const app = builtApp(options.appDir ?? APP_DIR);
  const ids = await runIdsOf(store, options.runs);
  const compare = await compareData(store, ids);
  const runIds = compare.runs.map((r) => r.id);
  // each run's artifact records read once, for its images, texts and plots
  const runs = await readRunArtifacts(store, runIds);
  const series = async (x: 'step' | 'time') =>
    compare.metricKeys.length === 0
      ? []
      : (await metricSeries(store, { runs: runIds, names: compare.metricKeys, x, width })).map(
          seriesJson,
        );
  const omitted: string[] = [];
  const images: Record<string, { run: string; step: number | null; path: string; src?: string }[]> =
    {};
  for (const run of runs) {
    for (const image of imagesOf([run])) {
      const { md5 } = await locateFile(store, run.run, image.path, run.artifacts);
      const { bytes, size } = await readHead(store, md5, maxImage + 1);
      const entry: { run: string; step: number | null; path: string; src?: string } = {
        run: image.run,
        step: image.step,
        path: image.path,
      };
      if (size > maxImage || size > imageBudget) omitted.push(`${image.run}/${image.path}`);
      else {
        imageBudget -= size;
        entry.src = `data:${contentType(image.path)};base64,${bytes.toString('base64')}`;
      }
      const named = images[image.name] ?? [];
      named.push(entry);
      images[image.name] = named;
    }
  }
  const texts: Record<string, unknown> = {};
  for (const path of compare.textPaths.slice(0, options.maxTexts ?? 20)) {
    texts[path] = (await textsOf(store, runs, path)).texts;
  }
  const data = {
    compare,
    metrics: { step: await series('step'), time: await series('time') },
    images,
    plots: await plotsOf(store, runs),
    texts,
    omitted,
  };
  // `<` written as \u003c: the JSON cannot close its element or open a comment
  const json = JSON.stringify(data).replace(/</g, '\\u003c');
  const title = `trove compare: ${runIds.length} runs`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="trove report --compare">
<title>${title}</title>
${app.css.map((css) => `<style>${inlineText(css, 'style')}</style>`).join('\n')}
</head>
<body>
<div id="app"></div>
<script type="application/json" id="trove-data">${json}</script>
<script type="module">${inlineText(app.js, 'script')}</script>
</body>
</html>
`;
}
