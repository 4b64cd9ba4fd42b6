import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { snapshotTree, tempDir } from '@trove/test-utils';
import { beforeEach, describe, expect, it } from 'vitest';
import { trove, troveJson } from './helpers.js';

let cwd: string;
let uri: string;
beforeEach(() => {
  cwd = tempDir();
  expect(trove(['init'], { cwd }).code).toBe(0);
  writeFileSync(join(cwd, 'model.onnx'), 'weights');
  const added = troveJson<{ run: string; artifact: { path: string } }>(
    ['add', 'model.onnx', '--type', 'model'],
    { cwd },
  );
  uri = `runs:/${added.run}/${added.artifact.path}`;
});

interface Version {
  name: string;
  version: number;
  source: string;
  aliases: string[];
  md5: string;
}

describe('trove models', () => {
  it('registers versions, sets and removes aliases, lists and shows; models:/ URIs work in get', () => {
    expect(troveJson<Version>(['models', 'register', uri, 'clf'], { cwd })).toMatchObject({
      name: 'clf',
      version: 1,
      source: uri,
    });
    expect(troveJson<Version>(['models', 'register', uri, 'clf'], { cwd }).version).toBe(2);
    expect(troveJson<Version>(['models', 'alias', 'clf', 'champion', '1'], { cwd })).toMatchObject({
      version: 1,
      aliases: ['champion'],
    });
    const list = troveJson<Array<{ name: string; latestVersion: number; aliases: object }>>(
      ['models', 'ls'],
      { cwd },
    );
    expect(list).toEqual([
      expect.objectContaining({
        name: 'clf',
        latestVersion: 2,
        versionCount: 2,
        aliases: { champion: 1 },
      }),
    ]);
    const shown = troveJson<{ versions: Version[] }>(['models', 'show', 'clf'], { cwd });
    expect(shown.versions.map((v) => [v.version, v.aliases])).toEqual([
      [2, []],
      [1, ['champion']],
    ]);
    const text = trove(['models', 'ls'], { cwd });
    expect(text.stdout).toMatch(/^NAME\s+LATEST\s+VERSIONS\s+ALIASES/);
    expect(text.stdout).toContain('champion→1');

    const got = troveJson<Array<{ path: string; md5: string }>>(
      ['get', 'models:/clf@champion', '-o', 'fetched.onnx'],
      { cwd },
    );
    expect(got[0]?.md5).toBe(shown.versions[1]?.md5);
    expect(readFileSync(join(cwd, 'fetched.onnx'), 'utf8')).toBe('weights');

    expect(troveJson(['models', 'unalias', 'clf', 'champion'], { cwd })).toEqual({
      name: 'clf',
      alias: 'champion',
      deleted: true,
    });
    const missing = trove(['get', 'models:/clf@champion', '--json'], { cwd });
    expect(missing.code).toBe(3);
    expect(JSON.parse(missing.stdout).error.code).toBe('NOT_FOUND');
  });

  it('refuses bad input with a stable code and leaves the registry unchanged', () => {
    troveJson(['models', 'register', uri, 'clf'], { cwd });
    const cases: [string[], number, string][] = [
      [['models', 'register', uri, 'bad name'], 4, 'INVALID_NAME'],
      [['models', 'register', 'runs:/0123456789abcdef0123456789abcdef/x', 'clf'], 3, 'NOT_FOUND'],
      [['models', 'alias', 'clf', 'prod', '5'], 3, 'NOT_FOUND'],
      [['models', 'alias', 'clf', 'latest', '1'], 4, 'INVALID_NAME'],
      [['models', 'unalias', 'clf', 'prod'], 3, 'NOT_FOUND'],
      [['models', 'show', 'nope'], 3, 'NOT_FOUND'],
    ];
    for (const [args, exit, code] of cases) {
      const before = snapshotTree(cwd);
      const r = trove([...args, '--json'], { cwd });
      expect([args.join(' '), r.code]).toEqual([args.join(' '), exit]);
      expect(JSON.parse(r.stdout).error.code).toBe(code);
      expect(snapshotTree(cwd)).toEqual(before);
    }
  });
});
