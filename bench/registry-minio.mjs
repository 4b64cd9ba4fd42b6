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
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { machine, REPO, writeSection } from './lib.mjs';
import { createMinioBucket, minioBinary, minioEnv, startMinio } from './servers.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const WRITERS = option('--writers', 8);
const EACH = option('--each', 50);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const WORK = join(tmpdir(), 'trove-bench-registry-minio');

rmSync(WORK, { recursive: true, force: true });
mkdirSync(WORK, { recursive: true });
const minio = await startMinio(WORK);
const env = minioEnv();
try {
  const bucket = 'trove-registry';
  await createMinioBucket(minio.url, bucket);

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
