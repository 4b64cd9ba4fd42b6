import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '@trove/test-utils';
import { type AzuriteServer, createContainer, startAzurite } from '@trove/test-utils/azurite';
import { createBucket, MOTO_ENV, type MotoServer, startMoto } from '@trove/test-utils/moto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  badEngines,
  CONFORMANCE_TEST_TS,
  MAIN_TS,
  type MainOutput,
  type Ran,
  run,
  TSCONFIG,
  userEnv,
} from './install-app.js';

/**
 * The packages as a user gets them, on each Node line users run: the `pnpm pack` tarball of every
 * published package, installed with the README's commands (`npm install <tarballs>`) into a new
 * project outside the workspace on Node 20, 22 and 24. npm itself runs on that Node, so its
 * engines check is the user's. Then, on that Node: a TypeScript file that uses the public API,
 * type-checked with `tsc --strict` and run; the installed `trove` bin: an add/ls/get round trip
 * on the embedded store, an S3 store (moto) and an Azure store (Azurite), and a report drawn to
 * PNG; and the conformance suite in the vitest npm installs beside it. Node 24 is the test
 * line's; 20 is the machine's or, like 22, a pinned release from the npm registry's `node`
 * package (scripts/node.sh). npm fetches the packages' own dependencies from the registry,
 * preferring its cache; every @trove package comes from a tarball.
 */

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
/** Node 22 and 24 are supported (engines `>=22.12`); 20 is past end of life but must still work. */
const RUNTIMES = [20, 22, 24] as const;
const SUPPORTED = '>=22.12';

interface Published {
  dir: string;
  name: string;
  tarball: string;
}

/** Every package of the workspace that is not private: what users install. */
function publishedPackages(): Published[] {
  return readdirSync(join(REPO, 'packages'))
    .map((dir) => {
      const manifest = JSON.parse(
        readFileSync(join(REPO, 'packages', dir, 'package.json'), 'utf8'),
      );
      const tarball = `${manifest.name.slice(1).replace('/', '-')}-${manifest.version}.tgz`;
      return { dir, name: manifest.name, tarball, private: manifest.private === true };
    })
    .filter((p) => !p.private)
    .map(({ dir, name, tarball }) => ({ dir, name, tarball }));
}

