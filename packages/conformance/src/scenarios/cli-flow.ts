/**
 * The CLI flow on a store (the foundation issue's): `trove init`, `add` of a file and a
 * directory, `runs ls`, `runs show`, `ls`, `get`, `lineage` and `verify`, with `trove.yaml`
 * naming the store; everything lands under the prefix in DVC's layout. A store that does not
 * exist is one clear error with a non-zero exit code.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StorageBackend } from '@trove/core/backend';
import { expect, it } from 'vitest';

export interface CliFlowOptions {
  /** The `trove` program's entry (a built `bin.js`), run with this Node. */
  bin: string;
  /** The environment of `trove` (credentials; never in trove.yaml). */
  env(): NodeJS.ProcessEnv;
  /** The store line for `trove.yaml` (`{ type: s3, bucket: …, prefix: trove }`), on a fresh bucket. */
  store(): Promise<string>;
  /** A backend on that store's bucket or container (without the prefix), to list what landed. */
  create(): StorageBackend;
  /** A store line naming a bucket or container that does not exist, and its name. */
  missing(): { store: string; name: string };
}

/** Two tests: the flow, and a missing bucket as a clear error. */
export function itRunsTheCliFlow(name: string, o: CliFlowOptions): void {
  const trove = (args: string[], cwd: string) => {
    const env = { ...process.env, CI: '1', ...o.env() };
    const r = spawnSync(process.execPath, [o.bin, ...args], { cwd, encoding: 'utf8', env });
    return { code: r.status ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
  };
  const json = <T>(args: string[], cwd: string): T => {
    const r = trove([...args, '--json'], cwd);
    if (r.code !== 0) throw new Error(`trove ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  };
  const project = (store: string): string => {
    const cwd = mkdtempSync(join(tmpdir(), 'trove-cli-flow-'));
    expect(trove(['init'], cwd).code).toBe(0);
    writeFileSync(join(cwd, 'trove.yaml'), `store: team\nstores:\n  team: ${store}\n`);
    return cwd;
  };

  it(`${name}: init, add a file and a directory, runs ls, runs show, ls, get, lineage and verify`, async () => {
    const cwd = project(await o.store());
    writeFileSync(join(cwd, 'model.pt'), 'weights');
    mkdirSync(join(cwd, 'data/sub'), { recursive: true });
    writeFileSync(join(cwd, 'data/a.txt'), 'a');
    writeFileSync(join(cwd, 'data/sub/b.txt'), 'bb');
    type Added = { run: string; artifact: Record<string, unknown> };
    const model = json<Added>(['add', 'model.pt', '--type', 'model', '--name', 'mymodel'], cwd);
    expect(model.artifact).toMatchObject({ md5: '63f4f1e9b725370f459720575cd5f953', size: 7 });
    const data = json<Added>(['add', 'data', '--type', 'dataset'], cwd);
    expect(data.artifact).toMatchObject({ md5: '93c05f516d12266421a528e946068785.dir', nfiles: 2 });

    const runs = json<Array<{ id: string; status: string }>>(['runs', 'ls'], cwd);
    expect(runs.map((r) => r.id).sort()).toEqual([model.run, data.run].sort());
    expect(runs.every((r) => r.status === 'completed')).toBe(true);
    const shown = json<{ run: { id: string }; artifacts: unknown[] }>(
      ['runs', 'show', model.run.slice(0, 10)],
      cwd,
    );
    expect(shown.run.id).toBe(model.run);
    expect(shown.artifacts).toHaveLength(1);
    const listed = json<Array<{ path: string }>>(['ls'], cwd);
    expect(listed.map((a) => a.path).sort()).toEqual(['outputs/data', 'outputs/model.pt']);

    expect(trove(['get', 'mymodel', '-o', join(cwd, 'got/model.pt')], cwd).code).toBe(0);
    expect(readFileSync(join(cwd, 'got/model.pt'), 'utf8')).toBe('weights');
    const dir = join(cwd, 'got/data');
    expect(trove(['get', `runs:/${data.run}/outputs/data`, '-o', dir], cwd).code).toBe(0);
    expect(readFileSync(join(cwd, 'got/data/a.txt'), 'utf8')).toBe('a');
    expect(readFileSync(join(cwd, 'got/data/sub/b.txt'), 'utf8')).toBe('bb');

    const lineage = json<Array<{ run: string; isInput: boolean }>>(['lineage', 'mymodel'], cwd);
    expect(lineage).toEqual([expect.objectContaining({ run: model.run, isInput: false })]);
    const verified = json<{ objects: number; problems: unknown[] }>(['verify'], cwd);
    expect(verified.problems).toEqual([]);
    // The file, the two directory files, the .dir manifest.
    expect(verified.objects).toBeGreaterThanOrEqual(4);

    // Everything is in the bucket under the prefix, in DVC's layout; nothing went to .trove/.
    const backend = o.create();
    const keys: string[] = [];
    for await (const entry of backend.list('')) keys.push(entry.key);
    await backend.close?.();
    expect(keys).toContain('trove/files/md5/63/f4f1e9b725370f459720575cd5f953');
    expect(keys).toContain('trove/files/md5/93/c05f516d12266421a528e946068785.dir');
    expect(keys).toContain(`trove/runs/${model.run}/run.json`);
    expect(keys.every((k) => k.startsWith('trove/'))).toBe(true);
  });

  it(`${name}: a store that does not exist is a clear error with a non-zero exit code`, () => {
    const { store, name: missing } = o.missing();
    const cwd = mkdtempSync(join(tmpdir(), 'trove-cli-missing-'));
    writeFileSync(join(cwd, 'trove.yaml'), `store: team\nstores:\n  team: ${store}\n`);
    writeFileSync(join(cwd, 'f.txt'), 'f');
    const r = trove(['add', 'f.txt'], cwd);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(missing);
  });
}
