/**
 * Issue 18's catalog of bad input at the command line: each case gets one TroveError with a
 * stable code, an exit code in the README's class, `{"error": {"code"…}}` under `--json`, no stack
 * trace, nothing written in or around the project, and nothing left in TMPDIR (a fresh folder per
 * case). Library-level cases live beside the code they belong to (core, live, mlflow, polyaxon).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { snapshotTree } from '@trove/test-utils';
import { describe, expect, it } from 'vitest';
import { TROVE_BIN, trove, troveJson } from './helpers.js';

interface Case {
  name: string;
  /** Prepares the project (before the snapshot); returns the arguments of the bad command. */
  setup: (cwd: string, parent: string) => string[];
  exit: number;
  code: string;
  /** Run from a folder that is removed just before trove starts. */
  goneCwd?: boolean;
}

/** `a: [x×9]`, each next level nine aliases of the one before: 9^7 nodes from 7 lines. */
const ALIAS_BOMB = ['x', 'a', 'b', 'c', 'd', 'e', 'f']
  .map((prev, i) => {
    const name = String.fromCharCode(97 + i);
    const item = i === 0 ? '"x"' : `*${prev}`;
    return `${name}: &${name} [${Array(9).fill(item).join(',')}]`;
  })
  .join('\n');

const CASES: Case[] = [
  {
    name: 'artifacts.json of the wrong shape (was a `toFixed` trace)',
    setup: (cwd) => {
      writeFileSync(join(cwd, 'a.txt'), 'a');
      const { run } = troveJson<{ run: string }>(['add', 'a.txt'], { cwd });
      writeFileSync(
        join(cwd, '.trove', 'runs', run, 'artifacts.json'),
        '{"outputs/a.txt": {"path": "outputs/a.txt", "size": "big"}}\n',
      );
      return ['runs', 'show', run];
    },
    exit: 6,
    code: 'CORRUPT',
  },
  {
    name: 'a dangling symlink in a folder (was NOT_FOUND)',
    setup: (cwd) => {
      mkdirSync(join(cwd, 'data'));
      writeFileSync(join(cwd, 'data', 'f.csv'), 'x');
      symlinkSync(join(cwd, 'nowhere'), join(cwd, 'data', 'link'));
      return ['add', 'data'];
    },
    exit: 4,
    code: 'INVALID_ARTIFACT',
  },
  {
    name: '--step 1 --rel-path x (was silently ignoring --rel-path)',
    setup: (cwd) => {
      writeFileSync(join(cwd, 'a.txt'), 'a');
      return ['add', 'a.txt', '--step', '1', '--rel-path', 'x'];
    },
    exit: 4,
    code: 'INVALID_ARGUMENT',
  },
  {
    name: '--copy with ./trove a file (was an ENOTDIR trace)',
    setup: (cwd) => {
      writeFileSync(join(cwd, 'a.txt'), 'a');
      writeFileSync(join(cwd, 'trove'), 'mine');
      return ['add', 'a.txt', '--copy'];
    },
    exit: 4,
    code: 'INVALID_PATH',
  },
  {
    name: '`trove --json add` without a path (printed no JSON)',
    setup: () => ['add'],
    exit: 2,
    code: 'USAGE',
  },
  {
    name: '`trove --json lss`, an unknown command (printed no JSON)',
    setup: () => ['--json', 'lss'],
    exit: 2,
    code: 'USAGE',
  },
  {
    name: 'an unknown option under --json (printed no JSON)',
    setup: (cwd) => {
      writeFileSync(join(cwd, 'a.txt'), 'a');
      return ['add', 'a.txt', '--bogus'];
    },
    exit: 2,
    code: 'USAGE',
  },
  {
    name: 'a current folder that was removed (was a raw uv_cwd error)',
    setup: () => ['ls'],
    exit: 3,
    code: 'NOT_FOUND',
    goneCwd: true,
  },
  {
    name: '-C with a folder that does not exist (listed nothing, exit 0)',
    setup: (_cwd, parent) => ['-C', join(parent, 'missing'), 'ls'],
    exit: 3,
    code: 'NOT_FOUND',
  },
  {
    name: 'a backend package that throws on import (was a trace)',
    setup: (cwd) => {
      writeFileSync(join(cwd, 'broken.mjs'), 'throw new Error("boom at import");\n');
      writeFileSync(
        join(cwd, 'trove.yaml'),
        'store: mine\nstores:\n  mine:\n    type: mine\n    package: ./broken.mjs\n',
      );
      return ['ls'];
    },
    exit: 5,
    code: 'INVALID_CONFIG',
  },
  {
    name: 'a YAML alias bomb in trove.yaml (was a trace)',
    setup: (cwd) => {
      writeFileSync(join(cwd, 'trove.yaml'), `${ALIAS_BOMB}\n`);
      return ['ls'];
    },
    exit: 5,
    code: 'INVALID_CONFIG',
  },
  {
    name: '`trove ui --port 99999` (a port no socket can have)',
    setup: () => ['ui', '--port', '99999'],
    exit: 4,
    code: 'INVALID_ARGUMENT',
  },
  {
    name: '`trove ui --host` with a space in it (not a host to listen on)',
    setup: () => ['ui', '--host', 'my host'],
    exit: 4,
    code: 'INVALID_ARGUMENT',
  },
  {
    name: 'a line break in a path with --dvc (ended up in .gitignore)',
    setup: (cwd) => {
      writeFileSync(join(cwd, 'a\nb.txt'), 'x');
      return ['add', 'a\nb.txt', '--dvc'];
    },
    exit: 4,
    code: 'INVALID_PATH',
  },
  {
    name: 'a line break in --rel-path (was accepted)',
    setup: (cwd) => {
      writeFileSync(join(cwd, 'a.txt'), 'a');
      return ['add', 'a.txt', '--rel-path', 'x\ny'];
    },
    exit: 4,
    code: 'INVALID_PATH',
  },
  ...[
    [
      'an S3 endpoint that is not a URL (was INTERNAL from the SDK)',
      '{ type: s3, bucket: b, endpoint: "localhost:9000" }',
    ],
    [
      'a local store path that is a file (was ALREADY_EXISTS on a staging key)',
      '{ type: local, path: afile }',
    ],
    [
      'a local store path under /proc (was 100% CPU for ever: mkdir -p loops on ENOENT there)',
      '{ type: local, path: /proc/trove-store }',
    ],
  ].map(([name, store]) => ({
    name: name as string,
    setup: (cwd: string) => {
      writeFileSync(join(cwd, 'a.txt'), 'a');
      writeFileSync(join(cwd, 'afile'), 'mine');
      writeFileSync(join(cwd, 'trove.yaml'), `store: s\nstores:\n  s: ${store}\n`);
      return ['add', 'a.txt'];
    },
    exit: 5,
    code: 'INVALID_CONFIG',
  })),
  ...[
    ['a tab', '\t'],
    ['an escape character', '\u001b'],
  ].map(([what, c]) => ({
    name: `${what} in --rel-path (was accepted)`,
    setup: (cwd: string) => {
      writeFileSync(join(cwd, 'a.txt'), 'a');
      return ['add', 'a.txt', '--rel-path', `x${c}y`];
    },
    exit: 4,
    code: 'INVALID_PATH',
  })),
  {
    name: 'trove add /proc/self/status (stored the empty object)',
    setup: () => ['add', '/proc/self/status'],
    exit: 4,
    code: 'INVALID_PATH',
  },
  // Issue 23: aliases, the lineage graph, retention and hooks.
  {
    name: 'trove alias set with the reserved alias latest',
    setup: () => ['alias', 'set', 'model', 'latest'],
    exit: 4,
    code: 'INVALID_NAME',
  },
  {
    name: 'trove alias set of a version that is no count',
    setup: () => ['alias', 'set', 'model', 'best', 'v0'],
    exit: 4,
    code: 'INVALID_ARGUMENT',
  },
  {
    name: 'trove lineage --format png',
    setup: () => ['lineage', 'model', '--format', 'png'],
    exit: 4,
    code: 'INVALID_ARGUMENT',
  },
  {
    name: 'trove gc --policy with a retention policy that keeps nothing',
    setup: (cwd) => {
      writeFileSync(join(cwd, 'trove.yaml'), 'retention:\n  - match: { type: checkpoint }\n');
      return ['gc', '--policy', '--dry-run'];
    },
    exit: 5,
    code: 'INVALID_CONFIG',
  },
  {
    name: 'a hook for an event trove does not have',
    setup: (cwd) => {
      writeFileSync(join(cwd, 'trove.yaml'), 'on:\n  deploy: ./deploy.sh\n');
      return ['alias', 'ls'];
    },
    exit: 5,
    code: 'INVALID_CONFIG',
  },
];

