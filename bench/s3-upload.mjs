#!/usr/bin/env node
// bench/s3-upload: trove uploading to S3 (moto on loopback), side by side with `rclone copy` and
// `aws s3 cp`, round-robin, in one run: one 1 GiB file, 10,000 files of 10 KiB, and the peak RSS
// of trove for a 5 GiB file.
// Usage: node bench/s3-upload.mjs [--rounds 3] [--skip-5g] [--only big|small]
// Needs: a build (pnpm build), moto_server, rclone (apt-get install rclone) and aws (awscli) on
// PATH, ~8 GiB free disk. Writes its section of bench/RESULTS.md.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  machine,
  REPO,
  randomFile,
  randomTree,
  roundRobin,
  startMoto,
  TROVE,
  timed,
  writeSection,
} from './lib.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const rounds = Number(option('--rounds', 3)) || 3;
const skip5g = args.includes('--skip-5g');
const only = option('--only', 'all');
// Its own scratch folder: bench/.work belongs to log-artifact.mjs, which empties it.
const WORK = join(tmpdir(), 'trove-bench-s3-upload');
const SMALL_COUNT = 10_000;
const SMALL_SIZE = 10 * 1024;

// The SDK's Node 20 notice would land in every trove run's stderr.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
// The SDK comes from the backend package (the bench has no dependencies of its own).
const sdk = createRequire(join(REPO, 'packages/backend-s3/package.json'))('@aws-sdk/client-s3');

const CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_REGION: 'us-east-1',
};
const baseEnv = { ...CREDENTIALS, CI: '1' };
// AWS_CA_BUNDLE makes rclone 1.60 fail (LoadCustomCABundleError), AWS_PROFILE would override the
// credentials: every command runs without them (lib's timed() passes the rest of the env on).
const CLEAN = 'env -u AWS_CA_BUNDLE -u AWS_PROFILE';

function makeData() {
  return {
    big: randomFile('big-1g.bin', 1 << 30),
    small: randomTree('small-10k-10k', {
      folders: 100,
      files: SMALL_COUNT / 100,
      size: SMALL_SIZE,
    }),
    huge: skip5g ? undefined : randomFile('big-5g.bin', 5 * 2 ** 30),
  };
}

function requireTools() {
  if (spawnSync('rclone', ['version']).status !== 0) {
    process.stderr.write('rclone missing: apt-get install -y rclone\n');
    spawnSync(
      'bash',
      ['-c', 'apt-get install -y rclone || (apt-get update && apt-get install -y rclone)'],
      { stdio: 'inherit' },
    );
  }
  for (const [cmd, check] of [
    ['moto_server', '--help'],
    ['rclone', 'version'],
    ['aws', '--version'],
  ]) {
    if (spawnSync(cmd, [check]).status !== 0) throw new Error(`${cmd} is needed on PATH`);
  }
}

rmSync(WORK, { recursive: true, force: true });
requireTools();
const moto = await startMoto(WORK);
const client = new sdk.S3Client({
  endpoint: moto.url,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  requestChecksumCalculation: 'WHEN_REQUIRED',
});
const { big, small, huge } = makeData();

/** Empties and removes the buckets of earlier cases, so moto's memory stays flat. */
const buckets = [];
async function dropBuckets() {
  for (const bucket of buckets.splice(0)) {
    for (;;) {
      const out = await client.send(new sdk.ListObjectsV2Command({ Bucket: bucket }));
      const keys = (out.Contents ?? []).map((o) => ({ Key: o.Key }));
      if (keys.length === 0) break;
      await client.send(
        new sdk.DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys, Quiet: true } }),
      );
    }
    const uploads = await client.send(new sdk.ListMultipartUploadsCommand({ Bucket: bucket }));
    if ((uploads.Uploads ?? []).length > 0)
      throw new Error(`${bucket} has unfinished multipart uploads`);
    await client.send(new sdk.DeleteBucketCommand({ Bucket: bucket }));
  }
}
let counter = 0;
async function freshBucket(tool) {
  await dropBuckets();
  const bucket = `bench-${tool}-${++counter}`;
  await client.send(new sdk.CreateBucketCommand({ Bucket: bucket }));
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
    `store: bench\nstores:\n  bench: { type: s3, bucket: ${bucket}, endpoint: "${moto.url}", prefix: trove }\n`,
  );
  spawnSync('cp', ['-al', source, join(dir, 'input')]);
  return dir;
}

const rcloneConf = join(WORK, 'rclone.conf');
function writeRcloneConf() {
  writeFileSync(
    rcloneConf,
    `[moto]\ntype = s3\nprovider = Other\nenv_auth = false\naccess_key_id = bench\nsecret_access_key = bench\nregion = us-east-1\nendpoint = ${moto.url}\n`,
  );
}

/** One case per tool, each run into a fresh bucket of its own. */
function cases(source, isDir) {
  const dest = isDir ? 'input' : 'input/big.bin';
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
          `${CLEAN} rclone copy -I --s3-no-head --config ${rcloneConf} ${source} moto:${bucket}/input`,
          {
            env: baseEnv,
          },
        ),
    },
    {
      name: isDir ? 'aws s3 cp --recursive' : 'aws s3 cp',
      tool: 'aws',
      run: (bucket) =>
        timed(
          `${CLEAN} aws s3 cp ${isDir ? '--recursive ' : ''}--only-show-errors --endpoint-url ${moto.url} ${source} s3://${bucket}/${dest}`,
          { env: baseEnv },
        ),
    },
  ];
}

