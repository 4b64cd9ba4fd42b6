#!/usr/bin/env node
// bench/azure-upload: trove uploading to Azure Blob Storage (Azurite on loopback), side by side
// with `rclone copy`, round-robin, in one run: one 1 GiB file, 10,000 files of 10 KiB, and the
// peak RSS of trove for a 5 GiB file.
// Usage: node bench/azure-upload.mjs [--rounds 3] [--skip-5g] [--only big|small]
// Needs: a build (pnpm build), rclone (apt-get install rclone; installed if missing), ~7 GiB
// free disk and as much free RAM (Azurite keeps blobs in memory). Writes its section of
// bench/RESULTS.md.
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
  TROVE,
  timed,
  writeSection,
} from './lib.mjs';
import { azuriteVersion, startAzurite } from './servers.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const rounds = Number(option('--rounds', 3)) || 3;
const skip5g = args.includes('--skip-5g');
const only = option('--only', 'all');
const WORK = join(tmpdir(), 'trove-bench-azure-upload');
const SMALL_COUNT = 10_000;
const SMALL_SIZE = 10 * 1024;

// The SDK comes from the backend package and Azurite from test-utils (the bench has no
// dependencies of its own).
const fromBackend = createRequire(join(REPO, 'packages/backend-azure/package.json'));
const { BlobServiceClient } = fromBackend('@azure/storage-blob');
// AWS_CA_BUNDLE makes rclone 1.60 fail (LoadCustomCABundleError) even for Azure.
const CLEAN = 'env -u AWS_CA_BUNDLE';

function requireTools() {
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
requireTools();
const azurite = await startAzurite(WORK);
const { connectionString } = azurite;
const service = BlobServiceClient.fromConnectionString(connectionString);
const big = randomFile('big-1g.bin', 1 << 30);
const small = randomTree('small-10k-10k', {
  folders: 100,
  files: SMALL_COUNT / 100,
  size: SMALL_SIZE,
});
const huge = skip5g ? undefined : randomFile('big-5g.bin', 5 * 2 ** 30);

/** Deletes the containers of earlier cases, so Azurite's memory stays flat. */
const containers = [];
async function dropContainers() {
  for (const name of containers.splice(0)) await service.getContainerClient(name).delete();
}
let counter = 0;
async function freshContainer(tool) {
  await dropContainers();
  const name = `bench-${tool}-${++counter}`;
  await service.getContainerClient(name).create();
  containers.push(name);
  return name;
}

/** A trove project whose store is the container (prefix "trove"), with the data hard-linked in. */
function troveProject(container, source) {
  const dir = join(WORK, 'trove');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, '.trove'), { recursive: true });
  writeFileSync(
    join(dir, 'trove.yaml'),
    `store: bench\nstores:\n  bench: { type: azure, container: ${container}, prefix: trove }\n`,
  );
  spawnSync('cp', ['-al', source, join(dir, 'input')]);
  return dir;
}

const troveEnv = { AZURE_STORAGE_CONNECTION_STRING: connectionString, CI: '1' };

function cases(source) {
  return [
    {
      name: 'trove add',
      tool: 'trove',
      run: (container) =>
        timed(`${CLEAN} node ${TROVE} add input -q`, {
          cwd: troveProject(container, source),
          env: troveEnv,
        }),
    },
    {
      name: 'rclone copy',
      tool: 'rclone',
      run: (container) =>
        timed(
          `${CLEAN} rclone copy -I ${source} :azureblob:${container}/input --azureblob-use-emulator --azureblob-endpoint ${azurite.url}`,
          { env: { CI: '1' } },
        ),
    },
  ];
}

