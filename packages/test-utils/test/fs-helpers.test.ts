import { chmodSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { removeTempDirs, snapshotTree, tempDir } from '../src/index.js';

describe('tempDir', () => {
  let fromBeforeAll: string;
  let fromBeforeEach: string;
  let fromTest: string;
  const seen: string[] = [];
  beforeAll(() => {
    fromBeforeAll = tempDir();
  });
  beforeEach(() => {
    fromBeforeEach = tempDir();
    seen.push(fromBeforeEach);
  });
  afterAll(() => {
    removeTempDirs();
    expect(existsSync(fromBeforeAll)).toBe(false);
  });

  it('makes a fresh empty folder for each call', () => {
    fromTest = tempDir('trove-probe-');
    expect(fromTest).toMatch(/trove-probe-/);
    expect(fromTest).not.toBe(fromBeforeEach);
    expect(snapshotTree(fromTest)).toEqual({});
  });

  it('removes a folder made in a test or a beforeEach after that test, keeps one from beforeAll', () => {
    expect(existsSync(fromTest)).toBe(false);
    expect(existsSync(seen[0] as string)).toBe(false);
    expect(existsSync(fromBeforeEach)).toBe(true);
    expect(existsSync(fromBeforeAll)).toBe(true);
  });
});

describe('snapshotTree', () => {
  it('lists every path with type, size, md5 and mode, sorted; links are not followed', () => {
    const root = tempDir();
    mkdirSync(join(root, 'b/c'), { recursive: true });
    writeFileSync(join(root, 'b/c/f.txt'), 'hello');
    writeFileSync(join(root, 'a.bin'), '');
    chmodSync(join(root, 'a.bin'), 0o600);
    chmodSync(join(root, 'b'), 0o750);
    symlinkSync('b/c/f.txt', join(root, 'link'));
    expect(snapshotTree(root)).toEqual({
      'a.bin': { type: 'file', size: 0, md5: 'd41d8cd98f00b204e9800998ecf8427e', mode: '0600' },
      b: { type: 'dir', mode: '0750' },
      'b/c': { type: 'dir', mode: expect.stringMatching(/^0[0-7]{3}$/) },
      'b/c/f.txt': {
        type: 'file',
        size: 5,
        md5: '5d41402abc4b2a76b9719d911017c592',
        mode: expect.stringMatching(/^0[0-7]{3}$/),
      },
      link: { type: 'link', target: 'b/c/f.txt' },
    });
    expect(Object.keys(snapshotTree(root, ['b']))).toEqual(['a.bin', 'link']);
  });

  it('sees a change of content, mode or a new file', () => {
    const root = tempDir();
    writeFileSync(join(root, 'f'), 'x');
    const before = snapshotTree(root);
    writeFileSync(join(root, 'f'), 'y');
    expect(snapshotTree(root)).not.toEqual(before);
    writeFileSync(join(root, 'f'), 'x');
    expect(snapshotTree(root)).toEqual(before);
    chmodSync(join(root, 'f'), 0o400);
    expect(snapshotTree(root)).not.toEqual(before);
  });
});
