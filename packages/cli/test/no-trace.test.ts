import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { snapshotTree } from '@trove/test-utils';
import { describe, expect, it } from 'vitest';
import { TROVE_BIN, trove, troveJson } from './helpers.js';

/** A project inside a parent folder, so "the folder around the project" can be checked too. */
function project(): { parent: string; cwd: string } {
  const parent = mkdtempSync(join(tmpdir(), 'trove-notrace-'));
  const cwd = join(parent, 'proj');
  mkdirSync(cwd);
  expect(trove(['init'], { cwd }).code).toBe(0);
  return { parent, cwd };
}

function expectRejected(
  where: { parent: string; cwd: string },
  args: string[],
  exit: number,
  code: string,
  unprivileged = false,
): void {
  const before = snapshotTree(where.parent);
  const r = trove([...args, '--json'], { cwd: where.cwd, unprivileged });
  expect(r.code, r.stderr).toBe(exit);
  expect(JSON.parse(r.stdout).error.code).toBe(code);
  expect(r.stderr.split('\n').filter(Boolean)[0]).toMatch(
    new RegExp(`^trove: error \\[${code}\\]`),
  );
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(snapshotTree(where.parent)).toEqual(before);
}

describe('input is checked before the first write', () => {
  for (const path of ['.', '', '.trove', '.trove/.gitignore']) {
    it(`trove add ${JSON.stringify(path)}: the project or its store is refused (INVALID_PATH)`, () => {
      const p = project();
      writeFileSync(join(p.cwd, 'x.txt'), 'x');
      expectRejected(p, ['add', path], 4, 'INVALID_PATH');
    });
  }

  it('a 300-character name with --step leaves no ghost run, records or dvc.yaml entry', () => {
    const p = project();
    writeFileSync(join(p.cwd, 'model.pt'), 'w');
    expectRejected(
      p,
      ['add', 'model.pt', '--step', '1', '--name', 'n'.repeat(300)],
      4,
      'INVALID_NAME',
    );
    expect(troveJson<unknown[]>(['runs', 'ls'], { cwd: p.cwd })).toEqual([]);
  });

  it('an unwritable pointer folder fails before anything is stored, in one line', () => {
    const p = project();
    mkdirSync(join(p.cwd, 'ro'));
    writeFileSync(join(p.cwd, 'ro', 'model.pt'), 'w');
    chmodSync(join(p.cwd, 'ro'), 0o555);
    expectRejected(p, ['add', 'ro/model.pt', '--dvc'], 7, 'PERMISSION_DENIED', true);
  });

  it('a path outside the project is stored and recorded, but no pointer is written outside', () => {
    const p = project();
    writeFileSync(join(p.parent, 'outside.csv'), 'data');
    const added = troveJson<{ artifact: { md5: string; dvcFile?: string } }>(
      ['add', '../outside.csv', '--dvc'],
      { cwd: p.cwd },
    );
    expect(added.artifact.md5).toBe('8d777f385d3dfec8815d20f7496026dc');
    expect(added.artifact.dvcFile).toBeUndefined();
    expect(readdirSync(p.parent).sort()).toEqual(['outside.csv', 'proj']);
  });
});

describe('no litter', () => {
  it('logging from a folder that is not a DVC repository leaves no .dvc or .gitignore there', () => {
    const p = project();
    const data = mkdtempSync(join(tmpdir(), 'trove-pipeline-tmp-'));
    writeFileSync(join(data, 'features.parquet'), 'columns');
    expect(trove(['add', join(data, 'features.parquet')], { cwd: p.cwd }).code).toBe(0);
    expect(readdirSync(data)).toEqual(['features.parquet']);
    writeFileSync(join(p.cwd, 'model.pt'), 'w');
    expect(trove(['add', 'model.pt'], { cwd: p.cwd }).code).toBe(0);
    expect(existsSync(join(p.cwd, 'model.pt.dvc'))).toBe(false);
    expect(readFileSync(join(p.cwd, '.gitignore'), 'utf8')).toBe('/.trove/\n');
  });

  it('inside a DVC pipeline (DVC_ROOT set), an output of a stage gets no pointer', () => {
    const p = project();
    execFileSync('git', ['init', '-q'], { cwd: p.cwd });
    execFileSync('dvc', ['init', '-q'], { cwd: p.cwd });
    writeFileSync(
      join(p.cwd, 'dvc.yaml'),
      'stages:\n  train:\n    cmd: python train.py\n    outs:\n    - model.pt\n    - plots:\n        cache: false\n',
    );
    writeFileSync(join(p.cwd, 'model.pt'), 'w');
    writeFileSync(join(p.cwd, 'other.pt'), 'o');
    const env = { DVC_ROOT: p.cwd };
    expect(trove(['add', 'model.pt'], { cwd: p.cwd, env }).code).toBe(0);
    expect(trove(['add', 'other.pt'], { cwd: p.cwd, env }).code).toBe(0);
    expect(existsSync(join(p.cwd, 'model.pt.dvc'))).toBe(false);
    expect(existsSync(join(p.cwd, 'other.pt.dvc'))).toBe(true);
  });
});

