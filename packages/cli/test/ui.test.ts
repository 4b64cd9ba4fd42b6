/**
 * `trove ui` as users run it: it prints the URL (`{url}` under --json), serves the store's runs,
 * and closes cleanly on SIGINT and SIGTERM; `--host` warns; `--open` without an opener says so.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@trove/test-utils';
import { describe, expect, it } from 'vitest';
import { TROVE_BIN, trove, troveJson } from './helpers.js';

interface Served {
  child: ChildProcess;
  url: string;
  stderr: () => string;
  exit: Promise<number | null>;
}

/** Starts `trove ui …` and resolves once it printed its address. */
function serve(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Served> {
  const child = spawn(process.execPath, [TROVE_BIN, 'ui', ...args], {
    cwd,
    env: { ...process.env, CI: '1', ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
      const url = /http:\/\/[^\s"]+/.exec(stdout)?.[0];
      if (url) resolve({ child, url, stderr: () => stderr, exit });
    });
    void exit.then((code) =>
      reject(new Error(`trove ui exited ${code} before serving: ${stderr}`)),
    );
  });
}

function project(): { cwd: string; run: string } {
  const cwd = tempDir('trove-cli-ui-');
  expect(trove(['init'], { cwd }).code).toBe(0);
  writeFileSync(join(cwd, 'a.txt'), 'a');
  const { run } = troveJson<{ run: string }>(['add', 'a.txt'], { cwd });
  return { cwd, run };
}

describe('trove ui', () => {
  it('prints {url} under --json, serves the runs, and exits 0 on SIGTERM', async () => {
    const { cwd, run } = project();
    const served = await serve(['--json'], cwd);
    expect(new URL(served.url).hostname).toBe('127.0.0.1');
    const runs = (await (await fetch(`${served.url}api/runs`)).json()) as {
      total: number;
      rows: { id: string }[];
    };
    expect([runs.total, runs.rows[0]?.id]).toEqual([1, run]);
    served.child.kill('SIGTERM');
    expect(await served.exit).toBe(0);
    expect(served.stderr()).toBe('');
  });

  it('prints the URL for people and exits 0 on SIGINT', async () => {
    const { cwd } = project();
    const served = await serve([], cwd);
    const info = (await (await fetch(`${served.url}api/info`)).json()) as { runs: number };
    expect(info.runs).toBe(1);
    served.child.kill('SIGINT');
    expect(await served.exit).toBe(0);
    await expect(fetch(`${served.url}api/info`)).rejects.toThrow();
  });

  it('warns when told to listen beyond this machine', async () => {
    const { cwd } = project();
    const served = await serve(['--host', '0.0.0.0', '--json'], cwd);
    const port = new URL(served.url).port;
    expect((await fetch(`http://127.0.0.1:${port}/api/info`)).status).toBe(200);
    served.child.kill('SIGTERM');
    expect(await served.exit).toBe(0);
    expect(served.stderr()).toMatch(/^trove: warning: serving on 0\.0\.0\.0: anyone who can reach/);
  });

  it('--open without a system opener says so and keeps serving', async () => {
    const { cwd } = project();
    // a PATH with node's folder only: no xdg-open there
    const served = await serve(['--open'], cwd, { PATH: join(process.execPath, '..') });
    for (let i = 0; i < 100 && !served.stderr().includes('no browser opener'); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(served.stderr()).toContain(
      `trove: no browser opener found (xdg-open); open ${served.url} yourself.`,
    );
    expect((await fetch(`${served.url}api/info`)).status).toBe(200);
    served.child.kill('SIGTERM');
    expect(await served.exit).toBe(0);
  });
});
