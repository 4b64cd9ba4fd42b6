/**
 * How a sync merges the record files of a run both stores hold (the same run logged, or resumed,
 * on both sides). Each function is pure, takes the target's text (absent when the target lacks
 * the file) and the source's, and returns the merged text, or `undefined` when the target
 * already holds everything the source has: the run folder applies it by compare-and-swap, so a
 * merge repeated after a lost answer or a kill changes nothing.
 */
import type { ArtifactRecord, LineageRow, RunRecord } from './records.js';

/**
 * `run.json`: every param, summary value and tag of either side is kept. Where both have a key,
 * the record that is further along wins: an ended run over a running one, then the later end.
 * The run is ended when either side ended it.
 */
export function mergeRunJson(target: string | undefined, source: string): string | undefined {
  if (target === undefined) return source;
  const t = JSON.parse(target) as RunRecord;
  const s = JSON.parse(source) as RunRecord;
  const sourceAhead =
    (s.status !== 'running' && t.status === 'running') ||
    (s.status !== 'running' && t.status !== 'running' && (s.endTime ?? '') > (t.endTime ?? ''));
  const next = overlay(t, s, sourceAhead) as unknown as RunRecord;
  next.params = overlay(t.params ?? {}, s.params ?? {}, sourceAhead);
  next.summary = overlay(t.summary ?? {}, s.summary ?? {}, sourceAhead);
  next.tags = overlay(t.tags ?? {}, s.tags ?? {}, sourceAhead) as Record<string, string>;
  return JSON.stringify(next) === JSON.stringify(t)
    ? undefined
    : `${JSON.stringify(next, null, 2)}\n`;
}

/** `base` in its own key order, with the keys only `other` has, and its values too when `wins`. */
function overlay(base: object, other: object, wins: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(other)) if (wins || !(k in out)) out[k] = v;
  return out;
}

/** `artifacts[.<writer>].json`: the union by logical path; the newer entry where both have one. */
export function mergeArtifactsJson(target: string | undefined, source: string): string | undefined {
  if (target === undefined) return source;
  const t = JSON.parse(target) as Record<string, ArtifactRecord>;
  const s = JSON.parse(source) as Record<string, ArtifactRecord>;
  const next = { ...t };
  for (const [path, record] of Object.entries(s)) {
    const have = next[path];
    if (!have || String(record.loggedAt) > String(have.loggedAt)) next[path] = record;
  }
  return JSON.stringify(next) === JSON.stringify(t)
    ? undefined
    : `${JSON.stringify(next, null, 2)}\n`;
}

/** `lineage[.<writer>].jsonl`: the target's rows, then the source's rows it lacks, in time order. */
export function mergeLineageJsonl(target: string | undefined, source: string): string | undefined {
  if (target === undefined) return source;
  const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');
  const have = new Set(lines(target));
  const extra = lines(source).filter((l) => !have.has(l));
  if (extra.length === 0) return undefined;
  const time = (line: string) => String((JSON.parse(line) as LineageRow).timestamp);
  const all = [...lines(target), ...extra].sort((a, b) =>
    time(a) < time(b) ? -1 : time(a) > time(b) ? 1 : 0,
  );
  return `${all.join('\n')}\n`;
}
