/**
 * A run folder from one store to another, record files last. Files the target lacks are copied
 * create-only; the shared record files the target has too are merged by compare-and-swap
 * (`record/merge-run.ts`): `artifacts*.json` and `lineage*.jsonl` before `run.json`, which comes
 * last because a run is listed by its `run.json` (a kill midway leaves no half run listed).
 * Events files are create-only streams: a segment the target has is the same segment, unless both
 * stores appended to the stream on their own; then the source's rows go to a new segment of the
 * target's stream (once: a segment already holding those bytes counts as sent).
 */
import { createHash } from 'node:crypto';
import type { ObjectEntry } from '../backend/contract.js';
import { mapLimit } from '../backend/map-limit.js';
import { mergeArtifactsJson, mergeLineageJsonl, mergeRunJson } from '../record/merge-run.js';
import { readText } from '../record/meta-io.js';
import { RunFolder, runKey } from '../record/run-folder.js';
import type { Store } from '../record/store.js';
import { copyKey } from './copy-key.js';

const FILE_CONCURRENCY = 8;
const ARTIFACTS_RE = /^artifacts(?:\.[0-9a-f]{8,32})?\.json$/;
const LINEAGE_RE = /^lineage(?:\.[0-9a-f]{8,32})?\.jsonl$/;
const SEGMENT_RE = /\.plx\.\d{6,}$/;

type Merge = (target: string | undefined, source: string) => string | undefined;

function mergerOf(rel: string): Merge | undefined {
  if (rel === 'run.json') return mergeRunJson;
  if (ARTIFACTS_RE.test(rel)) return mergeArtifactsJson;
  if (LINEAGE_RE.test(rel)) return mergeLineageJsonl;
  return undefined;
}

/**
 * Brings the target's folder of `runId` up to the source's: `source` and `target` are the two
 * folders' listing entries. Resolves to the number of files written.
 */
export async function transferRun(
  from: Store,
  to: Store,
  runId: string,
  source: readonly ObjectEntry[],
  target: readonly ObjectEntry[],
  signal?: AbortSignal,
): Promise<number> {
  const fromBase = `${runKey(from, runId)}/`;
  const toBase = `${runKey(to, runId)}/`;
  const have = new Map(target.map((e) => [e.key.slice(toBase.length), e]));
  const folder = new RunFolder(to, runId);
  const rels = source.map((e) => e.key.slice(fromBase.length));
  const last = rels.filter((r) => r === 'run.json');
  const merged = rels.filter((r) => r !== 'run.json' && mergerOf(r));
  const plain = rels.filter((r) => !mergerOf(r));
  let written = 0;

  const sendPlain = async (rel: string) => {
    if (have.has(rel)) return;
    if (await copyKey(from.meta, fromBase + rel, to.meta, runKey(to, runId, rel), opts(signal))) {
      written++;
    }
  };
  const sendMerged = async (rel: string) => {
    const text = await readText(from.meta, fromBase + rel);
    const merge = mergerOf(rel) as Merge;
    if (await folder.mergeFile(rel, (current) => merge(current, text))) written++;
  };
  // Events and other create-only files first, then the shards, then run.json. A stream the
  // target has too is compared by content (`mergeStream`); a new one is copied key by key.
  const streams = groupStreams(plain.filter((r) => r.startsWith('events/')));
  const shared = [...streams].filter(([, keys]) => keys.some((r) => have.has(r)));
  const sharedRels = new Set(shared.flatMap(([, keys]) => keys));
  await mapLimit(
    plain.filter((r) => !sharedRels.has(r)),
    FILE_CONCURRENCY,
    sendPlain,
  );
  for (const [file, keys] of shared) {
    const targetKeys = [...have.keys()].filter((r) => streamOf(r) === file);
    written += await mergeStream(from, to, folder, runId, file, keys, targetKeys);
  }
  await mapLimit(merged, FILE_CONCURRENCY, sendMerged);
  for (const rel of last) await sendMerged(rel);
  return written;
}

/** Events keys (relative to the run folder) by the stream they belong to, base first. */
function groupStreams(rels: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const rel of [...rels].sort()) {
    const file = streamOf(rel);
    if (file === undefined) continue;
    const list = out.get(file);
    if (list) list.push(rel);
    else out.set(file, [rel]);
  }
  return out;
}

/** `events/metric/loss.plx.000002` → `metric/loss.plx`; undefined for what is no events object. */
function streamOf(rel: string): string | undefined {
  if (!rel.startsWith('events/')) return undefined;
  const file = rel.slice('events/'.length).replace(SEGMENT_RE, '.plx');
  return file.endsWith('.plx') ? file : undefined;
}

/**
 * A stream both stores have: each side may have appended on its own, so a segment number names
 * different rows on each side. The rows of every source object (a base without its header line)
 * that no target object holds are sent: under the same key when the target has it free, else
 * as a new segment. Resolves to the number of objects written.
 */
async function mergeStream(
  from: Store,
  to: Store,
  folder: RunFolder,
  runId: string,
  file: string,
  sourceKeys: readonly string[],
  targetKeys: readonly string[],
): Promise<number> {
  const held = new Set(
    await Promise.all(targetKeys.map((rel) => rowsMd5(to, runKey(to, runId, rel), isBase(rel)))),
  );
  const taken = new Set(targetKeys);
  let written = 0;
  for (const rel of sourceKeys) {
    const fromKey = runKey(from, runId, rel);
    if (held.has(await rowsMd5(from, fromKey, isBase(rel)))) continue;
    if (!taken.has(rel) && (await copyKey(from.meta, fromKey, to.meta, runKey(to, runId, rel)))) {
      written++;
      continue;
    }
    const text = await readText(from.meta, fromKey);
    await folder.appendEvents(
      file,
      '',
      isBase(rel) ? text.slice(Math.max(0, text.indexOf('\n'))) : text,
    );
    written++;
  }
  return written;
}

function isBase(rel: string): boolean {
  return rel.endsWith('.plx');
}

/** The md5 of an events object's rows: a base file's bytes after its header line. */
async function rowsMd5(store: Store, key: string, base: boolean): Promise<string> {
  const hash = createHash('md5');
  const { body } = await store.meta.read(key);
  let skipping = base;
  for await (const chunk of body) {
    let bytes = chunk as Buffer;
    if (skipping) {
      const nl = bytes.indexOf(10);
      if (nl < 0) continue;
      bytes = bytes.subarray(nl);
      skipping = false;
    }
    hash.update(bytes);
  }
  return hash.digest('hex');
}

function opts(signal: AbortSignal | undefined) {
  return signal ? { signal } : {};
}