describe('damaged records', () => {
  it('are CORRUPT errors naming the file (exit 6); listings skip the run with a warning', () => {
    const p = project();
    writeFileSync(join(p.cwd, 'a.txt'), 'a');
    writeFileSync(join(p.cwd, 'b.txt'), 'b');
    const bad = troveJson<{ run: string }>(['add', 'a.txt'], { cwd: p.cwd }).run;
    const good = troveJson<{ run: string }>(['add', 'b.txt'], { cwd: p.cwd }).run;
    const runDir = join(p.cwd, '.trove', 'runs', bad);
    const readers: Record<string, string[][]> = {
      'run.json': [['runs', 'ls']],
      'artifacts.json': [['runs', 'ls'], ['ls']],
      'lineage.jsonl': [['lineage', 'b']],
    };
    for (const [file, text] of [
      ['run.json', '{"id": '],
      ['artifacts.json', '[1, 2'],
      ['lineage.jsonl', 'not json\n'],
    ]) {
      const path = join(runDir, file as string);
      const original = readFileSync(path);
      chmodSync(dirname(path), 0o755);
      writeFileSync(path, text as string);
      const show = trove(['runs', 'show', bad], { cwd: p.cwd });
      expect(show.code, file).toBe(6);
      expect(show.stderr).toContain('[CORRUPT]');
      expect(show.stderr).toContain(file);
      expect(show.stderr).not.toMatch(/\n\s+at /);
      // Listings read the tables, which hold what the run's writer committed; rebuilding them
      // from the run folders finds the damage, says so, and leaves that run out.
      const rebuilt = trove(['index', '--rebuild', '--json'], { cwd: p.cwd });
      expect(rebuilt.code, rebuilt.stderr).toBe(0);
      expect(rebuilt.stderr).toContain(`skipping run ${bad}`);
      expect(JSON.parse(rebuilt.stdout)).toMatchObject({ skipped: [bad] });
      for (const args of readers[file as string] ?? []) {
        const r = trove([...args, '--json'], { cwd: p.cwd });
        expect(r.code, `${args.join(' ')} with a damaged ${file}`).toBe(0);
        expect(r.stdout).toContain(good);
        expect(r.stdout).not.toContain(bad);
      }
      expect(trove(['verify'], { cwd: p.cwd }).code).toBe(6);
      writeFileSync(path, original);
    }
    expect(trove(['verify'], { cwd: p.cwd }).code).toBe(0);
    // Mended, the run is back in the tables with the next rebuild.
    expect(
      troveJson<{ skipped: string[] }>(['index', '--rebuild'], { cwd: p.cwd }).skipped,
    ).toEqual([]);
    expect(trove(['runs', 'ls', '--json'], { cwd: p.cwd }).stdout).toContain(bad);
  });
});

describe('a closed pipe', () => {
  it('ends every listing quietly when its reader goes away (`trove ls --json | head -1`)', () => {
    const { cwd } = project();
    writeFileSync(join(cwd, 'a.txt'), 'a');
    for (let i = 0; i < 3; i++) {
      expect(trove(['add', 'a.txt', '--name', `a${i}`], { cwd }).code).toBe(0);
    }
    for (const args of [
      ['ls', '--json'],
      ['runs', 'ls', '--json'],
      ['runs', 'ls'],
    ]) {
      // The reader closes its end before trove writes: the write fails with EPIPE.
      const r = spawnSync(
        'bash',
        [
          '-c',
          `"$0" "$@" | (exec 0<&-; true); exit "\${PIPESTATUS[0]}"`,
          process.execPath,
          TROVE_BIN,
          ...args,
        ],
        { cwd, encoding: 'utf8' },
      );
      expect(r.stderr, args.join(' ')).toBe('');
      expect(r.status, args.join(' ')).toBe(0);
    }
  });
});
