import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trove, troveJson } from './helpers.js';

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), 'trove-safety-'));
  expect(trove(['init'], { cwd: dir }).code).toBe(0);
  return dir;
}

const objectPath = (cwd: string, md5: string) =>
  join(cwd, '.trove', 'files', 'md5', md5.slice(0, 2), md5.slice(2));

describe('checkouts never alias the store and never clobber', () => {
  it('trove get over an existing file is refused (exit 8) and the file keeps its bytes', () => {
    const cwd = project();
    writeFileSync(join(cwd, 'a.txt'), 'artifact bytes');
    expect(trove(['add', 'a.txt'], { cwd }).code).toBe(0);
    writeFileSync(join(cwd, 'mine.txt'), 'my own precious bytes');
    const r = trove(['get', 'a', '-o', 'mine.txt'], { cwd });
    expect(r.code).toBe(8);
    expect(r.stderr).toContain('[CONFLICT]');
    expect(readFileSync(join(cwd, 'mine.txt'), 'utf8')).toBe('my own precious bytes');
    const forced = trove(['get', 'a', '-o', 'mine.txt', '--force'], { cwd });
    expect(forced.code).toBe(0);
    expect(readFileSync(join(cwd, 'mine.txt'), 'utf8')).toBe('artifact bytes');
  });

  it('a directory checkout never merges into a folder; forced, the folder becomes the artifact', () => {
    const cwd = project();
    mkdirSync(join(cwd, 'data', 'sub'), { recursive: true });
    writeFileSync(join(cwd, 'data', 'x.csv'), 'x');
    writeFileSync(join(cwd, 'data', 'sub', 'y.csv'), 'y');
    expect(trove(['add', 'data'], { cwd }).code).toBe(0);
    mkdirSync(join(cwd, 'mydir'));
    writeFileSync(join(cwd, 'mydir', 'stale.csv'), 'stale');
    expect(trove(['get', 'data', '-o', 'mydir'], { cwd }).code).toBe(8);
    expect(readdirSync(join(cwd, 'mydir'))).toEqual(['stale.csv']);
    expect(trove(['get', 'data', '-o', 'mydir', '--force'], { cwd }).code).toBe(0);
    expect(readdirSync(join(cwd, 'mydir')).sort()).toEqual(['sub', 'x.csv']);
    expect(readFileSync(join(cwd, 'mydir', 'sub', 'y.csv'), 'utf8')).toBe('y');
  });

  it('by default a checkout is a copy: writing into it (even as root) leaves the stored object intact', () => {
    const cwd = project();
    writeFileSync(join(cwd, 'model.pt'), 'v1 weights');
    const added = troveJson<{ artifact: { md5: string } }>(['add', 'model.pt'], { cwd });
    expect(trove(['get', 'model', '-o', 'got.pt'], { cwd }).code).toBe(0);
    const object = objectPath(cwd, added.artifact.md5);
    expect(statSync(join(cwd, 'got.pt')).ino).not.toBe(statSync(object).ino);
    writeFileSync(join(cwd, 'got.pt'), 'overwritten by cp new.pt got.pt');
    expect(readFileSync(object, 'utf8')).toBe('v1 weights');
    expect(trove(['verify'], { cwd }).code).toBe(0);
    // Asked for, a hard link shares the object's inode (the README says what that means).
    expect(trove(['get', 'model', '-o', 'linked.pt', '--link', 'hardlink'], { cwd }).code).toBe(0);
    expect(statSync(join(cwd, 'linked.pt')).ino).toBe(statSync(object).ino);
    expect(trove(['get', 'model', '-o', 'x.pt', '--link', 'bogus'], { cwd }).code).toBe(4);
  });

  it('a damaged object is CORRUPT (exit 6) and nothing is left at the destination', () => {
    const cwd = project();
    writeFileSync(join(cwd, 'a.txt'), 'good bytes');
    const added = troveJson<{ artifact: { md5: string } }>(['add', 'a.txt'], { cwd });
    const object = objectPath(cwd, added.artifact.md5);
    chmodSync(object, 0o644);
    writeFileSync(object, 'bad bytes!');
    const r = trove(['get', 'a', '-o', 'out.txt'], { cwd });
    expect(r.code).toBe(6);
    expect(r.stderr).toContain('[CORRUPT]');
    expect(readdirSync(cwd).filter((n) => n.startsWith('out') || n.includes('trove-'))).toEqual([]);
  });
});