/** CPU seconds Azurite has used so far (utime + stime from /proc; clock ticks of 1/100 s). */
function azuriteCpuSeconds() {
  const fields = readFileSync(`/proc/${azurite.pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Every tool once per round, each into a fresh container made untimed; Azurite's load too. */
function runRounds(source, n) {
  const list = cases(source).map((c) => ({
    name: c.name,
    prepare: () => freshContainer(c.tool),
    run: (container) => {
      const before = azuriteCpuSeconds();
      const out = c.run(container);
      return { ...out, serverBusy: (azuriteCpuSeconds() - before) / out.seconds };
    },
  }));
  return roundRobin(list, n);
}

const bigBytes = statSync(big).size;
const smallBytes = SMALL_COUNT * SMALL_SIZE;
let bigResults;
let smallResults;
let hugeResult;
try {
  if (only !== 'small') {
    process.stderr.write('\n1 GiB file\n');
    bigResults = await runRounds(big, rounds);
  }
  if (only !== 'big') {
    process.stderr.write('\n10,000 files of 10 KiB\n');
    smallResults = await runRounds(small, rounds);
  }
  if (huge && only === 'all') {
    process.stderr.write('\n5 GiB file (peak RSS)\n');
    const container = await freshContainer('trove');
    hugeResult = timed(`${CLEAN} node ${TROVE} add input -q`, {
      cwd: troveProject(container, huge),
      env: troveEnv,
    });
    process.stderr.write(
      `  trove add 5 GiB: ${hugeResult.seconds.toFixed(1)} s, ${hugeResult.rssMiB.toFixed(0)} MiB\n`,
    );
  }
  await dropContainers();
} finally {
  azurite.stop();
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
      return `| ${bold}\`${name}\`${bold} | ${f(r.seconds)} [${f(r.min)}–${f(r.max)}] | ${bold}${speed.toFixed(1)}${bold} | ${bold}${vs.toFixed(2)}×${bold} | ${r.rssMiB.toFixed(0)} | ${r.cpuSeconds.toFixed(1)} | ${(100 * r.serverBusy).toFixed(0)}% |`;
    })
    .join('\n');
}
const head =
  '| command | median s [min–max] | MB/s | vs rclone | peak RSS MiB | client CPU s | Azurite busy |\n|---|---|---|---|---|---|---|';
const versions = `${spawnSync('rclone', ['version'], { encoding: 'utf8' }).stdout.split('\n')[0]}, Azurite ${azuriteVersion()} (in memory)`;
const md = `
## azure-upload (Azurite on loopback) — \`node bench/azure-upload.mjs\`

${machine()}; ${versions}. Medians of ${rounds} round-robin rounds, wall time of the whole command
(process start-up included), each run into a fresh container. trove: \`trove add\` with a \`type: azure\` store
(default options: 8 MiB blocks, 8 in flight, each with its Content-MD5; 32 blobs in flight), which also hashes,
writes the \`.dvc\` file and the run records. rclone: \`rclone copy -I --azureblob-use-emulator --azureblob-endpoint …\`
with its defaults (4 MiB chunks, 4 transfers). MB = 10^6 bytes. *client CPU*: user + system seconds of the command;
*Azurite busy*: Azurite's CPU seconds over the wall time (one Node process: ~100% means it is the bottleneck).
The machine has 2 vCPUs **shared with other engineers' builds and tests while this ran**: the numbers are noisy,
and Azurite, the client and the other work compete for the same cores, so the ratios matter more than the speeds.

${bigResults ? `**One 1 GiB file**\n\n${head}\n${table(bigResults, bigBytes)}\n` : ''}
${smallResults ? `**10,000 files of 10 KiB (100 MB) in 100 folders**\n\n${head}\n${table(smallResults, smallBytes)}\n` : ''}
${hugeResult ? `**5 GiB file, trove add:** ${f(hugeResult.seconds)} s (${((5 * 1024 ** 3) / MB / hugeResult.seconds).toFixed(1)} MB/s), **${hugeResult.rssMiB.toFixed(0)} MiB** peak RSS (target ≤ 200 MiB).\n` : ''}
Targets: trove ≥ 1.0× rclone's throughput on both; peak RSS ≤ 200 MiB for the 1 GiB and the 5 GiB file.
`;
writeSection('azure-upload', md);
process.stdout.write(md);
