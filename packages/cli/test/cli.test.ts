import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { snapshotTree, tempDir } from '@trove/test-utils';
import { beforeEach, describe, expect, it } from 'vitest';
import { TROVE_BIN, trove, troveJson } from './helpers.js';

let cwd: string;
beforeEach(() => {
  cwd = tempDir();
  expect(trove(['init'], { cwd }).code).toBe(0);
});

describe('trove init', () => {
  it('creates trove.yaml, the local store and a .gitignore entry, once', () => {
    expect(readFileSync(join(cwd, 'trove.yaml'), 'utf8')).toContain('store: default');
    expect(existsSync(join(cwd, '.trove'))).toBe(true);
    expect(readFileSync(join(cwd, '.gitignore'), 'utf8')).toBe('/.trove/\n');
    const again = troveJson<{ created: string[] }>(['init'], { cwd });
    expect(again.created).toEqual([]);
  });
});

describe('trove add / ls / runs / get / lineage / verify', () => {
  it('logs a file with metadata and finds it everywhere', () => {
    writeFileSync(join(cwd, 'model.pt'), 'weights');
    const added = troveJson<{ run: string; artifact: Record<string, unknown> }>(
      [
        'add',
        'model.pt',
        '--dvc',
        '--type',
        'model',
        '--name',
        'mymodel',
        '--desc',
        'Fine-tuned',
        '--label',
        'resnet',
        '--label',
        'imagenet',
        '--meta',
        'epochs=10',
        '--meta',
        'arch=resnet50',
      ],
      { cwd },
    );
    expect(added.artifact).toMatchObject({
      path: 'outputs/model.pt',
      name: 'mymodel',
      type: 'model',
      md5: '63f4f1e9b725370f459720575cd5f953',
      size: 7,
      labels: ['resnet', 'imagenet'],
      meta: { epochs: 10, arch: 'resnet50' },
    });
    expect(readFileSync(join(cwd, 'model.pt.dvc'), 'utf8')).toBe(
      'outs:\n- md5: 63f4f1e9b725370f459720575cd5f953\n  size: 7\n  hash: md5\n  path: model.pt\n',
    );
    expect(readFileSync(join(cwd, '.gitignore'), 'utf8')).toBe('/.trove/\n/model.pt\n');
    expect(readFileSync(join(cwd, 'dvc.yaml'), 'utf8')).toBe(
      'artifacts:\n  mymodel:\n    path: model.pt\n    type: model\n    desc: Fine-tuned\n    labels:\n    - resnet\n    - imagenet\n    meta:\n      epochs: 10\n      arch: resnet50\n',
    );
    // The object is in the store, read-only, under DVC's layout.
    const object = join(cwd, '.trove/files/md5/63/f4f1e9b725370f459720575cd5f953');
    expect(readFileSync(object, 'utf8')).toBe('weights');

    const runs = troveJson<Array<{ id: string; status: string; artifacts: number }>>(
      ['runs', 'ls'],
      { cwd },
    );
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ id: added.run, status: 'completed', artifacts: 1 });
    const shown = troveJson<{ run: { id: string }; artifacts: unknown[]; lineage: unknown[] }>(
      ['runs', 'show', added.run.slice(0, 10)],
      { cwd },
    );
    expect(shown.run.id).toBe(added.run);
    expect(shown.lineage).toHaveLength(1);

    const listed = troveJson<Array<{ run: string; path: string }>>(['ls', '--type', 'model'], {
      cwd,
    });
    expect(listed.map((a) => [a.run, a.path])).toEqual([[added.run, 'outputs/model.pt']]);
    expect(troveJson<unknown[]>(['ls', '--type', 'dataset'], { cwd })).toEqual([]);

    for (const ref of [
      'mymodel',
      `runs:/${added.run}/outputs/model.pt`,
      `${added.run}/outputs/model.pt`,
      '63f4f1e9b725370f459720575cd5f953',
    ]) {
      const out = join(cwd, 'got', ref.replace(/[:/]/g, '_'));
      expect(trove(['get', ref, '-o', out], { cwd }).code).toBe(0);
      expect(readFileSync(out, 'utf8')).toBe('weights');
    }
    // A whole run, in its logical layout.
    expect(trove(['get', added.run, '-o', 'whole'], { cwd }).code).toBe(0);
    expect(readFileSync(join(cwd, 'whole/outputs/model.pt'), 'utf8')).toBe('weights');

    const lineage = troveJson<Array<{ run: string; isInput: boolean }>>(['lineage', 'mymodel'], {
      cwd,
    });
    expect(lineage).toEqual([expect.objectContaining({ run: added.run, isInput: false })]);

    const verified = troveJson<{ objects: number; problems: unknown[] }>(['verify'], { cwd });
    expect(verified).toMatchObject({ objects: 1, problems: [] });
  });

  it('logs a directory, versioned steps, metadata-only and copied artifacts into one run', () => {
    mkdirSync(join(cwd, 'data/sub'), { recursive: true });
    writeFileSync(join(cwd, 'data/a.txt'), 'a');
    writeFileSync(join(cwd, 'data/sub/b.txt'), 'bb');
    const first = troveJson<{ run: string; artifact: Record<string, unknown> }>(
      ['add', 'data', '--dvc'],
      { cwd },
    );
    expect(first.artifact).toMatchObject({
      md5: '93c05f516d12266421a528e946068785.dir',
      size: 3,
      nfiles: 2,
      isdir: true,
    });
    expect(readFileSync(join(cwd, 'data.dvc'), 'utf8')).toBe(
      'outs:\n- md5: 93c05f516d12266421a528e946068785.dir\n  size: 3\n  nfiles: 2\n  hash: md5\n  path: data\n',
    );
    writeFileSync(join(cwd, 'ckpt.tar.gz'), 'c');
    const step = troveJson<{ artifact: { path: string } }>(
      [
        'add',
        'ckpt.tar.gz',
        '--run',
        first.run,
        '--name',
        'ckpt',
        '--type',
        'model',
        '--step',
        '3',
      ],
      { cwd },
    );
    expect(step.artifact.path).toBe('assets/model/ckpt_3.tar.gz');
    const meta = troveJson<{ artifact: { cached: boolean } }>(
      ['add', 'ckpt.tar.gz', '--run', first.run, '--no-cache', '--rel-path', 'meta'],
      { cwd },
    );
    expect(meta.artifact.cached).toBe(false);
    const copied = troveJson<{ artifact: { source: string } }>(
      ['add', 'data', '--run', first.run, '--copy', '--rel-path', 'copies'],
      { cwd },
    );
    expect(copied.artifact.source).toBe('trove/artifacts/data');
    expect(readFileSync(join(cwd, 'trove/artifacts/data/sub/b.txt'), 'utf8')).toBe('bb');

    const listed = troveJson<Array<{ path: string }>>(['ls', '--run', first.run], { cwd });
    expect(listed.map((a) => a.path).sort()).toEqual([
      'assets/model/ckpt_3.tar.gz',
      'outputs/copies/data',
      'outputs/data',
      'outputs/meta/ckpt.tar.gz',
    ]);
    expect(troveJson<unknown[]>(['runs', 'ls'], { cwd })).toHaveLength(1);
    const events = readFileSync(
      join(cwd, `.trove/runs/${first.run}/events/model/ckpt.plx`),
      'utf8',
    );
    expect(events).toMatch(
      // The time as Polyaxon's client writes it (Python's str(datetime) of a UTC time).
      /^step\|timestamp\|model\n3\|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?\+00:00\|\{"path":"assets\/model\/ckpt_3.tar.gz"\}$/,
    );

    const got = join(cwd, 'restored');
    expect(trove(['get', 'data', '-o', got], { cwd }).code).toBe(0);
    expect(readFileSync(join(got, 'sub/b.txt'), 'utf8')).toBe('bb');
    expect(troveJson<{ problems: unknown[] }>(['verify'], { cwd }).problems).toEqual([]);
  });

  it('verify reports a damaged object with exit code 6', () => {
    writeFileSync(join(cwd, 'x.bin'), 'original');
    const { artifact } = troveJson<{ artifact: { md5: string } }>(['add', 'x.bin'], { cwd });
    const object = join(cwd, '.trove/files/md5', artifact.md5.slice(0, 2), artifact.md5.slice(2));
    chmodSync(object, 0o644);
    writeFileSync(object, 'tampered');
    const r = trove(['verify', '--json'], { cwd });
    expect(r.code).toBe(6);
    expect(JSON.parse(r.stdout).problems).toEqual([
      expect.objectContaining({ md5: artifact.md5, problem: 'corrupt' }),
    ]);
  });

  it('re-logging an unchanged file writes nothing new to the store', () => {
    writeFileSync(join(cwd, 'm.bin'), 'm');
    troveJson(['add', 'm.bin'], { cwd });
    const objects = snapshotTree(join(cwd, '.trove/files'));
    troveJson(['add', 'm.bin'], { cwd });
    expect(snapshotTree(join(cwd, '.trove/files'))).toEqual(objects);
    expect(troveJson<unknown[]>(['runs', 'ls'], { cwd })).toHaveLength(2);
  });

  it('shows a progress bar on a terminal', () => {
    writeFileSync(join(cwd, 'big.bin'), Buffer.alloc(200 << 20, 7));
    // `script` gives the command a pseudo-terminal; CI is unset so the bar may show.
    const r = spawnSync(
      'script',
      [
        '-qec',
        `${JSON.stringify(process.execPath)} ${JSON.stringify(TROVE_BIN)} add big.bin`,
        '/dev/null',
      ],
      {
        cwd,
        encoding: 'utf8',
        env: { ...process.env, CI: '' },
      },
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/storing \[[█░]+\] \d+% \| \d\/1 files \| \d+\/200 MiB/);
    expect(r.stdout).toContain('big.bin → outputs/big.bin');
  });

  it('shows no progress bar when output is piped', () => {
    writeFileSync(join(cwd, 'big.bin'), Buffer.alloc(80 << 20, 7));
    const r = trove(['add', 'big.bin', '--dvc'], { cwd, env: { CI: '' } });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(
      /^big\.bin → outputs\/big\.bin \([0-9a-f]{32}, 80 MiB\) in run [0-9a-f]{32}\nwrote big\.bin\.dvc\n$/,
    );
  });
});

