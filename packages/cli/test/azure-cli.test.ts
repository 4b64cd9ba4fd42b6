import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AzureBackend } from '@trove/backend-azure';
import { tempDir } from '@trove/test-utils';
// The Azurite starter lives in backend-azure's tests until it moves to @trove/test-utils.
import { type AzuriteServer, createContainer, startAzurite } from '@trove/test-utils/azurite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trove, troveJson } from './helpers.js';

/** The foundation issue's CLI flow, with trove.yaml pointing at an Azure container (Azurite). */
let azurite: AzuriteServer;
let container: string;
let cwd: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  azurite = await startAzurite();
  container = await createContainer(azurite.connectionString, 'cli');
  // Credentials come from the environment, never from trove.yaml.
  env = { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString };
  cwd = tempDir('trove-cli-azure-');
  expect(trove(['init'], { cwd, env }).code).toBe(0);
  writeFileSync(
    join(cwd, 'trove.yaml'),
    `store: team\nstores:\n  team: { type: azure, container: ${container}, prefix: trove }\n`,
  );
});

afterAll(async () => {
  await azurite?.stop();
});

describe('trove CLI on an Azure store', () => {
  it('init, add a file and a directory, runs ls, ls, get, lineage and verify', async () => {
    writeFileSync(join(cwd, 'model.pt'), 'weights');
    mkdirSync(join(cwd, 'data/sub'), { recursive: true });
    writeFileSync(join(cwd, 'data/a.txt'), 'a');
    writeFileSync(join(cwd, 'data/sub/b.txt'), 'bb');

    const model = troveJson<{ run: string; artifact: Record<string, unknown> }>(
      ['add', 'model.pt', '--type', 'model', '--name', 'mymodel'],
      { cwd, env },
    );
    expect(model.artifact).toMatchObject({ md5: '63f4f1e9b725370f459720575cd5f953', size: 7 });
    const data = troveJson<{ run: string; artifact: Record<string, unknown> }>(
      ['add', 'data', '--type', 'dataset'],
      { cwd, env },
    );
    expect(data.artifact).toMatchObject({ md5: '93c05f516d12266421a528e946068785.dir', nfiles: 2 });

    const runs = troveJson<Array<{ id: string; status: string }>>(['runs', 'ls'], { cwd, env });
    expect(runs.map((r) => r.id).sort()).toEqual([model.run, data.run].sort());
    expect(runs.every((r) => r.status === 'completed')).toBe(true);
    const listed = troveJson<Array<{ run: string; path: string }>>(['ls'], { cwd, env });
    expect(listed.map((a) => a.path).sort()).toEqual(['outputs/data', 'outputs/model.pt']);

    expect(trove(['get', 'mymodel', '-o', join(cwd, 'got/model.pt')], { cwd, env }).code).toBe(0);
    expect(readFileSync(join(cwd, 'got/model.pt'), 'utf8')).toBe('weights');
    expect(
      trove(['get', `runs:/${data.run}/outputs/data`, '-o', join(cwd, 'got/data')], { cwd, env })
        .code,
    ).toBe(0);
    expect(readFileSync(join(cwd, 'got/data/a.txt'), 'utf8')).toBe('a');
    expect(readFileSync(join(cwd, 'got/data/sub/b.txt'), 'utf8')).toBe('bb');

    const lineage = troveJson<Array<{ run: string; isInput: boolean }>>(['lineage', 'mymodel'], {
      cwd,
      env,
    });
    expect(lineage).toEqual([expect.objectContaining({ run: model.run, isInput: false })]);
    const verified = troveJson<{ objects: number; problems: unknown[] }>(['verify'], { cwd, env });
    expect(verified.problems).toEqual([]);
    expect(verified.objects).toBeGreaterThanOrEqual(4);

    // Everything is in the container under the prefix, in DVC's layout; nothing went to .trove/.
    const backend = new AzureBackend({ container, connectionString: azurite.connectionString });
    const keys: string[] = [];
    for await (const entry of backend.list('')) keys.push(entry.key);
    await backend.close();
    expect(keys).toContain('trove/files/md5/63/f4f1e9b725370f459720575cd5f953');
    expect(keys).toContain('trove/files/md5/93/c05f516d12266421a528e946068785.dir');
    expect(keys).toContain(`trove/runs/${model.run}/run.json`);
    expect(keys.every((k) => k.startsWith('trove/'))).toBe(true);
  });

  it('a missing container and missing credentials are clear errors with a non-zero exit code', () => {
    const other = tempDir('trove-cli-azure-missing-');
    writeFileSync(
      join(other, 'trove.yaml'),
      'store: team\nstores:\n  team: { type: azure, container: no-such-container }\n',
    );
    writeFileSync(join(other, 'f.txt'), 'f');
    const missing = trove(['add', 'f.txt'], { cwd: other, env });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('no-such-container');

    const bare = tempDir('trove-cli-azure-nocreds-');
    writeFileSync(
      join(bare, 'trove.yaml'),
      'store: team\nstores:\n  team: { type: azure, container: c1c, account: someaccount }\n',
    );
    writeFileSync(join(bare, 'f.txt'), 'f');
    const noCreds = trove(['add', 'f.txt'], {
      cwd: bare,
      env: {
        AZURE_STORAGE_CONNECTION_STRING: '',
        AZURE_STORAGE_SAS_TOKEN: '',
        AZURE_STORAGE_KEY: '',
      },
    });
    expect(noCreds.code).not.toBe(0);
    expect(noCreds.stderr).toContain('@azure/identity');
  });
});
