/**
 * A stored run as report input: everything is read from the store (any backend), so a run is
 * reported on a machine that never ran it. Params and the metrics summary from `run.json`, one
 * `linear` plot per metric from `events/metric/<name>.plx` (and its appended segments), the newest step of each image
 * (`assets/image/<name>_<step>.<ext>`), and the newest version of each `plot` artifact drawn with
 * the template its `meta.plot` names.
 */
import { posix } from 'node:path';
import type { ArtifactRecord, Store } from '@trove/core';
import { parseEventStream, parsePlotFile } from './plot-files.js';
import type { TemplateName } from './templates.js';
import type { ReportImage, ReportInput, ReportPlot } from './types.js';

const MIME: Record<string, ReportImage['mime']> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
};

/**
 * Reads a run's report input from a store.
 *
 * @example
 * const store = await openStore();
 * const html = await renderHtml(await reportInputFromRun(store, await store.resolveRunId('0193')));
 */
export async function reportInputFromRun(store: Store, runId: string): Promise<ReportInput> {
  const [run, artifacts] = await Promise.all([store.readRun(runId), store.readArtifacts(runId)]);
  const plots = await metricPlots(store, runId);
  const records = Object.values(artifacts).filter((a) => a.cached && !a.isdir);
  const images: ReportImage[] = [];
  for (const { record, name, ext } of newest(records.filter((a) => a.type === 'image'))) {
    const mime = MIME[ext.toLowerCase()];
    if (!mime) continue;
    images.push({
      name: ext ? `${name}.${ext}` : name,
      mime,
      bytes: await readObject(store, record),
    });
  }
  images.sort(imageOrder);
  plots.push(...(await artifactPlots(store, runId, artifacts, new Set(plots.map((p) => p.id)))));
  return {
    title: run.name ? `${run.name} (${run.id})` : run.id,
    params: run.params,
    metrics: run.summary,
    plots,
    images,
  };
}

/**
 * A run's `plot` artifacts (DVCLive's custom and sklearn plots), the newest version of each, with
 * the template, axes and title its `meta.plot` names; ids are DVCLive's plot names
 * (`sklearn/roc`), unique within the run and apart from `taken`.
 *
 * @example
 * for (const plot of await artifactPlots(store, runId)) svg.push(await renderPlotSvg(plot));
 */
export async function artifactPlots(
  store: Store,
  runId: string,
  artifacts?: Record<string, ArtifactRecord>,
  taken: Set<string> = new Set(),
): Promise<ReportPlot[]> {
  const plots: ReportPlot[] = [];
  for (const { record, name, id } of plotArtifacts(
    artifacts ?? (await store.readArtifacts(runId)),
    taken,
  )) {
    const text = Buffer.from(await readObject(store, record)).toString('utf8');
    const config = (record.meta?.plot ?? {}) as Record<string, unknown>;
    const str = (key: string) =>
      typeof config[key] === 'string' ? (config[key] as string) : undefined;
    const x = str('x') ?? 'step';
    const y = str('y') ?? 'value';
    plots.push({
      id,
      template: (str('template') || 'linear') as TemplateName,
      x,
      y,
      title: str('title') ?? name,
      ...(str('x_label') !== undefined ? { xLabel: str('x_label') } : {}),
      ...(str('y_label') !== undefined ? { yLabel: str('y_label') } : {}),
      data: parsePlotFile(text, record.source || record.path),
    });
  }
  return plots;
}

/**
 * The plots `artifactPlots` draws, chosen and named from the records alone (no object is read):
 * what a caller that only lists them (the compare view's plot names) needs.
 */
export function plotArtifacts(
  artifacts: Record<string, ArtifactRecord>,
  taken: ReadonlySet<string> = new Set(),
): { record: ArtifactRecord; name: string; id: string }[] {
  const records = Object.values(artifacts).filter((a) => a.cached && !a.isdir && a.type === 'plot');
  const ids = new Set(taken);
  return newest(records).map(({ record, name }) => {
    let id = plotId(record, name);
    // two files may share a name under `plots/` in different folders: ids stay unique
    for (let n = 2; ids.has(id); n++) id = `${plotId(record, name)}-${n}`;
    ids.add(id);
    return { record, name, id };
  });
}

async function metricPlots(store: Store, runId: string): Promise<ReportPlot[]> {
  // Each metric's events file: its base file and appended segments, streamed in order.
  const files = (await store.listEventFiles(runId, 'metric')).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  return Promise.all(
    files.map(async (file): Promise<ReportPlot> => {
      const key = store.runKey(runId, 'events', file.file);
      const y = posix.basename(file.name);
      const events = await parseEventStream(store.readEventFile(file), key);
      return {
        id: `static/${file.name}`,
        title: file.name,
        template: 'linear',
        x: 'step',
        y,
        data: events.map((e) => ({ step: e.step, [y]: e.value })),
      };
    }),
  );
}

interface Versioned {
  record: ArtifactRecord;
  name: string;
  ext: string;
  step: number;
}

/**
 * The newest step of each artifact: versioned ones are `assets/<type>/<name>_<step>[.<ext>]`
 * (a `/` in the name is `__` there, so the record's own name and step are used), unversioned
 * ones (`outputs/…`) are one each.
 */
function newest(records: ArtifactRecord[]): Versioned[] {
  const byKey = new Map<string, Versioned>();
  for (const record of records) {
    const file = posix.basename(record.path);
    const versioned = `${record.name.replaceAll('/', '__')}_${record.step}`;
    let entry: Versioned;
    if (record.step !== undefined && file.startsWith(versioned)) {
      const ext = file.slice(versioned.length).replace(/^\./, '');
      entry = { record, name: record.name, ext, step: record.step };
    } else {
      const dot = file.indexOf('.', 1);
      const ext = dot < 0 ? '' : file.slice(dot + 1);
      entry = { record, name: dot < 0 ? file : file.slice(0, dot), ext, step: -1 };
    }
    const key = entry.step < 0 ? record.path : `${entry.name}.${entry.ext}`;
    const seen = byKey.get(key);
    if (!seen || entry.step >= seen.step) byKey.set(key, entry);
  }
  return [...byKey.values()];
}

/** DVCLive's plot names: the path under `plots/` without its suffix (`sklearn/roc`). */
function plotId(record: ArtifactRecord, name: string): string {
  const source = record.source.replaceAll('\\', '/');
  const at = source.lastIndexOf('plots/');
  const rel = at >= 0 ? source.slice(at + 'plots/'.length) : name;
  const id = rel.replace(/\.(json|tsv|csv|yaml|yml)$/i, '').replace(/^(\.\.\/)+/, '');
  return id.startsWith('static/') ? `custom/${id}` : id;
}

async function readObject(store: Store, record: ArtifactRecord): Promise<Uint8Array> {
  const { body } = await store.objects.backend.read(store.objects.key(record.md5));
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** DVCLive orders images by folder, then by numeric basename (`images/2.png` before `10.png`). */
function imageOrder(a: ReportImage, b: ReportImage): number {
  const da = posix.dirname(a.name);
  const db = posix.dirname(b.name);
  if (da !== db) return da < db ? -1 : 1;
  const na = Number.parseFloat(posix.basename(a.name));
  const nb = Number.parseFloat(posix.basename(b.name));
  if (!Number.isNaN(na) && !Number.isNaN(nb) && na !== nb) return na - nb;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
