#!/usr/bin/env node
// bench/registry-minio: the registry's "no lost update" on S3, which moto cannot show (its
// conditional writes are not atomic under concurrency). The scenario the tests run on the local
// store, fake-gcs-server and Azurite (`expectNoLostRegistrations` from @trove/conformance):
// 8 processes × 50 registrations of one model on a MinIO bucket, each process moving an alias of
// its own every 5 → versions must be exactly 1…400, none lost or repeated, each holding its
// writer's run and source, every alias where its writer last put it. Outside the test line:
// MinIO takes 10–16 min to build once per machine.
// Usage: node bench/registry-minio.mjs [--writers 8] [--each 50]
// Needs: a build (pnpm build) and `minio` on PATH or in $(go env GOPATH)/bin
// (go install github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c). Writes its section of
// bench/RESULTS.md.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, machine, REPO, writeSection } from './lib.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const WRITERS = option('--writers', 8);
const EACH = option('--each', 50);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const WORK = join(tmpdir(), 'trove-bench-registry-minio');
const USER = 'trovebench';
const PASSWORD = 'trovebench-secret';

function minioBinary() {
  if (spawnSync('minio', ['--version']).status === 0) return 'minio';
  const gopath = spawnSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).stdout?.trim();
  const candidate = join(gopath || join(homedir(), 'go'), 'bin', 'minio');
  if (existsSync(candidate)) return candidate;
  throw new Error(
    'minio not found: go install github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c',
  );
}

async function startMinio() {
  const port = await freePort();
  const consolePort = await freePort();
  mkdirSync(join(WORK, 'data'), { recursive: true });
  const log = openSync(join(WORK, 'minio.log'), 'w');
  const child = spawn(
    minioBinary(),
    [
      'server',
      join(WORK, 'data'),
      '--address',
      `127.0.0.1:${port}`,
      '--console-address',
      `127.0.0.1:${consolePort}`,
    ],
    {
      stdio: ['ignore', log, log],
      env: { ...process.env, MINIO_ROOT_USER: USER, MINIO_ROOT_PASSWORD: PASSWORD },
    },
  );
  closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`minio exited; see ${WORK}/minio.log`);
    const ok = await fetch(`${url}/minio/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { url, stop: () => child.kill('SIGTERM') };
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('minio did not start');
}

rmSync(WORK, { recursive: true, force: true });
mkdirSync(WORK, { recursive: true });
const minio = await startMinio();
const env = {
  ...process.env,
  AWS_ACCESS_KEY_ID: USER,
  AWS_SECRET_ACCESS_KEY: PASSWORD,
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};
delete env.AWS_CA_BUNDLE;
delete env.AWS_PROFILE;
try {
  const sdk = createRequire(join(REPO, 'packages/backend-s3/package.json'))('@aws-sdk/client-s3');
  const client = new sdk.S3Client({
    endpoint: minio.url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: USER, secretAccessKey: PASSWORD },
  });
  const bucket = 'trove-registry';
  await client.send(new sdk.CreateBucketCommand({ Bucket: bucket }));

  const cwd = join(WORK, 'project');
  mkdirSync(join(cwd, '.trove'), { recursive: true });
  writeFileSync(
    join(cwd, 'trove.yaml'),
    `store: minio\nstores:\n  minio: { type: s3, bucket: ${bucket}, endpoint: "${minio.url}" }\n`,
  );
  const cli = join(REPO, 'packages/cli');
  // The scenario asserts with vitest's expect, which works outside the test runner too.
  const { expectNoLostRegistrations } = await import(
    createRequire(join(cli, 'package.json')).resolve('@trove/conformance')
  );
  const load0 = loadavg()[0];
  let result;
  let failure;
  try {
    result = await expectNoLostRegistrations({
      cwd,
      resolveFrom: [cli],
      env,
      writers: WRITERS,
      each: EACH,
      model: 'contended',
    });
  } catch (err) {
    failure = err;
  }
  const total = WRITERS * EACH;
  const ok = failure === undefined;
  const verdict = ok
    ? `${total}, exactly 1…${total}, none lost or repeated; each holds its writer's run, source and tags; every alias where its writer last put it`
    : `**FAILED**: ${String(failure?.message ?? failure).split('\n')[0]}`;
  const version = spawnSync(minioBinary(), ['--version'], { encoding: 'utf8' }).stdout.split(
    '\n',
  )[0];
  writeSection(
    'registry-minio',
    `## registry-minio (MinIO on loopback) — \`node bench/registry-minio.mjs\`

${machine()}; ${version}; load average ${load0.toFixed(1)} at the start.
\`expectNoLostRegistrations\` (@trove/conformance, the scenario the tests run on the local store,
fake-gcs-server and Azurite): ${WRITERS} processes, each starting a run that logs one file, then
registering it ${EACH} times as versions of one model and moving its own alias every 5 registrations
(${total} registrations + ${WRITERS * Math.ceil(EACH / 5)} alias moves, each a read + \`If-Match\` PUT of
\`registry/contended.json\`, retried on 412):

| result | |
|---|---|
| versions | ${verdict} |
| wall time | ${ok ? `${result.seconds.toFixed(2)} s (process start-up and each writer's run included): **${(total / result.seconds).toFixed(0)} registrations/s**` : '—'} |
`,
  );
  process.stderr.write(
    `${ok ? `OK: ${total} versions in ${result.seconds.toFixed(2)} s` : `FAILED: ${failure?.stack ?? failure}`}\n`,
  );
  if (!ok) process.exitCode = 1;
} finally {
  minio.stop();
}
