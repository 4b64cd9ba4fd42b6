/**
 * DVCLive's `make_dvcyaml` / `update_dvcyaml`: the `params`, `metrics`, `plots` and `artifacts`
 * sections of a dvc.yaml, paths relative to its folder. A new file is written exactly as
 * ruamel writes it; an existing one keeps every entry that is not this Live's, stages and
 * other keys included (entries under `<dir>/` are replaced).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { TroveError } from '@trove/core';
import { dumpYaml, writeFileAtomic } from '@trove/core/dialect';
import { parseDocument } from 'yaml';
import { fromNode } from './py-load.js';

export interface LiveArtifactEntry {
  path: string;
  type?: string;
  desc?: string;
  labels?: string[];
  meta?: Record<string, unknown>;
}

export interface DvcyamlState {
  dvcFile: string;
  dir: string;
  hasParams: boolean;
  hasMetrics: boolean;
  hasImages: boolean;
  /** Custom and sklearn plots, in logging order. */
  plots: ReadonlyArray<{ outputPath: string; config: Record<string, unknown> }>;
  artifacts: Readonly<Record<string, LiveArtifactEntry>>;
}

function relPath(path: string, from: string): string {
  return relative(from, resolve(path)).split(sep).join('/') || '.';
}

/** What this Live contributes to dvc.yaml, in DVCLive's key order. */
function dvcyamlSections(state: DvcyamlState): Record<string, unknown> {
  const base = dirname(resolve(state.dvcFile));
  const out: Record<string, unknown> = {};
  if (state.hasParams) out.params = [relPath(`${state.dir}/params.yaml`, base)];
  if (state.hasMetrics) out.metrics = [relPath(`${state.dir}/metrics.json`, base)];
  const plots: unknown[] = [];
  const metricsDir = `${state.dir}/plots/metrics`;
  if (existsSync(metricsDir)) plots.push({ [relPath(metricsDir, base)]: { x: 'step' } });
  if (state.hasImages) plots.push(relPath(`${state.dir}/plots/images`, base));
  for (const plot of state.plots) plots.push({ [relPath(plot.outputPath, base)]: plot.config });
  if (plots.length > 0) out.plots = plots;
  const names = Object.keys(state.artifacts);
  if (names.length > 0) {
    const artifacts: Record<string, unknown> = {};
    for (const name of names) {
      const a = state.artifacts[name] as LiveArtifactEntry;
      artifacts[name] = structuredClone({ ...a, path: relPath(a.path, base) });
    }
    out.artifacts = artifacts;
  }
  return out;
}

/** What was last written, so an unchanged step does not parse and rewrite the file again. */
export interface DvcyamlMemo {
  key?: string;
  mtimeMs?: number;
  size?: number;
}

/** Writes or updates the dvc.yaml (skipped when neither the sections nor the file changed). */
export function writeDvcyaml(state: DvcyamlState, memo: DvcyamlMemo = {}): void {
  const file = resolve(state.dvcFile);
  const updates = dvcyamlSections(state);
  const key = JSON.stringify(updates);
  const before = statSync(file, { throwIfNoEntry: false });
  if (memo.key === key && before?.mtimeMs === memo.mtimeMs && before?.size === memo.size) return;
  writeSections(file, state, updates);
  const after = statSync(file);
  memo.key = key;
  memo.mtimeMs = after.mtimeMs;
  memo.size = after.size;
}

function writeSections(file: string, state: DvcyamlState, updates: Record<string, unknown>): void {
  if (!existsSync(file)) {
    writeFileAtomic(file, dumpYaml(updates));
    return;
  }
  const old = readFileSync(file, 'utf8');
  const doc = parseDocument(old);
  if (doc.errors.length > 0) {
    throw new TroveError('INVALID_CONFIG', `${file} is not valid YAML: ${doc.errors[0]?.message}`, {
      key: file,
      hint: 'Fix the YAML syntax of dvc.yaml.',
    });
  }
  const plain = (fromNode(doc.contents) ?? {}) as Record<string, unknown>;
  if (typeof plain !== 'object' || Array.isArray(plain)) {
    throw new TroveError('INVALID_CONFIG', `${file} must hold a mapping at the top level.`, {
      key: file,
    });
  }
  const exact = old.trim() === '' || old.trim() === '{}' || dumpYaml(plain) === old;
  const liveDir = `${relative(dirname(file), resolve(state.dir)).split(sep).join('/') || '.'}/`;
  const next = merged(plain, updates, liveDir);
  if (exact) {
    writeFileAtomic(file, dumpYaml(next));
    return;
  }
  // Comments or another style: edit the document in place so what the user wrote stays.
  for (const key of ['params', 'metrics', 'plots', 'artifacts']) {
    if (next[key] === undefined) doc.delete(key);
    else doc.set(key, doc.createNode(next[key]));
  }
  writeFileAtomic(file, doc.toString({ indentSeq: false, lineWidth: 0 }));
}

function merged(
  orig: Record<string, unknown>,
  updates: Record<string, unknown>,
  liveDir: string,
): Record<string, unknown> {
  const out = { ...orig };
  for (const key of ['params', 'metrics', 'plots']) {
    const old = Array.isArray(out[key]) ? (out[key] as unknown[]) : [];
    const kept = old.filter((e) => {
      if (typeof e === 'string') return !e.includes(liveDir);
      if (e !== null && typeof e === 'object' && !Array.isArray(e)) {
        const keys = Object.keys(e);
        if (keys.length === 1) return !(keys[0] as string).includes(liveDir);
      }
      return true;
    });
    const list = [...kept, ...((updates[key] as unknown[] | undefined) ?? [])];
    if (list.length > 0) out[key] = list;
    else delete out[key];
  }
  const oldArtifacts =
    out.artifacts !== null && typeof out.artifacts === 'object'
      ? (out.artifacts as Record<string, unknown>)
      : {};
  const artifacts: Record<string, unknown> = {};
  for (const [name, meta] of Object.entries(oldArtifacts)) {
    const path =
      meta !== null && typeof meta === 'object' ? (meta as { path?: unknown }).path : undefined;
    if (!String(path ?? liveDir).includes(liveDir)) artifacts[name] = meta;
  }
  Object.assign(artifacts, (updates.artifacts as Record<string, unknown> | undefined) ?? {});
  if (Object.keys(artifacts).length > 0) out.artifacts = artifacts;
  else delete out.artifacts;
  return out;
}
