import {
  constants,
  copyFileSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { expectTroveError } from '@trove/conformance';
import { tempDir } from '@trove/test-utils';
import { describe, expect, it } from 'vitest';
import { freshBackend, leftovers } from './helpers.js';

/** Whether this filesystem can clone files (btrfs, XFS, APFS: yes; ext4: no). */
function reflinkWorks(): boolean {
  const dir = tempDir();
  writeFileSync(join(dir, 'a'), 'probe');
  try {
    copyFileSync(join(dir, 'a'), join(dir, 'b'), constants.COPYFILE_FICLONE_FORCE);
    return true;
  } catch {
    return false;
  }
}

describe('materialize', () => {
  it('by default uses a reflink where possible, else a hard link sharing the read-only inode', async () => {
    const backend = freshBackend();
    await backend.write('obj', 'shared bytes');
    const dest = join(tempDir(), 'ws', 'file.txt');
    const type = await backend.materialize('obj', dest);
    const store = statSync(join(backend.root, 'obj'));
    const out = statSync(dest);
    expect(readFileSync(dest, 'utf8')).toBe('shared bytes');
    if (reflinkWorks()) {
      expect(type).toBe('reflink');
      expect(out.ino).not.toBe(store.ino);
    } else {
      expect(type).toBe('hardlink');
      expect(out.ino).toBe(store.ino);
      expect(store.nlink).toBe(2);
      expect(out.mode & 0o777).toBe(0o444);
    }
  });

  it('a reflink that the filesystem refuses falls back to a writable copy', async () => {
    const backend = freshBackend();
    await backend.write('obj', 'copy me');
    const dest = join(tempDir(), 'copy.txt');
    const type = await backend.materialize('obj', dest, { linkTypes: ['reflink'] });
    expect(type).toBe(reflinkWorks() ? 'reflink' : 'copy');
    expect(statSync(dest).mode & 0o777).toBe(0o666 & ~process.umask());
    expect(statSync(dest).ino).not.toBe(statSync(join(backend.root, 'obj')).ino);
    writeFileSync(dest, 'edited');
    expect(readFileSync(join(backend.root, 'obj'), 'utf8')).toBe('copy me');
  });

  it('symlink points at the absolute path of the object', async () => {
    const backend = freshBackend();
    await backend.write('dir/obj', 'linked');
    const dest = join(tempDir(), 'link');
    expect(await backend.materialize('dir/obj', dest, { linkTypes: ['symlink'] })).toBe('symlink');
    expect(lstatSync(dest).isSymbolicLink()).toBe(true);
    expect(readlinkSync(dest)).toBe(join(backend.root, 'dir/obj'));
    expect(readFileSync(dest, 'utf8')).toBe('linked');
  });

  it('an empty object is always a fresh empty file', async () => {
    const backend = freshBackend();
    await backend.write('empty', '');
    const dest = join(tempDir(), 'empty');
    expect(await backend.materialize('empty', dest, { linkTypes: ['hardlink'] })).toBe('copy');
    expect(statSync(dest).size).toBe(0);
    expect(statSync(dest).ino).not.toBe(statSync(join(backend.root, 'empty')).ino);
    expect(statSync(join(backend.root, 'empty')).nlink).toBe(1);
  });

  it('replaces the destination atomically and leaves no temp file beside it', async () => {
    const backend = freshBackend();
    await backend.write('v2', 'version two');
    const dir = tempDir();
    const dest = join(dir, 'model.bin');
    writeFileSync(dest, 'version one, which is longer');
    for (const linkTypes of [['hardlink'], ['copy'], ['symlink'], ['reflink']] as const) {
      await backend.materialize('v2', dest, { linkTypes });
      expect(readFileSync(dest, 'utf8')).toBe('version two');
    }
    expect(leftovers(dir)).toEqual([]);
  });

  it('a destination that is a folder is refused and left alone', async () => {
    const backend = freshBackend();
    await backend.write('obj', 'x');
    // The folder inside a parent of its own: the parent is where a temporary file would be left
    // (scanning the shared temp folder instead took minutes on a busy machine).
    const parent = tempDir();
    const dir = join(parent, 'dest');
    mkdirSync(dir);
    writeFileSync(join(dir, 'inside'), 'kept');
    await expectTroveError(
      () => backend.materialize('obj', dir, { linkTypes: ['copy'] }),
      'ALREADY_EXISTS',
    );
    expect(readFileSync(join(dir, 'inside'), 'utf8')).toBe('kept');
    expect(readdirSync(parent)).toEqual(['dest']);
    expect(leftovers(parent)).toEqual([]);
  });
});
