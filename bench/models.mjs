#!/usr/bin/env node
// bench/models: (1) MLflow's `log_artifacts` of 2,000 files to S3 (moto on loopback), trove's
// dialect (`@trove/mlflow` logArtifacts, files uploaded concurrently) side by side with real
// `mlflow.log_artifacts` (S3 artifact root on the same moto, file-store tracking), round-robin;
// (2) the registry: registrations per second with 8 processes × 50 registrations of one model on
// the local store.
// Usage: node bench/models.mjs [--rounds 3]
// Needs: a build (pnpm build), moto_server on PATH, and the MLflow venv of the core tests
// (~/.cache/trove-test/mlflow-venv, made by `vitest run --project core`) plus boto3 (installed
// into that venv here when missing). Writes its section of bench/RESULTS.md.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  machine,
  median,
  REPO,
  randomTree,
  roundRobin,
  startMoto,
  timed,
  writeSection,
} from './lib.mjs';

const args = process.argv.slice(2);
const i = args.indexOf('--rounds');
const rounds = Number(i >= 0 ? args[i + 1] : 3) || 3;
const WORK = join(tmpdir(), 'trove-bench-models');
const PYTHON = join(homedir(), '.cache/trove-test/mlflow-venv/bin/python');
const FILES = 2000;
const SIZE = 4096;

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
const sdk = createRequire(join(REPO, 'packages/backend-s3/package.json'))('@aws-sdk/client-s3');
const env = {
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_REGION: 'us-east-1',
  AWS_DEFAULT_REGION: 'us-east-1',
  MLFLOW_ALLOW_FILE_STORE: 'true',
  MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR: 'false',
  PYTHONWARNINGS: 'ignore',
  CI: '1',
};
// A proxy CA bundle or a named profile would override the bench's endpoint and credentials.
const CLEAN = 'env -u AWS_CA_BUNDLE -u AWS_PROFILE';

rmSync(WORK, { recursive: true, force: true });
mkdirSync(WORK, { recursive: true });
if (spawnSync(PYTHON, ['-c', 'import mlflow, boto3']).status !== 0) {
  if (spawnSync(PYTHON, ['-c', 'import mlflow']).status !== 0)
    throw new Error(`No MLflow at ${PYTHON}: run the core tests once (they create the venv).`);
  spawnSync(PYTHON, ['-m', 'pip', 'install', '--quiet', 'boto3==1.44.18'], { stdio: 'inherit' });
}
const tree = randomTree('models-2k-4k', { folders: 20, files: FILES / 20, size: SIZE });
const moto = await startMoto(WORK);
const client = new sdk.S3Client({
  endpoint: moto.url,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
});
let counter = 0;
async function freshBucket(tool) {
  const bucket = `bench-${tool}-${++counter}`;
  await client.send(new sdk.CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}
async function countKeys(bucket) {
  let n = 0;
  let token;
  do {
    const out = await client.send(
      new sdk.ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }),
    );
    n += out.KeyCount ?? 0;
    token = out.NextContinuationToken;
  } while (token);
  return n;
}

// Each side prints the seconds its log_artifacts call took (process start-up excluded).
const TROVE_SCRIPT = join(WORK, 'trove-log.mjs');
writeFileSync(
  TROVE_SCRIPT,
  `import * as mlflow from '${REPO}packages/mlflow/dist/index.js';
import { openStore } from '${REPO}packages/core/dist/index.js';
const [cwd, tree] = process.argv.slice(2);
const store = await openStore({ cwd, resolveFrom: ['${REPO}packages/cli'] });
await mlflow.startRun({ cwd, store });
const t0 = performance.now();
await mlflow.logArtifacts(tree, 'data');
const seconds = (performance.now() - t0) / 1000;
await mlflow.endRun();
await store.close();
console.log(seconds);
`,
);
const MLFLOW_SCRIPT = join(WORK, 'mlflow-log.py');
writeFileSync(
  MLFLOW_SCRIPT,
  `import sys, time, mlflow
cwd, tree, bucket = sys.argv[1:4]
mlflow.set_tracking_uri('file:' + cwd + '/mlruns')
exp = mlflow.create_experiment('bench', artifact_location='s3://' + bucket + '/mlflow')
with mlflow.start_run(experiment_id=exp):
    t0 = time.perf_counter()
    mlflow.log_artifacts(tree, 'data')
    print(time.perf_counter() - t0)
`,
);