/** CPU seconds moto has used so far (utime + stime from /proc; clock ticks of 1/100 s). */
function motoCpuSeconds() {
  const fields = readFileSync(`/proc/${moto.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Every tool once per round (lib's roundRobin), each run into a fresh bucket made untimed. Each
 * run also reports how busy moto was (its CPU seconds over the wall time): moto is one Python
 * process, so near 100% it is the bottleneck, and what a client costs in CPU is taken from it.
 */
function runRounds(source, isDir, n) {
  const list = cases(source, isDir).map((c) => ({
    name: c.name,
    prepare: () => freshBucket(c.tool),
    run: (bucket) => {
      const before = motoCpuSeconds();
      const out = c.run(bucket);
      return { ...out, motoBusy: (motoCpuSeconds() - before) / out.seconds };
    },
  }));
  return roundRobin(list, n);
}

writeRcloneConf();
const bigBytes = statSync(big).size;
const smallBytes = SMALL_COUNT * SMALL_SIZE;

let bigResults;
let smallResults;
let hugeResult;
try {
  if (only !== 'small') {
    process.stderr.write('\n1 GiB file\n');
    bigResults = await runRounds(big, false, rounds);
  }
  if (only !== 'big') {
    process.stderr.write('\n10,000 files of 10 KiB\n');
    smallResults = await runRounds(small, true, rounds);
  }
  if (!skip5g && only === 'all') {
    process.stderr.write('\n5 GiB file (peak RSS)\n');
    const bucket = await freshBucket('trove');
    hugeResult = timed(`${CLEAN} node ${TROVE} add input -q`, {
      cwd: troveProject(bucket, huge),
      env: baseEnv,
    });
    process.stderr.write(
      `  trove add 5 GiB: ${hugeResult.seconds.toFixed(1)} s, ${hugeResult.rssMiB.toFixed(0)} MiB\n`,
    );
  }
  await dropBuckets();
} finally {
  client.destroy();
  moto.stop();
  rmSync(WORK, { recursive: true, force: true });
}

const MB = 1e6;
const f = (x) => x.toFixed(2);
function table(results, bytes) {
  const rclone = results['rclone copy'].seconds;
  return Object.entries(results)
    .map(([name, r]) => {
      const speed = bytes / MB / r.seconds;
      const vs = rclone / r.seconds;
      const bold = name === 'trove add' ? '**' : '';
      return `| ${bold}\`${name}\`${bold} | ${f(r.seconds)} [${f(r.min)}–${f(r.max)}] | ${bold}${speed.toFixed(1)}${bold} | ${bold}${vs.toFixed(2)}×${bold} | ${r.rssMiB.toFixed(0)} | ${r.cpuSeconds.toFixed(1)} | ${(100 * r.motoBusy).toFixed(0)}% |`;
    })
    .join('\n');
}
const head =
  '| command | median s [min–max] | MB/s | vs rclone | peak RSS MiB | client CPU s | moto busy |\n|---|---|---|---|---|---|---|';
const versions = [
  spawnSync('rclone', ['version'], { encoding: 'utf8' }).stdout.split('\n')[0],
  spawnSync('aws', ['--version'], { encoding: 'utf8' }).stdout.trim().split(' ')[0],
  `moto ${spawnSync('python3', ['-c', 'import moto;print(moto.__version__)'], { encoding: 'utf8' }).stdout.trim()}`,
].join(', ');
const md = `
## s3-upload (moto on loopback) — \`node bench/s3-upload.mjs\`

${machine()}; ${versions}. Medians of ${rounds} round-robin rounds, wall time of the whole command
(process start-up included), each run into a fresh bucket. trove: \`trove add\` with a \`type: s3\` store
(default options: 8 MiB parts, 8 in flight, 32 objects in flight), which also hashes, writes the \`.dvc\` file and
the run records. rclone: \`rclone copy -I --s3-no-head\` with its defaults (5 MiB chunks, 4 transfers; \`--s3-no-head\`
because its HEAD of the new object with \`versionId=null\` gets a 400 from moto, which fails the copy). aws: \`aws s3 cp\` with
its defaults (8 MiB chunks, 10 requests). MB = 10^6 bytes. *client CPU*: user + system seconds of the command;
*moto busy*: moto's CPU seconds over the wall time. moto is one Python process held to about one core by its lock (~100% = saturated; C code that releases the lock can take it a little over):
on this 2-vCPU machine it is the bottleneck for every tool, so the ratios matter more than the absolute speeds. With
10,000 small files moto is saturated for every tool and spends the same ~2 ms of CPU per PUT whoever sends it, so
those rows measure how much CPU each client leaves to moto: \`trove add\` also hashes every file and checks the md5 of
every body it sends, and the AWS SDK's request path costs more CPU per PUT than rclone's Go client. aws-cli's big-file
lead is moto's: aws declares CRC32 part checksums, and moto completes such an upload much faster than one without (for
those it computes a full-object CRC64NVME over the assembled object); trove sends no checksums with an \`endpoint\`
(\`checksums: when_required\`, for S3-compatible stores), like rclone.

${bigResults ? `**One 1 GiB file**\n\n${head}\n${table(bigResults, bigBytes)}\n` : ''}
${smallResults ? `**10,000 files of 10 KiB (100 MB) in 100 folders**\n\n${head}\n${table(smallResults, smallBytes)}\n` : ''}
${hugeResult ? `**5 GiB file, trove add:** ${f(hugeResult.seconds)} s (${((5 * 1024 ** 3) / MB / hugeResult.seconds).toFixed(1)} MB/s), **${hugeResult.rssMiB.toFixed(0)} MiB** peak RSS (target ≤ 200 MiB).\n` : ''}
Targets: trove ≥ 1.0× rclone's throughput on both; peak RSS ≤ 200 MiB for the 1 GiB and the 5 GiB file.
`;
writeSection('s3-upload', md);
process.stdout.write(md);
