import { type SpawnSyncOptions, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '@trove/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * The packages as a user gets them: `pnpm pack` tarballs of core, backend-local, backend-s3 and
 * cli installed with npm into a new project outside the workspace, a TypeScript file that uses
 * the public API type-checked with `tsc --strict` and run on this Node, and the installed
 * `trove` bin. npm fetches the packages' own dependencies (and typescript, @types/node) from
 * the registry, preferring its cache; every @trove package comes from a tarball.
 */

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const PACKED = ['core', 'backend-local', 'backend-s3', 'cli'];
/** The user's file: `await using` compiled for Node 20 (target ES2022 downlevels it). */
const MAIN_TS = `import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createLocalBackend } from '@trove/backend-local';
import { createS3Backend } from '@trove/backend-s3';
import { isTroveError, openStore, type Run, resumeRun, startRun, type TroveError, withRun } from '@trove/core';

/** Type-checked only: an S3 backend is never created here (no network). */
export function s3Store(bucket: string): ReturnType<typeof createS3Backend> {
  return createS3Backend({ bucket, region: 'eu-west-1', partSize: 16 * 1024 * 1024 });
}

writeFileSync('model.bin', 'weights v1\\n');
let runId: string;
{
  await using run = await startRun({ name: 'install-check', params: { lr: 0.001 } });
  runId = run.id;
  run.logMetric('loss', 0.5);
  const record = await run.logArtifact('model.bin', { type: 'model', name: 'mymodel' });
  const md5: string = record.md5;
  if (md5 !== createHash('md5').update(readFileSync('model.bin')).digest('hex')) {
    throw new Error(\`logArtifact recorded md5 \${md5}\`);
  }
}

const resumed: Run = await resumeRun(runId);
await resumed.end();
const second = await withRun({ name: 'second' }, async (run: Run) => run.id);

const store = await openStore();
const runIds: string[] = await store.listRunIds();
await store.close();

const backend = createLocalBackend({ root: '.trove' });
const md5 = createHash('md5').update('weights v1\\n').digest('hex');
const stat = await backend.stat(\`files/md5/\${md5.slice(0, 2)}/\${md5.slice(2)}\`);
await backend.close();

let code: TroveError['code'] | undefined;
try {
  await openStore({ store: 'no-such-store' });
} catch (err) {
  if (!isTroveError(err)) throw err;
  code = err.code;
}

console.log(JSON.stringify({ runId, second, runIds, size: stat.size, code }));
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2022', 'ESNext.Disposable'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    types: ['node'],
    strict: true,
    outDir: 'dist',
  },
  include: ['main.ts'],
};

interface Output {
  runId: string;
  second: string;
  runIds: string[];
  size: number;
  code: string | undefined;
}

/** The environment of a user's shell: nothing from the pnpm that runs these tests. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(npm_|pnpm_|PNPM_|NODE_OPTIONS$|VITEST|TROVE_)/.test(k)) env[k] = v;
  }
  return env;
}

function run(command: string, args: string[], cwd: string): string {
  const options: SpawnSyncOptions = { cwd, encoding: 'utf8', env: userEnv() };
  const r = spawnSync(command, args, options);
  if (r.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} (in ${cwd}) exited ${r.status ?? r.signal}:\n${String(r.stderr)}\n${String(r.stdout)}`,
    );
  }
  return String(r.stdout);
}

function installedVersion(name: string): string {
  const manifest = join(REPO, 'node_modules', name, 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
}

let app: string;
let output: Output;

beforeAll(() => {
  const root = tempDir('trove-install-');
  const tarballs = join(root, 'tarballs');
  mkdirSync(tarballs);
  for (const name of PACKED) {
    run('pnpm', ['pack', '--pack-destination', tarballs], join(REPO, 'packages', name));
  }
  const files = readdirSync(tarballs).sort();
  expect(files).toEqual([
    'trove-backend-local-0.0.0.tgz',
    'trove-backend-s3-0.0.0.tgz',
    'trove-cli-0.0.0.tgz',
    'trove-core-0.0.0.tgz',
  ]);

  app = join(root, 'app');
  mkdirSync(app);
  run('npm', ['init', '-y'], app);
  const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'));
  const tarball = (name: string) => `file:${join(tarballs, `trove-${name}-0.0.0.tgz`)}`;
  manifest.type = 'module';
  manifest.dependencies = Object.fromEntries(PACKED.map((n) => [`@trove/${n}`, tarball(n)]));
  // The tarballs depend on each other as `^0.0.0`: that is these tarballs, never the registry.
  manifest.overrides = Object.fromEntries(PACKED.map((n) => [`@trove/${n}`, `$@trove/${n}`]));
  manifest.devDependencies = {
    typescript: installedVersion('typescript'),
    '@types/node': installedVersion('@types/node'),
  };
  writeFileSync(join(app, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(app, 'tsconfig.json'), `${JSON.stringify(TSCONFIG, null, 2)}\n`);
  writeFileSync(join(app, 'main.ts'), MAIN_TS);
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], app);

  run(
    process.execPath,
    ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--strict'],
    app,
  );
  const lines = run(process.execPath, ['dist/main.js'], app).trim().split('\n');
  output = JSON.parse(lines.at(-1) as string) as Output;
}, 600_000);

describe('the packed packages, installed with npm into a new project', () => {
  it('come from the tarballs, not the registry', () => {
    const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string; resolved?: string }>;
    };
    for (const name of PACKED) {
      const entry = lock.packages[`node_modules/@trove/${name}`];
      expect(entry?.version).toBe('0.0.0');
      expect(entry?.resolved).toBe(`file:../tarballs/trove-${name}-0.0.0.tgz`);
    }
    // One copy of core: what the backends and the CLI import is what the user imports.
    const cores = Object.keys(lock.packages).filter((p) => p.endsWith('node_modules/@trove/core'));
    expect(cores).toEqual(['node_modules/@trove/core']);
  });

  it('type-check with tsc --strict and run on Node: a run on the embedded store logs a file', () => {
    const md5 = createHash('md5').update('weights v1\n').digest('hex');
    expect(existsSync(join(app, '.trove/files/md5', md5.slice(0, 2), md5.slice(2)))).toBe(true);
    expect(output.size).toBe('weights v1\n'.length);
    expect(output.runId).toMatch(/^[0-9a-f]{32}$/);
    expect(output.runIds.sort()).toEqual([output.runId, output.second].sort());
    expect(output.code).toBe('UNKNOWN_STORE');
    const record = JSON.parse(
      readFileSync(join(app, `.trove/runs/${output.runId}/run.json`), 'utf8'),
    );
    expect(record).toMatchObject({ id: output.runId, name: 'install-check', status: 'completed' });
  });

  it('the installed `trove` bin lists the run', () => {
    const listed = JSON.parse(
      run('npx', ['--no-install', 'trove', 'runs', 'ls', '--json'], app),
    ) as {
      id: string;
      name: string;
      artifacts: number;
    }[];
    expect(listed).toHaveLength(2);
    expect(listed).toContainEqual(
      expect.objectContaining({ id: output.runId, name: 'install-check', artifacts: 1 }),
    );
  });
});
