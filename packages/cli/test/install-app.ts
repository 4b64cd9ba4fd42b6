import { type SpawnSyncOptions, spawnSync } from 'node:child_process';

/**
 * The user's side of the install test: their shell (environment, commands, what npm warns), and
 * their project: a TypeScript file that uses the public API of the packed packages, its tsconfig
 * and a conformance test. One source for every Node runtime the test covers.
 */

/** The environment of a user's shell on the given Node: nothing from the pnpm that runs the tests. */
export function userEnv(nodeDir?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(npm_|pnpm_|PNPM_|NODE_OPTIONS$|VITEST|TROVE_|AWS_|AZURE_)/.test(k)) env[k] = v;
  }
  if (nodeDir) env.PATH = `${nodeDir}:${env.PATH}`;
  return env;
}

export interface Ran {
  stdout: string;
  stderr: string;
}

export function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): Ran {
  const options: SpawnSyncOptions = { cwd, encoding: 'utf8', env };
  const r = spawnSync(command, args, options);
  if (r.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} (in ${cwd}) exited ${r.status ?? r.signal}:\n${String(r.stderr)}\n${String(r.stdout)}`,
    );
  }
  return { stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** The packages npm warned about as `EBADENGINE` (name@version), in order. */
export function badEngines(npmStderr: string): string[] {
  return [...npmStderr.matchAll(/EBADENGINE\s+package: '([^']+)'/g)].map((m) => m[1] as string);
}

/** `await using` compiled for Node 20 too (target ES2022 downlevels it). */
export const MAIN_TS = `import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createAzureBackend } from '@trove/backend-azure';
import { createGcsBackend } from '@trove/backend-gcs';
import { createLocalBackend } from '@trove/backend-local';
import { createS3Backend } from '@trove/backend-s3';
import type { ConformanceOptions } from '@trove/conformance';
import { isTroveError, openStore, type Run, resumeRun, startRun, type TroveError, withRun } from '@trove/core';
import { float, Live } from '@trove/live';
import * as mlflow from '@trove/mlflow';
import * as tracking from '@trove/polyaxon';

/** Type-checked only: a conformance suite runs inside vitest, not in this script. */
export type SuiteOptions = ConformanceOptions;

/** Type-checked only: an S3 backend is never created here (no network). */
export function s3Store(bucket: string): ReturnType<typeof createS3Backend> {
  return createS3Backend({ bucket, region: 'eu-west-1', partSize: 16 * 1024 * 1024 });
}

// The cloud SDKs load and make a client on this Node (no request is sent): closed at once.
await createGcsBackend({ bucket: 'install-check', apiEndpoint: 'http://127.0.0.1:9' }).close();
await createAzureBackend({ container: 'install-check', connectionString: 'UseDevelopmentStorage=true' }).close();

writeFileSync('model.bin', 'weights v1\\n');
let runId: string;
{
  await using run = await startRun({ name: 'install-check', params: { lr: 0.001 } });
  runId = run.id;
  run.logMetric('loss', 0.5);
  await run.nextStep();
  run.logMetric('loss', 0.25);
  const record = await run.logArtifact('model.bin', { type: 'model', name: 'mymodel' });
  const md5: string = record.md5;
  if (md5 !== createHash('md5').update(readFileSync('model.bin')).digest('hex')) {
    throw new Error(\`logArtifact recorded md5 \${md5}\`);
  }
}

const resumed: Run = await resumeRun(runId);
await resumed.end();
const second = await withRun({ name: 'second' }, async (run: Run) => run.id);

// The three dialects, each a run of its own on the same store.
const live = await Live.create({ report: null, saveDvcExp: false, expName: 'live-check' });
live.logParam('lr', 0.1);
live.logMetric('acc', float(0.5));
await live.nextStep();
const liveId = await live.runId();
await live.end();
const mlflowRun = await mlflow.startRun({ runName: 'mlflow-check' });
mlflow.logParam('k', 1);
await mlflow.logText('hello', 'notes/hello.txt');
await mlflow.endRun();
const polyaxon = await tracking.init({ name: 'polyaxon-check', trackCode: false });
tracking.logMetric('loss', 0.5, { step: 1 });
await tracking.end();
const dialects = { live: liveId, mlflow: mlflowRun.id, polyaxon: polyaxon.id };

const store = await openStore();
const runIds: string[] = await store.listRunIds();
const dialectRuns = await Promise.all(
  Object.values(dialects).map(async (id) => {
    const r = await store.readRun(id);
    return { name: r.name, status: r.status };
  }),
);
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

console.log(
  JSON.stringify({ node: process.version, runId, second, runIds, size: stat.size, code, dialects, dialectRuns }),
);
`;

/** The conformance suite, as a backend author runs it: in their vitest, here on the local backend. */
export const CONFORMANCE_TEST_TS = `import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LocalBackend } from '@trove/backend-local';
import { describeBackendConformance } from '@trove/conformance';

describeBackendConformance('local', {
  create: () => new LocalBackend({ root: mkdtempSync(join(process.cwd(), '.conformance-')) }),
  cleanup: async (backend) => rmSync((backend as LocalBackend).root, { recursive: true, force: true }),
});
`;

/** What MAIN_TS prints last. */
export interface MainOutput {
  node: string;
  runId: string;
  second: string;
  runIds: string[];
  size: number;
  code: string | undefined;
  dialects: { live: string; mlflow: string; polyaxon: string };
  dialectRuns: { name: string; status: string }[];
}

export const TSCONFIG = {
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
