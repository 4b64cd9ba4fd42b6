import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@trove/test-utils';
import { describe, expect, it } from 'vitest';
import { followHash } from './follow-hash.js';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

describe('followHash', () => {
  it('hashes a file written out of order as its prefix grows, on the md5 thread', async () => {
    const dir = tempDir();
    const path = join(dir, 'file');
    const bytes = randomBytes(9 * 1024 * 1024 + 5);
    const third = Math.ceil(bytes.length / 3);
    const fd = openSync(path, 'wx');
    const follow = followHash(path);
    // The last part first: nothing is hashed past the written prefix.
    writeSync(fd, bytes, 2 * third, bytes.length - 2 * third, 2 * third);
    writeSync(fd, bytes, 0, third, 0);
    follow.advance(third);
    writeSync(fd, bytes, third, third, third);
    follow.advance(2 * third);
    closeSync(fd);
    expect(await follow.finish(bytes.length)).toBe(md5(bytes));
  });

  it('follows several files at once, each to its own md5', async () => {
    const dir = tempDir();
    const files = [1, 2, 3].map((n) => ({
      path: join(dir, `f${n}`),
      bytes: randomBytes(n * 5000),
    }));
    const follows = files.map(({ path, bytes }) => {
      const fd = openSync(path, 'wx');
      writeSync(fd, bytes);
      closeSync(fd);
      const follow = followHash(path);
      follow.advance(bytes.length - 1);
      return follow;
    });
    const got = await Promise.all(follows.map((f, i) => f.finish(files[i]?.bytes.length ?? 0)));
    expect(got).toEqual(files.map(({ bytes }) => md5(bytes)));
  });

  it('a stopped follow ends quietly, a file shorter than said is an error, the thread goes on', async () => {
    const dir = tempDir();
    const path = join(dir, 'file');
    const bytes = randomBytes(100);
    const fd = openSync(path, 'wx');
    writeSync(fd, bytes);
    closeSync(fd);
    const stopped = followHash(path);
    stopped.advance(100);
    stopped.stop();
    await expect(followHash(path).finish(200)).rejects.toThrow(/shorter than its written bytes/);
    await expect(followHash(join(dir, 'missing')).finish(1)).rejects.toThrow(/ENOENT/);
    expect(await followHash(path).finish(100)).toBe(md5(bytes));
  });
});