// The floor for any client of this SDK: the same files as bare PutObjects (no Content-MD5, no
// If-None-Match, no hashing, no run records) through a client configured as trove's (keep-alive,
// checksums when required, middleware cached), 32 in flight.
const FLOOR_SCRIPT = join(WORK, 'sdk-floor.mjs');
writeFileSync(
  FLOOR_SCRIPT,
  `import { readdirSync, readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
const require = createRequire('${REPO}packages/backend-s3/package.json');
const { S3Client, PutObjectCommand } = require('@aws-sdk/client-s3');
const { NodeHttpHandler } = require('@smithy/node-http-handler');
const [endpoint, bucket, tree] = process.argv.slice(2);
const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true,
  requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED',
  cacheMiddleware: true,
  requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, maxSockets: 64 }) }) });
const files = readdirSync(tree, { recursive: true }).filter((f) => f.endsWith('.bin'));
const t0 = performance.now();
let next = 0;
await Promise.all(Array.from({ length: 32 }, async () => {
  while (next < files.length) {
    const f = files[next++];
    const body = readFileSync(join(tree, f));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'data/' + f, Body: body, ContentLength: body.length }));
  }
}));
console.log((performance.now() - t0) / 1000);
`,
);

/** CPU seconds moto has used so far (utime + stime from /proc, in 1/100 s ticks). */
function motoCpu() {
  const fields = readFileSync(`/proc/${moto.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Runs one side: the call's seconds (its last stdout line), the process's, client and moto CPU. */
function measure(cmd, options) {
  const m0 = motoCpu();
  const r = timed(cmd, options);
  return {
    seconds: Number(r.stdout.trim().split('\n').at(-1)),
    process: r.seconds,
    clientCpu: r.cpuSeconds,
    motoCpu: motoCpu() - m0,
  };
}

const pending = [];
const cases = [
  {
    name: 'trove logArtifacts',
    prepare: async () => {
      const bucket = await freshBucket('trove');
      const cwd = join(WORK, `trove-${counter}`);
      mkdirSync(join(cwd, '.trove'), { recursive: true });
      writeFileSync(
        join(cwd, 'trove.yaml'),
        `store: bench\nstores:\n  bench: { type: s3, bucket: ${bucket}, endpoint: "${moto.url}" }\n`,
      );
      return { bucket, cwd };
    },
    run: ({ bucket, cwd }) => {
      const r = measure(`${CLEAN} node ${TROVE_SCRIPT} ${cwd} ${tree}`, { cwd, env });
      pending.push(countKeys(bucket).then((n) => ({ tool: 'trove', n })));
      return r;
    },
  },
  {
    name: 'mlflow.log_artifacts',
    prepare: async () => {
      const bucket = await freshBucket('mlflow');
      const cwd = join(WORK, `mlflow-${counter}`);
      mkdirSync(cwd, { recursive: true });
      return { bucket, cwd };
    },
    run: ({ bucket, cwd }) => {
      const r = measure(`${CLEAN} ${PYTHON} ${MLFLOW_SCRIPT} ${cwd} ${tree} ${bucket}`, {
        cwd,
        env: { ...env, MLFLOW_S3_ENDPOINT_URL: moto.url },
      });
      pending.push(countKeys(bucket).then((n) => ({ tool: 'mlflow', n })));
      return r;
    },
  },
  {
    name: 'bare SDK PutObject loop',
    prepare: async () => ({ bucket: await freshBucket('floor') }),
    run: ({ bucket }) => {
      const r = measure(`${CLEAN} node ${FLOOR_SCRIPT} ${moto.url} ${bucket} ${tree}`, { env });
      pending.push(countKeys(bucket).then((n) => ({ tool: 'bare SDK', n })));
      return r;
    },
  },
];
const load0 = loadavg()[0];
const upload = await roundRobin(cases, rounds);
const load1 = loadavg()[0];
const counts = await Promise.all(pending);
moto.stop();

// Registry: the tests' contention scenario (8 writers × 50 registrations of one model, an
// alias move every 5) on a local store.
const cli = join(REPO, 'packages/cli');
const { expectNoLostRegistrations } = await import(
  createRequire(join(cli, 'package.json')).resolve('@trove/conformance')
);
const regSeconds = [];
for (let r = 0; r < rounds; r++) {
  const cwd = join(WORK, `registry-${r}`);
  mkdirSync(join(cwd, '.trove'), { recursive: true });
  const { seconds } = await expectNoLostRegistrations({ cwd, resolveFrom: [cli], model: 'bench' });
  regSeconds.push(seconds);
  process.stderr.write(`  round ${r + 1} registry: ${seconds.toFixed(2)} s\n`);
}
rmSync(WORK, { recursive: true, force: true });

const t = upload['trove logArtifacts'];
const m = upload['mlflow.log_artifacts'];
const f = upload['bare SDK PutObject loop'];
const fmt = (x) => x.toFixed(2);
const mlflowVersion = spawnSync(PYTHON, ['-c', 'import mlflow; print(mlflow.__version__)'], {
  encoding: 'utf8',
}).stdout.trim();
const reg = median(regSeconds);
const row = (label, x, note = '') =>
  `| ${label} | ${fmt(x.seconds)} [${fmt(x.min)}–${fmt(x.max)}] | ${fmt(x.process)} | ${fmt(x.clientCpu)} | ${fmt(x.motoCpu)} | ${note} |`;
const perPut = (1000 * f.motoCpu) / FILES;
writeSection(
  'models',
  `## models (moto on loopback; local store) — \`node bench/models.mjs\`

${machine()}; MLflow ${mlflowVersion} (mlflow-skinny + boto3). Medians of ${rounds} round-robin rounds,
each into a fresh bucket. ${FILES} files of ${SIZE / 1024} KiB in 20 folders, logged as \`data/…\`
(objects stored per tool: ${[...new Set(counts.map((c) => `${c.tool} ${c.n}`))].join(', ')}).
*call*: the \`log_artifacts\` call (or the PUT loop) alone; *process*: the whole command, start-up
and run records included; *client CPU*: user + system seconds of the command; *moto CPU*: what
moto used meanwhile. The load average was ${load0.toFixed(1)} before and ${load1.toFixed(1)} after the upload rounds (other work shares the 2 cores).

| command | call s [min–max] | process s | client CPU s | moto CPU s | |
|---|---|---|---|---|---|
${row("**trove** `mlflow.logArtifacts(dir, 'data')` (`@trove/mlflow`)", t, `mlflow ÷ trove = **${(m.seconds / t.seconds).toFixed(1)}×** (target ≥ 5×${m.seconds / t.seconds >= 5 ? '' : ': not met here'})`)}
${row("`mlflow.log_artifacts(dir, 'data')` (S3 artifact root)", m)}
${row('bare `@aws-sdk/client-s3` PutObject loop, 32 in flight (no trove)', f, `the floor for this SDK on moto: mlflow ÷ floor = ${(m.seconds / f.seconds).toFixed(1)}×`)}

**What bounds it.** trove sends one request per file: ${FILES} \`PutObject\`s (\`If-None-Match: *\`,
\`Content-MD5\`), 8 prefix listings that find nothing and stop probing, and a few run-record
requests; no per-file HEAD, no per-file manifest write. moto spends ~${perPut.toFixed(1)} ms of CPU
per PUT whoever sends it, in one Python process held to one core, so ${FILES} PUTs cost it
~${fmt(f.motoCpu)} s of CPU: that is the floor of any client's call here, and trove's call is
within ${fmt(t.seconds - f.seconds)} s of a bare PUT loop through the same SDK. 5× would need the call under
${fmt(m.seconds / 5)} s, less than moto's own CPU for the PUTs. Hand checks (2026-12-05) changed nothing measurable
on moto: 8, 16 or 32 objects in flight for trove (4, 8, 32 for the bare loop), and bare PUTs without
\`Content-MD5\` and \`If-None-Match\` (moto CPU per PUT the same); the client already sends no
flexible checksums (\`WHEN_REQUIRED\`) and keeps sockets alive (moto closes every connection anyway).
A CPU profile of trove's process on moto shows its main thread idle 3.4 s of 6.2 s, waiting for
moto. On MinIO, where it is never idle, ~80 ms of its CPU is trove's own code; the rest is the SDK's
middleware, signing and serde (~1.6 s) and Node's HTTP client (~1.8 s), about 1.5 ms per PUT. On MinIO (a hand check, 2026-12-05, \`~/go/bin/minio\`, same tree): trove 2.64–2.83 s,
mlflow 7.86–8.25 s, **~3.0×**; there both cores are saturated (trove ~3.1 s CPU + MinIO ~2 s over
2.7 s), so the bound is the SDK's and Node's per-request CPU next to the server's on 2 shared cores.
A spot check of \`trove add\` on the same tree and moto took as long as the dialect (15.0 s vs 14.2 s under load, 2026-12-05): the dialect
adds nothing over core's S3 upload.

**Registry**: \`expectNoLostRegistrations\` (@trove/conformance) on the local store: 8 processes,
each starting a run, then 50 registrations of one model and an alias move every 5 (conditional
writes, retry on conflict); versions exactly 1…400 every round: median ${fmt(reg)} s including
process start-up, **${(400 / reg).toFixed(0)} registrations/s**.
`,
);
process.stderr.write('wrote bench/RESULTS.md (models)\n');
