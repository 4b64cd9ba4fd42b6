import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@trove/test-utils';
import { describe, expect, it } from 'vitest';
import { followHash } from './follow-hash.js';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

describe('followHash', () => {
  it('hashes and copies a file written out of order as its prefix grows', async () => {
    const dir = tempDir();
    const path = join(dir, 'file');
    const copy = join(dir, 'copy');
    const bytes = randomBytes(3 * 1024 * 1024 + 5);
    const third = Math.ceil(bytes.length / 3);
    const fd = openSync(path, 'wx');
    const follow = followHash(path, copy);
    // The last part first: nothing is hashed past the written prefix.
    writeSync(fd, bytes, 2 * third, bytes.length - 2 * third, 2 * third);
    writeSync(fd, bytes, 0, third, 0);
    follow.advance(third);
    writeSync(fd, bytes, third, third, third);
    follow.advance(2 * third);
    closeSync(fd);
    expect(await follow.finish(bytes.length)).toEqual({ md5: md5(bytes), copied: true });
    expect(readFileSync(copy).equals(bytes)).toBe(true);
  });

  it('without a copy, or with one that cannot be made, gives the md5 alone', async () => {
    const dir = tempDir();
    const path = join(dir, 'file');
    const bytes = randomBytes(1000);
    const fd = openSync(path, 'wx');
    writeSync(fd, bytes);
    closeSync(fd);
    expect(await followHash(path).finish(bytes.length)).toEqual({
      md5: md5(bytes),
      copied: false,
    });
    const blocked = join(dir, 'missing', 'copy');
    expect(await followHash(path, blocked).finish(bytes.length)).toEqual({
      md5: md5(bytes),
      copied: false,
    });
    expect(existsSync(blocked)).toBe(false);
  });

  it('stop leaves the copy to the caller, and a file shorter than said is an error', async () => {
    const dir = tempDir();
    const path = join(dir, 'file');
    const fd = openSync(path, 'wx');
    writeSync(fd, randomBytes(100));
    closeSync(fd);
    const stopped = followHash(path, join(dir, 'copy'));
    stopped.advance(100);
    await stopped.stop();
    rmSync(join(dir, 'copy'), { force: true });
    await expect(followHash(path).finish(200)).rejects.toThrow(/shorter/);
  });
});
