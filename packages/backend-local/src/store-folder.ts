import { statfsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { TroveError } from '@trove/core/backend';
import { KIND } from './context.js';

/**
 * Kernel file systems (statfs `f_type`) that cannot hold a store. Creating a folder in one
 * fails with ENOENT although its parent is there, which sends Node's `mkdir -p` into an endless
 * loop (100% CPU, no error): the store folder is checked before anything is written.
 */
const KERNEL_FILE_SYSTEMS = new Map<number, string>([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
]);

/**
 * Refuses a store folder that cannot be one: a file (or a path through a file), or a place on a
 * kernel file system such as /proc. `code` and `what` say how the folder was given (an option
 * in trove.yaml, a program's argument). A folder that is missing is fine: the first write makes
 * it. Whatever cannot be looked at (permissions) is left to the first write to report.
 */
export function checkStoreFolder(
  root: string,
  code: 'INVALID_CONFIG' | 'INVALID_ARGUMENT',
  what: string,
): void {
  for (let at = root; ; at = dirname(at)) {
    let isDir: boolean;
    try {
      isDir = statSync(at).isDirectory();
    } catch (err) {
      const missing = ['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '');
      if (missing && dirname(at) !== at) continue;
      return;
    }
    if (!isDir) {
      const where = at === root ? 'is a file' : `cannot be made: ${at} is a file`;
      throw new TroveError(code, `${what} ${root} ${where}; a store needs a folder.`, {
        backend: KIND,
        hint: 'Name a folder that is missing (trove makes it) or one that holds a store.',
      });
    }
    let type: number | undefined;
    try {
      type = statfsSync(at).type;
    } catch {
      return;
    }
    const fs = KERNEL_FILE_SYSTEMS.get(type);
    if (fs !== undefined) {
      throw new TroveError(code, `${what} ${root} is on ${fs}, a kernel file system.`, {
        backend: KIND,
        hint: 'A store needs a folder on a disk (or tmpfs); name one there.',
      });
    }
    return;
  }
}
