import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp-dir.js';

/**
 * A temporary project folder with an embedded store (`.trove/`) and, when given, a trove.yaml
 * (e.g. one naming a bucket on an emulator): what the processes of a contention scenario open.
 */
export function troveProject(prefix: string, trove?: string): string {
  const cwd = tempDir(prefix);
  mkdirSync(join(cwd, '.trove'));
  if (trove) writeFileSync(join(cwd, 'trove.yaml'), trove);
  return cwd;
}
