/**
 * What trove's records say each table should hold, read straight from the run folders' objects
 * (`run.json`, `artifacts.json`, `lineage.jsonl`, `events/metric/*.plx*`) with the mapping
 * docs/tables.md states, written here on its own (not core's row code), so that a reader's rows
 * are checked against the records and not against the code that wrote them. Rows are in the
 * readers' form (asReaderRows): timestamps as µs since the epoch, maps as objects.
 */
import { buffer } from 'node:stream/consumers';
import type { Row } from '@trove/delta';

/** The part of a backend this needs (a Store's `meta`). */
interface Objects {
  list(prefix: string): AsyncIterable<{ key: string }>;
  read(key: string): Promise<{ body: NodeJS.ReadableStream }>;
}

export type TableRows = Record<'runs' | 'metrics' | 'artifacts' | 'lineage' | 'models', Row[]>;

/**
 * µs since the epoch of an ISO time with up to 6 fraction digits (ms alone would lose some), or
 * of Python's `str(datetime)` (a space for the `T`), which events rows hold as traceml writes it.
 */
function isoMicros(iso: string): number {
  const m = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?(Z|[+-]\d\d:\d\d)$/.exec(iso);
  if (!m) throw new Error(`not an ISO time: ${iso}`);
  const seconds = Date.parse(`${m[1]}T${m[2]}${m[4]}`);
  return seconds * 1000 + Number((m[3] ?? '').padEnd(6, '0'));
}

async function text(objects: Objects, key: string): Promise<string> {
  return (await buffer((await objects.read(key)).body as never)).toString('utf8');
}

/** Every table's rows as the records of the store at `prefix` (`''` or `trove/`) give them. */
export async function rowsFromRecords(objects: Objects, prefix: string): Promise<TableRows> {
  const folders = new Map<string, string[]>();
  for await (const { key } of objects.list(`${prefix}runs/`)) {
    const [id, ...rest] = key.slice(`${prefix}runs/`.length).split('/');
    if (!id) continue;
    folders.set(id, [...(folders.get(id) ?? []), rest.join('/')]);
  }
  const out: TableRows = { runs: [], metrics: [], artifacts: [], lineage: [], models: [] };
  for (const [id, files] of folders) {
    const at = (file: string) => `${prefix}runs/${id}/${file}`;
    const record = JSON.parse(await text(objects, at('run.json')));
    const artifacts: Record<string, Record<string, unknown>> = files.includes('artifacts.json')
      ? JSON.parse(await text(objects, at('artifacts.json')))
      : {};
    const lineage = files.includes('lineage.jsonl')
      ? (await text(objects, at('lineage.jsonl')))
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l) => JSON.parse(l))
      : [];
    const tags: Record<string, string> = record.tags ?? {};
    out.runs.push({
      run_id: id,
      name: record.name,
      experiment: tags['mlflow.experimentName'] ?? tags.experiment ?? null,
      status: record.status,
      start_time: isoMicros(record.startTime),
      end_time: record.endTime ? isoMicros(record.endTime) : null,
      user: record.host?.user ?? null,
      host: record.host?.hostname ?? null,
      git_commit: record.git?.commit ?? null,
      git_branch: record.git?.branch ?? null,
      tags,
      // Params as text: strings as they are, anything else as its JSON.
      params: Object.fromEntries(
        Object.entries(record.params ?? {}).map(([k, v]) => [
          k,
          typeof v === 'string' ? v : JSON.stringify(v),
        ]),
      ),
      // The latest value of each metric: the summary's numbers.
      metrics: Object.fromEntries(
        Object.entries(record.summary ?? {}).filter(
          ([, v]) => typeof v === 'number' && Number.isFinite(v),
        ),
      ),
      artifact_count: Object.keys(artifacts).length,
    });
    for (const a of Object.values(artifacts)) {
      out.artifacts.push({
        run_id: id,
        path: a.path,
        name: a.name,
        type: a.type ?? null,
        md5: a.md5,
        size: a.size,
        nfiles: a.nfiles ?? null,
        step: a.step ?? null,
        labels: a.labels ?? [],
        meta: a.meta === undefined ? null : a.meta,
        logged_at: isoMicros(a.loggedAt as string),
      });
    }
    for (const l of lineage) {
      out.lineage.push({
        run_id: id,
        direction: l.isInput ? 'input' : l.isRef ? 'reference' : 'output',
        name: l.name,
        kind: l.kind,
        path: l.path,
        md5: typeof l.summary?.md5 === 'string' ? l.summary.md5 : null,
        timestamp: isoMicros(l.timestamp),
      });
    }
    // A stream is its base (`acc.plx`, header line first) and its segments (`acc.plx.000001`, …)
    // concatenated in order; names may hold slashes (`train/loss`).
    const streams = new Map<string, string[]>();
    for (const file of files.sort()) {
      const m = /^events\/metric\/(.+)\.plx(\.\d+)?$/.exec(file);
      if (m?.[1]) streams.set(m[1], [...(streams.get(m[1]) ?? []), file]);
    }
    for (const [name, parts] of streams) {
      let whole = '';
      for (const part of parts) whole += await text(objects, at(part));
      const lines = whole.split('\n').filter((l) => l !== '');
      for (const line of lines.slice(1)) {
        const [step, time, value] = line.split('|');
        out.metrics.push({
          run_id: id,
          name,
          step: step === '' ? null : Number(step),
          timestamp: isoMicros(time as string),
          value: Number(value),
        });
      }
    }
  }
  // Registered versions, from the registry documents (`registry/<name>.json`).
  for await (const { key } of objects.list(`${prefix}registry/`)) {
    if (!key.endsWith('.json')) continue;
    const doc = JSON.parse(await text(objects, key));
    const aliases = Object.entries(doc.aliases as Record<string, number>);
    for (const v of doc.versions as Array<Record<string, unknown>>) {
      out.models.push({
        model: doc.name,
        version: v.version,
        run_id: v.runId ?? null,
        source: v.source,
        md5: v.md5,
        aliases: aliases
          .filter(([, n]) => n === v.version)
          .map(([a]) => a)
          .sort(),
        tags: v.tags ?? {},
        description: v.description ?? null,
        created_time: (v.creationTimestamp as number) * 1000,
        updated_time: (v.lastUpdatedTimestamp as number) * 1000,
      });
    }
  }
  return out;
}

/** JSON with object keys sorted at every level: one text for equal rows. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Rows in one order whatever order a reader gave them in. */
export function sorted(rows: readonly Row[]): Row[] {
  return [...rows]
    .map((r) => [canonical(r), r] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, r]) => r);
}
