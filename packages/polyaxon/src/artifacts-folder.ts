/**
 * The run's local folder, Polyaxon's artifacts path: `outputs/`, `assets/<kind>/`, `events/<kind>/`
 * (and `resources/`) as the client lays them out. Files are copied in (the user's own are never
 * moved or changed); what the user saves under `outputs/` is found again at the end of the run.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { TroveError } from '@trove/core';

/** `source` copied to `target` (file or directory), replacing what is there; nothing if they are one. */
export function placeCopy(source: string, target: string): void {
  if (samePath(source, target)) return;
  mkdirSync(dirname(target), { recursive: true });
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now()}.tmp`);
  try {
    cpSync(source, tmp, { recursive: true, dereference: true, preserveTimestamps: true });
    rmSync(target, { recursive: true, force: true });
    renameSync(tmp, target);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw new TroveError('UNAVAILABLE', `Could not copy ${source} to ${target}.`, {
      cause: err,
      key: target,
    });
  }
}

function samePath(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

/**
 * What under `outputs/` is not yet recorded: a file or folder is taken whole unless something
 * inside it was logged on its own, then its entries are looked at one by one. Empty folders are
 * left out (there is nothing to store). Paths are `/`-separated, relative to the run folder.
 */
export function unrecordedOutputs(folder: string, recorded: ReadonlySet<string>): string[] {
  const found: string[] = [];
  const visit = (rel: string): void => {
    for (const entry of readdirSync(join(folder, rel), { withFileTypes: true })) {
      const path = `${rel}/${entry.name}`;
      if (recorded.has(path)) continue;
      const isDir =
        entry.isDirectory() || (entry.isSymbolicLink() && isDirectory(join(folder, path)));
      if (!isDir) {
        if (entry.isFile() || entry.isSymbolicLink()) found.push(path);
        continue;
      }
      const inside = [...recorded].some((r) => r.startsWith(`${path}/`));
      if (inside) visit(path);
      else if (hasFiles(join(folder, path))) found.push(path);
    }
  };
  if (existsSync(join(folder, 'outputs'))) visit('outputs');
  return found.sort();
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function hasFiles(dir: string): boolean {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) return true;
    if (hasFiles(join(dir, entry.name))) return true;
  }
  return false;
}
