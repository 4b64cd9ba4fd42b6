import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@trove/test-utils';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { trove, troveJson } from './helpers.js';

/** Real DVC, with analytics and update checks off: tests talk to nothing but this machine. */
function dvc(args: string[], cwd: string) {
  const r = spawnSync('dvc', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, DVC_NO_ANALYTICS: '1', DVC_IGNORE_UPDATES: '1' },
  });
  return { code: r.status ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

function git(args: string[], cwd: string) {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
}

/** A fresh Git + DVC repository. */
function dvcRepo(): string {
  const dir = tempDir('trove-dvc-');
  git(['init', '-q', '-b', 'main'], dir);
  git(['config', 'user.email', 'test@example.com'], dir);
  git(['config', 'user.name', 'test'], dir);
  const init = dvc(['init', '-q'], dir);
  expect(init.code, init.stderr).toBe(0);
  dvc(['config', 'core.analytics', 'false'], dir);
  return dir;
}

/** The same workspace content in any folder. */
function writeWorkspace(dir: string): void {
  writeFileSync(join(dir, 'model.pt'), 'weights v1\n');
  mkdirSync(join(dir, 'data/sub/deeper'), { recursive: true });
  writeFileSync(join(dir, 'data/a.csv'), 'x,y\n1,2\n');
  writeFileSync(join(dir, 'data/sub/b.bin'), Buffer.from([0, 1, 2, 255]));
  writeFileSync(join(dir, 'data/sub/deeper/café 日本.txt'), 'unicode\n');
  writeFileSync(join(dir, 'data/run.sh'), '#!/bin/sh\n');
  chmodSync(join(dir, 'data/run.sh'), 0o755);
  mkdirSync(join(dir, 'data/empty'));
}

const WORKSPACE_FILES = [
  'model.pt',
  'data/a.csv',
  'data/sub/b.bin',
  'data/sub/deeper/café 日本.txt',
  'data/run.sh',
];

describe('real DVC reads what trove writes', () => {
  beforeAll(() => {
    expect(inject('dvcVersion')).toMatch(/^3\./);
  });

  it('writes .dvc and .gitignore byte-identical to `dvc add`', () => {
    const withTrove = dvcRepo();
    const withDvc = dvcRepo();
    writeWorkspace(withTrove);
    writeWorkspace(withDvc);
    expect(trove(['add', 'model.pt'], { cwd: withTrove }).code).toBe(0);
    expect(trove(['add', 'data'], { cwd: withTrove }).code).toBe(0);
    expect(dvc(['add', '-q', 'model.pt'], withDvc).code).toBe(0);
    expect(dvc(['add', '-q', 'data'], withDvc).code).toBe(0);
    for (const file of ['model.pt.dvc', 'data.dvc', '.gitignore']) {
      expect(readFileSync(join(withTrove, file), 'utf8'), file).toBe(
        readFileSync(join(withDvc, file), 'utf8'),
      );
    }
  });

  it('matches `dvc add` on awkward names, an existing .gitignore and a re-add after a change', () => {
    const names = [
      'sub/we[ir]d #name!.bin',
      'sub/a*b?.txt',
      'café 1.0.bin',
      '123',
      'trail ',
      'back\\slash',
      `${'n'.repeat(90)}.bin`,
      'dir x',
    ];
    const repos = [dvcRepo(), dvcRepo()];
    for (const repo of repos) {
      mkdirSync(join(repo, 'sub'));
      mkdirSync(join(repo, 'dir x'));
      writeFileSync(join(repo, 'dir x/f'), 'f');
      writeFileSync(join(repo, '.gitignore'), 'keep'); // no final newline
      for (const [i, name] of names.entries())
        if (name !== 'dir x') writeFileSync(join(repo, name), `content ${i}`);
      writeFileSync(join(repo, 'model.pt'), 'v1');
    }
    const [withTrove, withDvc] = repos as [string, string];
    for (const name of [...names, 'model.pt']) {
      expect(trove(['add', name], { cwd: withTrove }).code, name).toBe(0);
      expect(dvc(['add', '-q', name], withDvc).code, name).toBe(0);
    }
    writeFileSync(join(withTrove, 'model.pt'), 'v2');
    writeFileSync(join(withDvc, 'model.pt'), 'v2');
    expect(trove(['add', 'model.pt'], { cwd: withTrove }).code).toBe(0);
    expect(dvc(['add', '-q', 'model.pt'], withDvc).code).toBe(0);
    const files = ['.gitignore', 'sub/.gitignore', 'model.pt.dvc', ...names.map((n) => `${n}.dvc`)];
    for (const file of files) {
      expect(readFileSync(join(withTrove, file), 'utf8'), file).toBe(
        readFileSync(join(withDvc, file), 'utf8'),
      );
    }
  });

  it('applies .dvcignore rules to directories like DVC, and refuses one inside the directory', () => {
    const repos = [dvcRepo(), dvcRepo()];
    for (const repo of repos) {
      mkdirSync(join(repo, 'data/sub'), { recursive: true });
      writeFileSync(join(repo, 'data/a'), 'a');
      writeFileSync(join(repo, 'data/c.log'), 'c');
      writeFileSync(join(repo, 'data/sub/b.log'), 'b');
      writeFileSync(join(repo, '.dvcignore'), 'data/*.log\n');
    }
    const [withTrove, withDvc] = repos as [string, string];
    const added = troveJson<{ artifact: { nfiles: number } }>(['add', 'data'], { cwd: withTrove });
    expect(added.artifact.nfiles).toBe(2);
    expect(dvc(['add', '-q', 'data'], withDvc).code).toBe(0);
    expect(readFileSync(join(withTrove, 'data.dvc'), 'utf8')).toBe(
      readFileSync(join(withDvc, 'data.dvc'), 'utf8'),
    );
    expect(dvc(['status'], withTrove).stdout).toContain('Data and pipelines are up to date.');

    mkdirSync(join(withTrove, 'd2'));
    writeFileSync(join(withTrove, 'd2/x'), 'x');
    writeFileSync(join(withTrove, 'd2/.dvcignore'), 'x\n');
    const refused = trove(['add', 'd2', '--json'], { cwd: withTrove });
    expect(refused.code).toBe(4);
    expect(JSON.parse(refused.stdout).error.code).toBe('INVALID_ARTIFACT');
  });

  it('dvc status is clean and dvc checkout restores deleted files byte for byte', () => {
    const repo = dvcRepo();
    writeWorkspace(repo);
    const original = Object.fromEntries(
      WORKSPACE_FILES.map((f) => [f, readFileSync(join(repo, f))]),
    );
    const file = troveJson<{ artifact: { md5: string } }>(['add', 'model.pt', '--type', 'model'], {
      cwd: repo,
    });
    const dir = troveJson<{ artifact: { md5: string } }>(['add', 'data'], { cwd: repo });
    // Objects went to DVC's own cache, read-only as DVC keeps them.
    const object = join(
      repo,
      '.dvc/cache/files/md5',
      file.artifact.md5.slice(0, 2),
      file.artifact.md5.slice(2),
    );
    expect(readFileSync(object, 'utf8')).toBe('weights v1\n');
    const manifest = join(
      repo,
      '.dvc/cache/files/md5',
      dir.artifact.md5.slice(0, 2),
      dir.artifact.md5.slice(2),
    );
    expect(JSON.parse(readFileSync(manifest, 'utf8'))).toHaveLength(4);

    const status = dvc(['status'], repo);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('Data and pipelines are up to date.');

    rmSync(join(repo, 'model.pt'));
    rmSync(join(repo, 'data'), { recursive: true });
    const checkout = dvc(['checkout'], repo);
    expect(checkout.code, checkout.stderr).toBe(0);
    for (const f of WORKSPACE_FILES)
      expect(readFileSync(join(repo, f)).equals(original[f] as Buffer), f).toBe(true);
    expect(dvc(['status'], repo).stdout).toContain('Data and pipelines are up to date.');
  });

  it('honours cache.dir from .dvc/config', () => {
    const repo = dvcRepo();
    expect(dvc(['cache', 'dir', 'shared-cache'], repo).code).toBe(0);
    writeWorkspace(repo);
    const { artifact } = troveJson<{ artifact: { md5: string } }>(['add', 'model.pt'], {
      cwd: repo,
    });
    // `dvc cache dir` stores the path relative to .dvc/ (`../shared-cache`).
    expect(readFileSync(join(repo, '.dvc/config'), 'utf8')).toContain('dir = ../shared-cache');
    const object = join(
      repo,
      'shared-cache/files/md5',
      artifact.md5.slice(0, 2),
      artifact.md5.slice(2),
    );
    expect(readFileSync(object, 'utf8')).toBe('weights v1\n');
    expect(dvc(['status'], repo).stdout).toContain('Data and pipelines are up to date.');
    rmSync(join(repo, 'model.pt'));
    expect(dvc(['checkout'], repo).code).toBe(0);
    expect(readFileSync(join(repo, 'model.pt'), 'utf8')).toBe('weights v1\n');
  });

  it('a DVC remote on the embedded store (.trove) lets `dvc pull` fetch what trove logged', () => {
    // A project that is not a DVC repository: objects go to .trove/files/md5 (DVC 3 remote layout).
    const project = tempDir('trove-plain-');
    expect(trove(['init'], { cwd: project }).code).toBe(0);
    writeWorkspace(project);
    // Not a DVC repository: the pointers are asked for.
    expect(trove(['add', 'model.pt', '--dvc'], { cwd: project }).code).toBe(0);
    expect(trove(['add', 'data', '--dvc'], { cwd: project }).code).toBe(0);

    const consumer = dvcRepo();
    for (const f of ['model.pt.dvc', 'data.dvc']) cpSync(join(project, f), join(consumer, f));
    expect(dvc(['remote', 'add', '-d', 'trove', join(project, '.trove')], consumer).code).toBe(0);
    const pull = dvc(['pull'], consumer);
    expect(pull.code, pull.stderr).toBe(0);
    for (const f of WORKSPACE_FILES) {
      expect(readFileSync(join(consumer, f)).equals(readFileSync(join(project, f))), f).toBe(true);
    }
  });
});
