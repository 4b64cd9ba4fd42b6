import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { isMap, isSeq, parseDocument } from 'yaml';
import { writeFileAtomic } from '../fs/atomic-file.js';
import { dumpYaml } from '../py/yaml-emit.js';

/** What `dvc add` records about one output. */
export interface DvcOut {
  md5: string;
  size: number;
  nfiles?: number;
  isexec?: boolean;
}

/**
 * The text `dvc add` writes to a `.dvc` file (DVC 3: `hash: md5` marks the format). `path` is the
 * output's path relative to the `.dvc` file: its basename, for a pointer written beside it.
 */
export function dvcFileText(path: string, out: DvcOut): string {
  return dumpYaml({ outs: [dvcOutEntry(path, out)] });
}

function dvcOutEntry(path: string, out: DvcOut): Record<string, unknown> {
  const entry: Record<string, unknown> = { md5: out.md5, size: out.size };
  if (out.nfiles !== undefined) entry.nfiles = out.nfiles;
  if (out.isexec) entry.isexec = true;
  entry.hash = 'md5';
  entry.path = path;
  return entry;
}

/**
 * Writes `<target>.dvc` as `dvc add` would. An existing pointer for the same path is updated in
 * place, as DVC does: its comments, annotations and other keys are kept, and it is not touched
 * at all when nothing changed. Returns the pointer's path.
 */
export function writeDvcFile(target: string, out: DvcOut): string {
  const file = `${target}.dvc`;
  const fresh = dvcFileText(basename(target), out);
  let text = fresh;
  if (existsSync(file)) {
    const old = readFileSync(file, 'utf8');
    if (old === fresh) return file;
    text = updatedDvcFile(old, target, out) ?? fresh;
    if (text === old) return file;
  }
  writeFileAtomic(file, text);
  return file;
}

/** Applies new hash fields to an existing single-output pointer; `undefined` if it has another shape. */
function updatedDvcFile(old: string, target: string, out: DvcOut): string | undefined {
  const doc = parseDocument(old);
  if (doc.errors.length > 0) return undefined;
  const outs = doc.get('outs');
  if (!isSeq(outs) || outs.items.length !== 1) return undefined;
  const item = outs.items[0];
  if (!isMap(item) || item.get('path') !== basename(target)) return undefined;
  const entry = dvcOutEntry(basename(target), out);
  const plain = doc.toJS() as { outs: Array<Record<string, unknown>> };
  const current = plain.outs[0] ?? {};
  const unchanged = ['md5', 'size', 'nfiles', 'isexec'].every((k) => current[k] === entry[k]);
  // DVC keeps a legacy (2.x, no `hash`) pointer as it is while the data is unchanged.
  if (unchanged) return old;
  for (const key of ['md5', 'size', 'nfiles', 'isexec', 'hash'] as const) {
    if (entry[key] === undefined) item.delete(key);
    else item.set(key, entry[key]);
  }
  const updated = doc.toJS() as unknown;
  // When the old file was exactly what trove or DVC writes, keep writing exactly that.
  if (dumpYaml(plain) === old) return dumpYaml(updated);
  return doc.toString({ indentSeq: false, lineWidth: 0 });
}

/**
 * Adds `/<name>` to the `.gitignore` beside `target`, as `dvc add` does (scmrepo's `Git.ignore`):
 * pattern characters escaped, a newline first if the file does not end with one, nothing if
 * the entry is already there.
 */
export function ignoreInGit(target: string): string {
  const file = join(dirname(target), '.gitignore');
  const entry = `/${escapeGitPattern(basename(target))}`;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  if (current.split(/\r?\n/).includes(entry)) return file;
  const prefix = current.length > 0 && !current.endsWith('\n') ? '\n' : '';
  writeFileAtomic(file, `${current}${prefix}${entry}\n`);
  return file;
}

/**
 * pathspec's GitWildMatchPattern.escape as DVC uses it (pathspec 1.1): a backslash before
 * `[ ] ! * # ? \`. A trailing space is left as it is (what `dvc add` writes today).
 */
function escapeGitPattern(name: string): string {
  return name.replace(/[[\]!*#?\\]/g, (c) => `\\${c}`);
}
