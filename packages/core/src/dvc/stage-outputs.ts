import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { parse } from 'yaml';

/**
 * True when `path` is (or is inside) an output of a stage in a `dvc.yaml` between the path's
 * folder and the DVC repository root: DVC tracks those itself, so `dvc add`-style pointers for
 * them would make the next `dvc repro` fail ("output is specified in: train, model.pt.dvc").
 * DVCLive skips them the same way when it runs inside a pipeline.
 */
export function isStageOutput(dvcRoot: string, path: string): boolean {
  const target = resolve(path);
  for (let dir = dirname(target); ; dir = dirname(dir)) {
    const file = join(dir, 'dvc.yaml');
    if (existsSync(file) && stageOutputs(file).some((out) => isWithin(out, target))) return true;
    if (dir === dvcRoot || dirname(dir) === dir || !isWithin(dvcRoot, dir)) return false;
  }
}

/** Absolute paths of every `outs`, `metrics` and `plots` entry of the stages in a dvc.yaml. */
function stageOutputs(file: string): string[] {
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch {
    return []; // DVC itself reports a broken dvc.yaml; this only decides about pointers
  }
  const stages = (doc as { stages?: unknown } | null)?.stages;
  if (typeof stages !== 'object' || stages === null) return [];
  const out: string[] = [];
  for (const stage of Object.values(stages as Record<string, unknown>)) {
    if (typeof stage !== 'object' || stage === null) continue;
    const s = stage as Record<string, unknown>;
    const wdir = resolve(dirname(file), typeof s.wdir === 'string' ? s.wdir : '.');
    for (const field of ['outs', 'metrics', 'plots']) {
      const list = s[field];
      if (!Array.isArray(list)) continue;
      for (const entry of list) {
        const p =
          typeof entry === 'string'
            ? entry
            : typeof entry === 'object' && entry !== null
              ? Object.keys(entry)[0]
              : undefined;
        if (p) out.push(resolve(wdir, p));
      }
    }
  }
  return out;
}

/** `inner` is `outer` or below it. */
export function isWithin(outer: string, inner: string): boolean {
  return inner === outer || inner.startsWith(outer.endsWith(sep) ? outer : outer + sep);
}