describe('bad input: one clear error, a stable exit code, nothing changed', () => {
  function expectRejected(
    args: string[],
    exit: number,
    code: string,
    setup?: () => void,
    env?: NodeJS.ProcessEnv,
    unprivileged?: boolean,
  ) {
    setup?.();
    const before = snapshotTree(cwd);
    const r = trove([...args, '--json'], { cwd, ...(env ? { env } : {}), unprivileged });
    expect(r.code, r.stderr).toBe(exit);
    expect(JSON.parse(r.stdout).error.code).toBe(code);
    expect(r.stderr).toMatch(new RegExp(`^trove: error \\[${code}\\]: .+`));
    expect(snapshotTree(cwd)).toEqual(before);
  }
  const file = () => writeFileSync(join(cwd, 'model.pt'), 'w');

  it('missing path', () => expectRejected(['add', 'missing.pt'], 3, 'NOT_FOUND'));
  it('a FIFO', () =>
    expectRejected(['add', 'fifo'], 4, 'INVALID_ARTIFACT', () =>
      execFileSync('mkfifo', [join(cwd, 'fifo')]),
    ));
  for (const name of ['my.model', '-x', '']) {
    it(`invalid name ${JSON.stringify(name)}`, () =>
      expectRejected(['add', 'model.pt', `--name=${name}`], 4, 'INVALID_NAME', file));
  }
  for (const relPath of ['../x', '/abs']) {
    it(`relPath ${relPath}`, () =>
      expectRejected(['add', 'model.pt', '--rel-path', relPath], 4, 'INVALID_PATH', file));
  }
  for (const step of ['-1', '1.5', 'abc']) {
    it(`step ${step}`, () =>
      expectRejected(['add', 'model.pt', `--step=${step}`], 4, 'INVALID_STEP', file));
  }
  it('a symlink loop inside a directory', () =>
    expectRejected(['add', 'd'], 4, 'INVALID_ARTIFACT', () => {
      mkdirSync(join(cwd, 'd'));
      writeFileSync(join(cwd, 'd/a'), 'a');
      execFileSync('ln', ['-s', 'l2', join(cwd, 'd/l1')]);
      execFileSync('ln', ['-s', 'l1', join(cwd, 'd/l2')]);
    }));
  it('an unreadable file', () => {
    // Root reads anything: the command runs without that power (see unprivileged in helpers).
    expectRejected(
      ['add', 'secret.bin'],
      7,
      'PERMISSION_DENIED',
      () => {
        writeFileSync(join(cwd, 'secret.bin'), 's');
        chmodSync(join(cwd, 'secret.bin'), 0o000);
      },
      undefined,
      true,
    );
  });
  it('an unreadable file among 600 in a directory (stored while hashed): nothing is stored', () => {
    expectRejected(
      ['add', 'd'],
      7,
      'PERMISSION_DENIED',
      () => {
        for (let i = 0; i < 600; i++) {
          mkdirSync(join(cwd, 'd', `s${i % 6}`), { recursive: true });
          writeFileSync(join(cwd, 'd', `s${i % 6}`, `f${i}`), `file ${i}`);
        }
        chmodSync(join(cwd, 'd', 's5', 'f599'), 0o000);
      },
      undefined,
      true,
    );
  });
  it('trove.yaml that is not valid YAML', () =>
    expectRejected(['add', 'model.pt'], 5, 'INVALID_CONFIG', () => {
      file();
      writeFileSync(join(cwd, 'trove.yaml'), 'store: team\nstores:\n  team: {type: s3\n');
    }));
  it('an unknown store type', () =>
    expectRejected(['add', 'model.pt'], 5, 'INVALID_CONFIG', () => {
      file();
      writeFileSync(join(cwd, 'trove.yaml'), 'store: team\nstores:\n  team:\n    type: ftp\n');
    }));
  it('a backend package that is not installed', () =>
    expectRejected(['add', 'model.pt'], 5, 'BACKEND_NOT_INSTALLED', () => {
      file();
      writeFileSync(
        join(cwd, 'trove.yaml'),
        "store: team\nstores:\n  team:\n    type: acme\n    package: '@acme/trove-backend-missing'\n",
      );
    }));
  it('a backend package installed without a file it imports: a broken install, not a missing one', () =>
    expectRejected(['add', 'model.pt'], 5, 'INVALID_CONFIG', () => {
      file();
      const pkg = join(cwd, 'node_modules/@acme/trove-backend-broken');
      mkdirSync(pkg, { recursive: true });
      writeFileSync(
        join(pkg, 'package.json'),
        '{"name":"@acme/trove-backend-broken","type":"module","main":"index.js"}',
      );
      writeFileSync(join(pkg, 'index.js'), "export { default } from './gone.js';\n");
      writeFileSync(
        join(cwd, 'trove.yaml'),
        "store: team\nstores:\n  team:\n    type: acme\n    package: '@acme/trove-backend-broken'\n",
      );
    }));
  it('a missing required option', () =>
    expectRejected(['add', 'model.pt'], 5, 'INVALID_CONFIG', () => {
      file();
      writeFileSync(
        join(cwd, 'trove.yaml'),
        'store: shared\nstores:\n  shared:\n    type: local\n',
      );
    }));
  it('an unknown option', () =>
    expectRejected(['add', 'model.pt'], 5, 'INVALID_CONFIG', () => {
      file();
      writeFileSync(
        join(cwd, 'trove.yaml'),
        'store: shared\nstores:\n  shared:\n    type: local\n    path: /tmp/x\n    bucket: nope\n',
      );
    }));
  it('an unknown store name (TROVE_STORE)', () =>
    expectRejected(['add', 'model.pt'], 5, 'UNKNOWN_STORE', file, { TROVE_STORE: 'nope' }));
  it('an unknown store name (--store)', () =>
    expectRejected(['add', 'model.pt', '--store', 'nope'], 5, 'UNKNOWN_STORE', file));
});
