import { cpSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { TroveError } from '../errors.js';

/**
 * DVCLive's `clean_and_copy_into`: `<dir>/<basename>`, replacing what is there. Copied to a
 * temporary name first, so a failed copy leaves the old one in place.
 */
export function copyInto(source: string, dir: string): string {
  const dest = join(dir, basename(source));
  if (dest === source) return dest;
  const tmp = join(dir, `.${basename(source)}.${process.pid}.${Date.now()}.tmp`);
  try {
    cpSync(source, tmp, { recursive: true, dereference: false, preserveTimestamps: true });
    rmSync(dest, { recursive: true, force: true });
    renameSync(tmp, dest);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw new TroveError('UNAVAILABLE', `Could not copy ${source} into ${dirname(dest)}.`, {
      cause: err,
      key: dest,
    });
  }
  return dest;
}
