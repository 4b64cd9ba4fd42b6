#!/usr/bin/env node
// bench/gcs-upload: trove uploading to GCS (fake-gcs-server on loopback, on disk), side by side
// with `rclone copy`, round-robin, in one run: one 256 MiB file, 10,000 files of 10 KiB, and the
// peak RSS of trove for a 1 GiB file.
// Usage: node bench/gcs-upload.mjs [--rounds 3] [--skip-1g] [--only big|small]
// Needs: a build (pnpm build), fake-gcs-server (go install github.com/fsouza/fake-gcs-server@v1.56.1)
// and rclone (apt-get install rclone). Writes its section of bench/RESULTS.md.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { machine, randomFile, randomTree, roundRobin, TROVE, timed, writeSection } from './lib.mjs';
import { startFakeGcs } from './servers.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const rounds = Number(option('--rounds', 3)) || 3;
const skip1g = args.includes('--skip-1g');
const only = option('--only', 'all');
const WORK = join(tmpdir(), 'trove-bench-gcs-upload');
const SMALL_COUNT = 10_000;
const SMALL_SIZE = 10 * 1024;
/**
 * Both tools send 16 MiB chunks (trove's default `chunkSize`; rclone 1.60 has no GCS chunk-size
 * flag and takes the Go SDK's 16 MiB). fake-gcs-server re-hashes a whole session on every chunk,
 * so its cost grows with the square of the chunk count: equal chunks keep that equal.
 */
const CHUNK_MIB = 16;
// AWS_CA_BUNDLE makes rclone 1.60 fail (LoadCustomCABundleError); STORAGE_EMULATOR_HOST would
// override trove's apiEndpoint.
const CLEAN = 'env -u AWS_CA_BUNDLE -u STORAGE_EMULATOR_HOST';
const baseEnv = { CI: '1' };

function requireRclone() {
  if (spawnSync('rclone', ['version']).status !== 0) {
    process.stderr.write('rclone missing: apt-get install -y rclone\n');
    spawnSync(
      'bash',
      ['-c', 'apt-get install -y rclone || (apt-get update && apt-get install -y rclone)'],
      { stdio: 'inherit' },
    );
  }
  if (spawnSync('rclone', ['version']).status !== 0) throw new Error('rclone is needed on PATH');
}

rmSync(WORK, { recursive: true, force: true });
requireRclone();
const fake = await startFakeGcs(WORK);
const big = randomFile('big-256m.bin', 256 * 2 ** 20);
const small = randomTree('small-10k-10k', {
  folders: 100,
  files: SMALL_COUNT / 100,
  size: SMALL_SIZE,
});
const huge = skip1g ? undefined : randomFile('big-1g.bin', 2 ** 30);

/** Removes the buckets of earlier cases from disk, so the server's folder stays small. */
const buckets = [];
function dropBuckets() {
  for (const bucket of buckets.splice(0)) {
    // Objects of a finished case are no longer read: remove them under the server (on disk).
    rmSync(join(fake.root, bucket), { recursive: true, force: true });
  }
}
let counter = 0;
async function freshBucket(tool) {
  dropBuckets();
  const bucket = `bench-${tool}-${++counter}`;
  const r = await fetch(`${fake.url}/storage/v1/b?project=bench`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: bucket }),
  });
  if (!r.ok) throw new Error(`creating ${bucket}: ${r.status}`);
  buckets.push(bucket);
  return bucket;
}

/** A trove project whose store is the bucket (prefix "trove"), with the data hard-linked in. */
function troveProject(bucket, source) {
  const dir = join(WORK, 'trove');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, '.trove'), { recursive: true });
  writeFileSync(
    join(dir, 'trove.yaml'),
    `store: bench\nstores:\n  bench: { type: gcs, bucket: ${bucket}, apiEndpoint: "${fake.url}", projectId: bench, resumeDir: .trove/resume, prefix: trove }\n`,
  );
  spawnSync('cp', ['-al', source, join(dir, 'input')]);
  return dir;
}

function cases(source) {
  return [
    {
      name: 'trove add',
      tool: 'trove',
      run: (bucket) =>
        timed(`${CLEAN} node ${TROVE} add input -q`, {
          cwd: troveProject(bucket, source),
          env: baseEnv,
        }),
    },
    {
      name: 'rclone copy',
      tool: 'rclone',
      run: (bucket) =>
        timed(
          `${CLEAN} rclone copy -I --gcs-endpoint ${fake.url}/storage/v1/ --gcs-anonymous ${source} :gcs:${bucket}/input`,
          { env: baseEnv },
        ),
    },
  ];
}