function installedVersion(name: string): string {
  const manifest = join(REPO, 'node_modules', name, 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

const published = publishedPackages();
let root: string;
let tarballs: string;
let moto: MotoServer;
let azurite: AzuriteServer;

beforeAll(async () => {
  root = tempDir('trove-install-');
  tarballs = join(root, 'tarballs');
  mkdirSync(tarballs);
  // README: `(cd packages/$p && pnpm pack --pack-destination /tmp/trove-tgz)`
  for (const p of published) {
    run('pnpm', ['pack', '--pack-destination', tarballs], join(REPO, 'packages', p.dir), userEnv());
  }
  [moto, azurite] = await Promise.all([startMoto(), startAzurite()]);
}, 600_000);

afterAll(async () => {
  await Promise.all([moto?.stop(), azurite?.stop()]);
});

it('pnpm pack makes one tarball per published package, each package among them', () => {
  expect(readdirSync(tarballs).sort()).toEqual(published.map((p) => p.tarball).sort());
  expect(published.map((p) => p.name)).toEqual(
    expect.arrayContaining([
      '@trove/core',
      '@trove/backend-local',
      '@trove/backend-s3',
      '@trove/backend-gcs',
      '@trove/backend-azure',
      '@trove/conformance',
      '@trove/report',
      '@trove/cli',
      '@trove/live',
      '@trove/mlflow',
      '@trove/polyaxon',
      '@trove/object-store',
      '@trove/delta',
    ]),
  );
});

describe.each(RUNTIMES)('the packed packages installed with npm on Node %i', (major) => {
  let env: NodeJS.ProcessEnv;
  let app: string;
  let npmStderr: string;
  let output: MainOutput;
  /** The installed bin, run as npm linked it (`#!/usr/bin/env node`: this runtime). */
  const trove = (args: string[], cwd: string, extra: NodeJS.ProcessEnv = {}): Ran =>
    run(join(app, 'node_modules/.bin/trove'), args, cwd, { ...env, ...extra });
  const troveJson = <T>(args: string[], cwd: string, extra: NodeJS.ProcessEnv = {}): T =>
    JSON.parse(trove([...args, '--json'], cwd, extra).stdout) as T;

  beforeAll(() => {
    const nodeDir = run('bash', [join(REPO, 'scripts/node.sh'), String(major)], REPO, userEnv());
    env = userEnv(nodeDir.stdout.trim());
    app = join(root, `node-${major}`);
    mkdirSync(app);
    run('npm', ['init', '-y'], app, env);
    run('npm', ['pkg', 'set', 'type=module'], app, env);
    const npmFlags = ['--prefer-offline', '--no-audit', '--no-fund'];
    run(
      'npm',
      [
        'install',
        ...npmFlags,
        '--save-dev',
        `typescript@${installedVersion('typescript')}`,
        `@types/node@${major}`,
      ],
      app,
      env,
    );
    // README: `npm install /tmp/trove-tgz/trove-core-0.0.0.tgz …`, all of them in one command
    const files = published.map((p) => join(tarballs, p.tarball));
    npmStderr = run('npm', ['install', ...npmFlags, ...files], app, env).stderr;

    writeFileSync(join(app, 'tsconfig.json'), `${JSON.stringify(TSCONFIG, null, 2)}\n`);
    writeFileSync(join(app, 'main.ts'), MAIN_TS);
    run('node', ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--strict'], app, env);
    const lines = run('node', ['dist/main.js'], app, env).stdout.trim().split('\n');
    output = JSON.parse(lines.at(-1) as string) as MainOutput;
  }, 600_000);

  it(`come from the tarballs, not the registry; npm warns about engines (${SUPPORTED}) only on Node 20`, () => {
    const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string; resolved?: string }>;
    };
    for (const p of published) {
      const entry = lock.packages[`node_modules/${p.name}`];
      expect(entry?.version).toBe('0.0.0');
      expect(entry?.resolved).toBe(`file:../tarballs/${p.tarball}`);
    }
    // One copy of core: what the backends and the CLI import is what the user imports.
    const cores = Object.keys(lock.packages).filter((p) => p.endsWith('node_modules/@trove/core'));
    expect(cores).toEqual(['node_modules/@trove/core']);
    const warned = badEngines(npmStderr);
    // On Node 20 npm picks the dependencies' releases that still declare Node 20 (the @azure/core-*
    // of before 22, vitest 4), so only our own packages warn; the install goes on.
    expect(warned.sort()).toEqual(major < 22 ? published.map((p) => `${p.name}@0.0.0`).sort() : []);
  });

  it('type-check with tsc --strict and run on this Node: a run on the embedded store logs a file', () => {
    expect(output.node).toMatch(new RegExp(`^v${major}\\.`));
    const md5 = createHash('md5').update('weights v1\n').digest('hex');
    expect(existsSync(join(app, '.trove/files/md5', md5.slice(0, 2), md5.slice(2)))).toBe(true);
    expect(output.size).toBe('weights v1\n'.length);
    expect(output.runId).toMatch(/^[0-9a-f]{32}$/);
    const dialects = Object.values(output.dialects);
    expect(output.runIds.sort()).toEqual([output.runId, output.second, ...dialects].sort());
    // @trove/live, @trove/mlflow and @trove/polyaxon: each ran and ended its run on the store.
    expect(output.dialectRuns).toEqual([
      { name: 'live-check', status: 'completed' },
      { name: 'mlflow-check', status: 'completed' },
      { name: 'polyaxon-check', status: 'completed' },
    ]);
    expect(output.code).toBe('UNKNOWN_STORE');
    const record = JSON.parse(
      readFileSync(join(app, `.trove/runs/${output.runId}/run.json`), 'utf8'),
    );
    expect(record).toMatchObject({ id: output.runId, name: 'install-check', status: 'completed' });
  });

  it('the installed `trove` bin runs on this Node and lists the runs', () => {
    expect(run('npx', ['--no-install', 'trove', '--version'], app, env).stdout).toBe('0.0.0\n');
    const listed = JSON.parse(
      run('npx', ['--no-install', 'trove', 'runs', 'ls', '--json'], app, env).stdout,
    ) as { id: string; name: string; artifacts: number }[];
    expect(listed).toHaveLength(5);
    expect(listed).toContainEqual(
      expect.objectContaining({ id: output.runId, name: 'install-check', artifacts: 1 }),
    );
  });

  it('trove add, ls and get round-trip a file on the embedded store', () => {
    writeFileSync(join(app, 'data.csv'), 'a,b\n1,2\n');
    const added = troveJson<{ run: string; artifact: { md5: string; size: number } }>(
      ['add', 'data.csv', '--type', 'dataset'],
      app,
    );
    expect(added.artifact).toMatchObject({ md5: md5Of('a,b\n1,2\n'), size: 8 });
    const listed = troveJson<{ run: string; path: string }[]>(['ls'], app);
    expect(listed).toContainEqual(
      expect.objectContaining({ run: added.run, path: 'outputs/data.csv' }),
    );
    trove(['get', `runs:/${added.run}/outputs/data.csv`, '-o', 'got/data.csv'], app);
    expect(readFileSync(join(app, 'got/data.csv'), 'utf8')).toBe('a,b\n1,2\n');
  });

  it.each(['s3', 'azure'] as const)(
    'trove add, ls and get round-trip a file on a %s store',
    async (type) => {
      const cwd = join(app, `${type}-project`);
      mkdirSync(cwd);
      const { config, credentials } =
        type === 's3'
          ? {
              config: `{ type: s3, bucket: ${await createBucket(moto.url, `install-${major}`)}, endpoint: "${moto.url}", forcePathStyle: true }`,
              credentials: {
                AWS_ACCESS_KEY_ID: MOTO_ENV.AWS_ACCESS_KEY_ID,
                AWS_SECRET_ACCESS_KEY: MOTO_ENV.AWS_SECRET_ACCESS_KEY,
                AWS_REGION: MOTO_ENV.AWS_REGION,
              },
            }
          : {
              config: `{ type: azure, container: ${await createContainer(azurite.connectionString, `install-${major}`)} }`,
              credentials: { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString },
            };
      trove(['init'], cwd);
      writeFileSync(join(cwd, 'trove.yaml'), `store: team\nstores:\n  team: ${config}\n`);
      writeFileSync(join(cwd, 'model.pt'), `weights for Node ${major}`);
      const ran = [
        trove(
          ['add', 'model.pt', '--type', 'model', '--name', 'mymodel', '--json'],
          cwd,
          credentials,
        ),
        trove(['ls', '--json'], cwd, credentials),
        trove(['get', 'mymodel', '-o', 'got/model.pt'], cwd, credentials),
      ];
      const added = JSON.parse(ran[0]?.stdout as string) as {
        run: string;
        artifact: { md5: string };
      };
      expect(added.artifact).toMatchObject({ md5: md5Of(`weights for Node ${major}`) });
      expect(JSON.parse(ran[1]?.stdout as string)).toEqual([
        expect.objectContaining({ run: added.run, path: 'outputs/model.pt' }),
      ]);
      expect(readFileSync(join(cwd, 'got/model.pt'), 'utf8')).toBe(`weights for Node ${major}`);
      // Nothing on stderr, Node 20 included: the CLI turns off the AWS SDK's Node 20 notice.
      expect(ran.map((r) => r.stderr)).toEqual(['', '', '']);
    },
  );

  it("the conformance suite passes on the local backend in the user's vitest", () => {
    writeFileSync(join(app, 'conformance.test.ts'), CONFORMANCE_TEST_TS);
    run(
      'npx',
      [
        '--no-install',
        'vitest',
        'run',
        'conformance.test.ts',
        '--reporter=json',
        '--outputFile=conformance.json',
      ],
      app,
      env,
    );
    const results = JSON.parse(readFileSync(join(app, 'conformance.json'), 'utf8')) as {
      success: boolean;
      numPassedTests: number;
      numFailedTests: number;
      testResults: { assertionResults: { fullName: string }[] }[];
    };
    expect(results).toMatchObject({ success: true, numFailedTests: 0 });
    const names = results.testResults.flatMap((f) => f.assertionResults.map((t) => t.fullName));
    expect(names.length).toBe(results.numPassedTests);
    expect(names.filter((n) => !n.startsWith('local: StorageBackend conformance '))).toEqual([]);
    expect(names).toContain(
      'local: StorageBackend conformance read read returns the bytes written',
    );
    expect(results.numPassedTests).toBeGreaterThanOrEqual(60);
    // Its stores were its own, inside the project, and are gone.
    expect(readdirSync(app).filter((f) => f.startsWith('.conformance-'))).toEqual([]);
  });

  it('trove report --md draws the loss plot to a PNG (resvg, a native addon)', () => {
    const report = troveJson<{ run: string; plots: number }>(
      ['report', output.runId, '--md', '-o', 'md/report.md'],
      app,
    );
    expect(report).toMatchObject({ run: output.runId, plots: 1 });
    const md = readFileSync(join(app, 'md/report.md'), 'utf8');
    expect(md).toContain('\n![static/loss](static/loss.png)\n');
    expect(readFileSync(join(app, 'md/static/loss.png')).subarray(1, 4).toString()).toBe('PNG');
  });
});

function md5Of(text: string): string {
  return createHash('md5').update(text).digest('hex');
}
