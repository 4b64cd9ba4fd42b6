import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@trove/test-utils';
import { describe, expect, it } from 'vitest';
import { trove, troveJson } from './helpers.js';

/**
 * Hooks (issue 23): `on:` in trove.yaml names commands the trove process runs after a change,
 * with the event as JSON on stdin and in environment variables. A failing hook leaves the change
 * in place, and the command exits 10 with one line.
 */
function project(on: string): string {
  const cwd = tempDir('trove-hooks-');
  expect(trove(['init'], { cwd }).code).toBe(0);
  writeFileSync(join(cwd, 'trove.yaml'), `on:\n${on}`);
  writeFileSync(join(cwd, 'model.pt'), 'weights');
  return cwd;
}

const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('hooks', () => {
  it('a registration, alias moves and a run end each run their hooks with the event as JSON', () => {
    const cwd = project(
      [
        '  register: "cat >> register.jsonl"',
        '  alias:',
        '    - "cat >> alias.jsonl"',
        `    - 'printf "%s %s %s\\n" "$TROVE_EVENT_TYPE" "$TROVE_NAME" "$TROVE_ALIAS" >> alias-env.txt'`,
        '  run-end: "cat >> run-end.jsonl"',
        '',
      ].join('\n'),
    );
    const added = troveJson<{ run: string; artifact: { path: string; md5: string } }>(
      ['add', 'model.pt', '--name', 'model', '--no-dvc'],
      { cwd },
    );
    expect(lines(join(cwd, 'run-end.jsonl'))).toEqual([
      expect.objectContaining({
        event: 'run-end',
        store: 'default',
        runId: added.run,
        status: 'completed',
      }),
    ]);
    const uri = `runs:/${added.run}/${added.artifact.path}`;
    expect(trove(['models', 'register', uri, 'clf'], { cwd }).code).toBe(0);
    expect(lines(join(cwd, 'register.jsonl'))).toEqual([
      expect.objectContaining({
        event: 'register',
        name: 'clf',
        version: 1,
        source: uri,
        md5: added.artifact.md5,
        runId: added.run,
      }),
    ]);
    expect(trove(['models', 'alias', 'clf', 'champion', '1'], { cwd }).code).toBe(0);
    expect(trove(['alias', 'set', 'model', 'best'], { cwd }).code).toBe(0);
    expect(trove(['alias', 'rm', 'model', 'best'], { cwd }).code).toBe(0);
    expect(lines(join(cwd, 'alias.jsonl'))).toEqual([
      expect.objectContaining({
        event: 'alias',
        kind: 'model',
        action: 'set',
        name: 'clf',
        alias: 'champion',
        version: 1,
        md5: added.artifact.md5,
      }),
      expect.objectContaining({
        event: 'alias',
        kind: 'artifact',
        action: 'set',
        name: 'model',
        alias: 'best',
        version: 1,
        runId: added.run,
        path: added.artifact.path,
        md5: added.artifact.md5,
      }),
      expect.objectContaining({
        event: 'alias',
        kind: 'artifact',
        action: 'remove',
        name: 'model',
        alias: 'best',
        md5: added.artifact.md5,
      }),
    ]);
    expect(readFileSync(join(cwd, 'alias-env.txt'), 'utf8')).toBe(
      'alias clf champion\nalias model best\nalias model best\n',
    );
  });

  it('a failing hook leaves the change in place; the command exits 10 with one line', () => {
    const cwd = project('  alias: "echo from the hook; exit 3"\n');
    expect(trove(['add', 'model.pt', '--name', 'model', '--no-dvc'], { cwd }).code).toBe(0);
    const r = trove(['alias', 'set', 'model', 'prod', '--json'], { cwd });
    expect(r.code).toBe(10);
    // The hook's own output goes to stderr; trove's report is one line of its own.
    expect(r.stderr.split('\n').filter((l) => l.startsWith('trove:'))).toEqual([
      'trove: error [HOOK_FAILED]: the alias hook `echo from the hook; exit 3` exited 3; the change it followed is in place.',
    ]);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'model', alias: 'prod', version: 1 });
    expect(troveJson<Array<{ alias: string }>>(['alias', 'ls', 'model'], { cwd })).toEqual([
      expect.objectContaining({ alias: 'prod', version: 1 }),
    ]);
  });

  it('refuses an unknown event or a hook that is not a command', () => {
    for (const on of ['  deploy: ./x.sh\n', '  alias: []\n', '  alias: 3\n']) {
      const cwd = tempDir('trove-hooks-bad-');
      writeFileSync(join(cwd, 'trove.yaml'), `on:\n${on}`);
      const r = trove(['alias', 'ls'], { cwd });
      expect(r.code, on).toBe(5);
      expect(r.stderr).toMatch(/^trove: error \[INVALID_CONFIG\]: .*trove\.yaml: on/);
    }
  });
});