/** CPU seconds the server has used so far (utime + stime from /proc, 1/100 s ticks). */
function serverCpuSeconds() {
  const fields = readFileSync(`/proc/${fake.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function runRounds(source, n) {
  return roundRobin(
    cases(source).map((c) => ({
      name: c.name,
      prepare: () => freshBucket(c.tool),
      run: (bucket) => {
        const before = serverCpuSeconds();
        const out = c.run(bucket);
        return { ...out, serverBusy: (serverCpuSeconds() - before) / out.seconds };
      },
    })),
    n,
  );
}

let bigResults;
let smallResults;
let hugeResult;
try {
  if (only !== 'small') {
    process.stderr.write('\n256 MiB file\n');
    bigResults = await runRounds(big, rounds);
  }
  if (only !== 'big') {
    process.stderr.write('\n10,000 files of 10 KiB\n');
    smallResults = await runRounds(small, rounds);
  }
  if (huge && only === 'all') {
    process.stderr.write('\n1 GiB file (peak RSS)\n');
    const bucket = await freshBucket('trove');
    hugeResult = timed(`${CLEAN} node ${TROVE} add input -q`, {
      cwd: troveProject(bucket, huge),
      env: baseEnv,
    });
    process.stderr.write(
      `  trove add 1 GiB: ${hugeResult.seconds.toFixed(1)} s, ${hugeResult.rssMiB.toFixed(0)} MiB\n`,
    );
  }
  dropBuckets();
} finally {
  fake.stop();
  rmSync(WORK, { recursive: true, force: true });
}

const MB = 1e6;
const f = (x) => x.toFixed(2);
function table(results, bytes) {
  const rclone = results['rclone copy'].seconds;
  return Object.entries(results)
    .map(([name, r]) => {
      const bold = name === 'trove add' ? '**' : '';
      return `| ${bold}\`${name}\`${bold} | ${f(r.seconds)} [${f(r.min)}–${f(r.max)}] | ${bold}${(bytes / MB / r.seconds).toFixed(1)}${bold} | ${bold}${(rclone / r.seconds).toFixed(2)}×${bold} | ${r.rssMiB.toFixed(0)} | ${r.cpuSeconds.toFixed(1)} | ${(100 * r.serverBusy).toFixed(0)}% |`;
    })
    .join('\n');
}
const head =
  '| command | median s [min–max] | MB/s | vs rclone | peak RSS MiB | client CPU s | server busy |\n|---|---|---|---|---|---|---|';
const rcloneVersion = spawnSync('rclone', ['version'], { encoding: 'utf8' }).stdout.split('\n')[0];
const md = `
## gcs-upload (fake-gcs-server on loopback) — \`node bench/gcs-upload.mjs\`

${machine()}; ${rcloneVersion}, fake-gcs-server v1.56.1 (\`-backend filesystem\`). Medians of ${rounds} round-robin
rounds, wall time of the whole command (process start-up included), each run into a fresh bucket. trove: \`trove add\`
with a \`type: gcs\` store and its defaults (\`chunkSize\` ${CHUNK_MIB} MiB, 32 objects in flight), which also hashes,
writes the \`.dvc\` file and the run records. rclone: \`rclone copy -I --gcs-anonymous\` with its defaults (4 transfers,
the Go SDK's ${CHUNK_MIB} MiB chunks). Equal chunks matter here: fake-gcs-server re-reads and re-hashes the whole
session on every chunk, so its cost grows with the square of the chunk count, and for large files the emulator,
not the client, sets the time. *server busy*: fake-gcs-server's CPU seconds over the wall time (it is multi-threaded: above 100% it uses
more than one of the 2 vCPUs, which it shares with the client). The machine is shared with other sessions'
builds and tests, so absolute numbers are noisy; the ratios, measured round-robin, less so. MB = 10^6 bytes.

${bigResults ? `**One 256 MiB file**\n\n${head}\n${table(bigResults, 256 * 2 ** 20)}\n` : ''}
${smallResults ? `**10,000 files of 10 KiB (100 MB) in 100 folders**\n\n${head}\n${table(smallResults, SMALL_COUNT * SMALL_SIZE)}\n` : ''}
${hugeResult ? `**1 GiB file, trove add:** ${f(hugeResult.seconds)} s (${(2 ** 30 / MB / hugeResult.seconds).toFixed(1)} MB/s), **${hugeResult.rssMiB.toFixed(0)} MiB** peak RSS (target ≤ 200 MiB).\n` : ''}
Targets: trove ≥ 1.0× rclone's throughput on both; peak RSS ≤ 200 MiB for the 1 GiB file.
`;
writeSection('gcs-upload', md);
process.stdout.write(md);