/** A project inside a parent folder (the folder around it is checked too), and a fresh TMPDIR. */
function sandbox(): { parent: string; cwd: string; tmp: string } {
  const parent = mkdtempSync(join(tmpdir(), 'trove-catalog-'));
  const cwd = join(parent, 'proj');
  mkdirSync(cwd);
  expect(trove(['init'], { cwd }).code).toBe(0);
  const tmp = join(parent, 'tmp');
  mkdirSync(tmp);
  return { parent, cwd, tmp };
}

function run(c: Case, cwd: string, args: string[], env: NodeJS.ProcessEnv) {
  if (!c.goneCwd) return trove([...args, '--json'], { cwd, env });
  const gone = join(cwd, 'gone');
  mkdirSync(gone);
  const r = spawnSync(
    'bash',
    [
      '-c',
      'cd "$0" && rmdir "$0" && exec "$@"',
      gone,
      process.execPath,
      TROVE_BIN,
      ...args,
      '--json',
    ],
    { cwd, encoding: 'utf8', env: { ...process.env, CI: '1', ...env } },
  );
  return { code: r.status ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

describe('bad input at the command line: one clear error, nothing written', () => {
  for (const c of CASES) {
    it(`${c.name}: ${c.code}, exit ${c.exit}`, () => {
      const { parent, cwd, tmp } = sandbox();
      const args = c.setup(cwd, parent);
      const before = snapshotTree(parent);
      const r = run(c, cwd, args, { TMPDIR: tmp });
      expect(r.code, r.stderr).toBe(c.exit);
      expect(JSON.parse(r.stdout)).toMatchObject({ error: { code: c.code } });
      // Commander prints usage errors itself ("error: …" and the usage); trove's own are one line.
      const first = r.stderr.split('\n').find(Boolean) ?? '';
      expect(first).toMatch(
        c.code === 'USAGE' ? /^error: / : new RegExp(`^trove: error \\[${c.code}\\]`),
      );
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stderr).not.toContain('unexpected error');
      const after = snapshotTree(parent);
      if (c.goneCwd) delete after['proj/gone']; // made and removed by the case itself
      expect(after).toEqual(before);
      expect(readdirSync(tmp)).toEqual([]);
    });
  }
});
