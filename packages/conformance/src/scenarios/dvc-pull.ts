/**
 * Real `dvc pull` from a store trove wrote: a run logs a model (large enough for a multi-request
 * upload) and a directory, the workspace and DVC's cache are deleted, and DVC, with a remote at
 * the store's prefix, restores every file byte for byte. Proves the store is a DVC 3 remote on
 * the backend's service (dvc-s3, dvc-gs, dvc-azure).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store, startRun } from '@trove/core';
import type { StorageBackend } from '@trove/core/backend';
import { expect, it } from 'vitest';
import { md5OfFile, writeTestFile } from './upload-process.js';

export interface DvcPullOptions {
  /** The `dvc` program (with the service's plugin). */
  dvc(): string;
  /** dvc's environment (credentials for the remote; nothing that would mislead it). */
  env(): NodeJS.ProcessEnv;
  /** A backend on a fresh bucket or container, small pieces so the model goes in many requests. */
  create(): Promise<{ backend: StorageBackend; remote: string; configure: string[][] }>;
  /** Bytes of the model file (more than one piece). */
  modelSize: number;
  /** A secret that must stay out of `.dvc/config` (it belongs in the untracked local config). */
  secret?: string;
}

/** One test: `dvc pull` with a remote at the store prefix restores what trove logged. */
export function itDvcPulls(name: string, o: DvcPullOptions): void {
  it(`${name}: dvc pull with a remote at the store prefix restores what trove logged`, async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'trove-dvc-pull-'));
    const dvc = (args: string[]) => {
      const env = { ...o.env(), DVC_NO_ANALYTICS: '1', DVC_IGNORE_UPDATES: '1' };
      const r = spawnSync(o.dvc(), args, { cwd, encoding: 'utf8', env });
      return { code: r.status ?? -1, out: `${r.stdout}\n${r.stderr ?? r.error}` };
    };
    expect(dvc(['init', '--no-scm', '-q']).code).toBe(0);
    const modelMd5 = await writeTestFile(join(cwd, 'model.bin'), o.modelSize, 5);
    mkdirSync(join(cwd, 'data/sub'), { recursive: true });
    const files: Record<string, string> = {
      'data/a.csv': 'x,y\n1,2\n',
      'data/sub/b.txt': 'bee\n',
      'data/sub/café.txt': 'unicode\n',
    };
    for (const [path, text] of Object.entries(files)) writeFileSync(join(cwd, path), text);

    const { backend, remote, configure } = await o.create();
    const store = new Store({ name: 'remote', meta: backend, metaPrefix: 'trove' });
    const run = await startRun({ store, cwd, name: 'dvc-interop' });
    await run.logArtifact('model.bin', { type: 'model' });
    await run.logArtifact('data', { type: 'dataset' });
    await run.end();
    await store.close();
    expect(readFileSync(join(cwd, 'model.bin.dvc'), 'utf8')).toContain(modelMd5);

    rmSync(join(cwd, 'model.bin'));
    rmSync(join(cwd, 'data'), { recursive: true });
    rmSync(join(cwd, '.dvc/cache'), { recursive: true, force: true });
    for (const args of [['remote', 'add', '-d', 'trove', `${remote}/trove`], ...configure]) {
      const r = dvc(args);
      expect(r.code, r.out).toBe(0);
    }
    if (o.secret) expect(readFileSync(join(cwd, '.dvc/config'), 'utf8')).not.toContain(o.secret);
    const pulled = dvc(['pull']);
    expect(pulled.code, pulled.out).toBe(0);
    expect(await md5OfFile(join(cwd, 'model.bin'))).toBe(modelMd5);
    for (const [path, text] of Object.entries(files))
      expect(readFileSync(join(cwd, path), 'utf8')).toBe(text);
  });
}
