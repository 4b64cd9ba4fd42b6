#!/usr/bin/env node
// bench/sync: `trove push` of 100,000 × 1 KiB files and one 1 GiB file from the local store to
// S3 (MinIO on loopback), side by side in one run with `rclone sync` of the same files and
// `dvc push` of the same data (`dvc add`ed), then a no-op `trove push` whose requests are counted
// through test-utils' proxy (no faults) by kind. Each tool sends into a bucket of its own.
// Beside the wall time: each command's CPU seconds and MinIO's over the same command (from
// /proc), which give one limit: on 2 cores a tool takes at least (its CPU + MinIO's) / 2; and a
// bare loop of PutObjects of the same small files (bench/put-floor.mjs), the other.
// Usage: node bench/sync.mjs [--files 100000] [--big-mib 1024] [--skip-dvc] [--rclone-32]
// Needs: a build, minio (go install, servers.mjs), rclone (apt-get install rclone), dvc[s3].
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cpuSecondsOf,
  importFaultProxy,
  loadAverages,
  machine,
  option,
  printRecord,
  REPO,
  randomFile,
  randomTree,
  TROVE,
  timed,
  timedAsync,
  writeSection,
} from './lib.mjs';
import { createMinioBucket, MINIO_PASSWORD, MINIO_USER, minioEnv, startMinio } from './servers.mjs';

const startFaultProxy = await importFaultProxy();

const args = process.argv.slice(2);
const FILES = Number(option('--files', 100_000));
const BIG_MIB = Number(option('--big-mib', 1024));
const skipDvc = args.includes('--skip-dvc');
// dvc without its S3 plugin fails only at `dvc push`, after every other command has run: asked first.
if (!skipDvc && !/\bs3 \(/.test(spawnSync('dvc', ['version'], { encoding: 'utf8' }).stdout ?? '')) {
  throw new Error('dvc has no S3 support here: pip install "dvc[s3]" (or pass --skip-dvc).');
}
const WORK = join(tmpdir(), 'trove-bench-sync');
const load = loadAverages();

rmSync(WORK, { recursive: true, force: true });
mkdirSync(WORK, { recursive: true });
const folders = Math.max(1, Math.round(FILES / 1000));
const tree = randomTree(`sync-${FILES}x1k`, {
  folders,
  files: Math.round(FILES / folders),
  size: 1024,
});
const big = randomFile(`sync-${BIG_MIB}m.bin`, BIG_MIB * 2 ** 20);
const minio = await startMinio(join(WORK, 'minio'));
const env = minioEnv();
const CLEAN = 'env -u AWS_CA_BUNDLE -u AWS_PROFILE';
const results = {};

/** MinIO's CPU seconds so far (user + system, from /proc). */
function serverCpu() {
  return cpuSecondsOf(minio.pid);
}

/** `run()` (a timed command), with MinIO's CPU seconds over it. */
async function withServerCpu(run) {
  const before = serverCpu();
  const r = await run();
  return { ...r, serverCpu: serverCpu() - before };
}

/** Two timed commands as one row. */
function both(a, b) {
  return {
    seconds: a.seconds + b.seconds,
    rssMiB: Math.max(a.rssMiB, b.rssMiB),
    cpuSeconds: a.cpuSeconds + b.cpuSeconds,
    serverCpu: a.serverCpu + b.serverCpu,
  };
}

try {
  // trove: the data logged into the project's embedded store (not timed), then pushed.
  await createMinioBucket(minio.url, 'trove-push');
  const proxy = await startFaultProxy({ upstream: minio.url, seed: 1, match: () => false });
  const project = join(WORK, 'trove');
  mkdirSync(project);
  const store = (endpoint) =>
    `remote: team\nstores:\n  team: { type: s3, bucket: trove-push, endpoint: "${endpoint}", forcePathStyle: true, checksums: when_required }\n`;
  timed(`node ${TROVE} init -q`, { cwd: project, env });
  writeFileSync(join(project, 'trove.yaml'), store(minio.url));
  spawnSync('cp', ['-al', tree, join(project, 'files')]);
  spawnSync('cp', ['-l', big, join(project, 'big.bin')]);
  timed(`node ${TROVE} add files -q && node ${TROVE} add big.bin -q`, { cwd: project, env });
  const push = await withServerCpu(() =>
    timed(`${CLEAN} node ${TROVE} push --json`, { cwd: project, env }),
  );
  results.trove = { ...push, summary: JSON.parse(push.stdout) };

  // The no-op push, through the counting proxy.
  writeFileSync(join(project, 'trove.yaml'), store(proxy.url));
  const requests = [];
  proxy.setFaults({
    match: (r) => {
      requests.push(r);
      return false; // counted, never faulted
    },
  });
  const noop = await timedAsync(`${CLEAN} node ${TROVE} push --json`, { cwd: project, env });
  // Two more, not counted: how steady the time is.
  const again = [];
  proxy.setFaults({ match: () => false });
  for (let i = 0; i < 2; i++) {
    again.push(await timedAsync(`${CLEAN} node ${TROVE} push --json`, { cwd: project, env }));
  }
  const kinds = {};
  for (const r of requests) {
    const kind =
      r.method === 'GET' && /[?&]list-type=2/.test(r.url) ? 'LIST' : `${r.method} (not a listing)`;
    kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  results.noop = {
    ...noop,
    summary: JSON.parse(noop.stdout),
    kinds,
    again: again.map((r) => JSON.parse(r.stdout).seconds),
    againWall: again.map((r) => r.seconds),
  };
  await proxy.stop();

  // The limit: MinIO taking the same small files from a bare loop of PutObjects (the big file
  // left out, so it is a bound on a whole push's time, not an estimate of it).
  await createMinioBucket(minio.url, 'floor');
  results.floor = await withServerCpu(() =>
    timed(`node ${join(REPO, 'bench/put-floor.mjs')} ${minio.url} floor ${tree}`, { env }),
  );

  // rclone sync of the same files and file, with its defaults and with trove's concurrency.
  const conf = join(WORK, 'rclone.conf');
  writeFileSync(
    conf,
    `[minio]\ntype = s3\nprovider = Minio\nenv_auth = false\naccess_key_id = ${MINIO_USER}\nsecret_access_key = ${MINIO_PASSWORD}\nregion = us-east-1\nendpoint = ${minio.url}\n`,
  );
  const rcloneCases = [['rclone sync', '']];
  if (args.includes('--rclone-32')) {
    rcloneCases.push(['rclone sync --transfers 32 --checkers 32', '--transfers 32 --checkers 32']);
  }
  for (const [name, flags] of rcloneCases) {
    const bucket = name.includes('32') ? 'rclone-32' : 'rclone-default';
    await createMinioBucket(minio.url, bucket);
    const a = await withServerCpu(() =>
      timed(`${CLEAN} rclone sync ${flags} --config ${conf} ${tree} minio:${bucket}/files`, {
        env,
      }),
    );
    const b = await withServerCpu(() =>
      timed(`${CLEAN} rclone sync ${flags} --config ${conf} ${big} minio:${bucket}/big`, { env }),
    );
    results[name] = both(a, b);
  }

  // dvc push of the same data.
  if (!skipDvc) {
    await createMinioBucket(minio.url, 'dvc-push');
    const repo = join(WORK, 'dvc');
    mkdirSync(repo);
    const sh = (cmd) => timed(`${CLEAN} bash -c '${cmd}'`, { cwd: repo, env });
    sh('git init -q && dvc init -q');
    spawnSync('cp', ['-al', tree, join(repo, 'files')]);
    spawnSync('cp', ['-l', big, join(repo, 'big.bin')]);
    sh(
      `dvc add -q files big.bin && dvc remote add -d minio s3://dvc-push && dvc remote modify minio endpointurl ${minio.url}`,
    );
    results['dvc push'] = await withServerCpu(() =>
      timed(`${CLEAN} dvc push -q`, { cwd: repo, env }),
    );
  }
} finally {
  minio.stop();
}

const t = results.trove.seconds;
const objects = results.trove.summary.objects;
const perObject = (s) => ((s / objects) * 1000).toFixed(2);
const row = (name, r) =>
  `| ${name} | ${r.seconds.toFixed(1)} | ${(t > 0 ? r.seconds / t : 0).toFixed(2)}× | ${r.rssMiB.toFixed(0)} | ${r.cpuSeconds.toFixed(1)} | ${r.serverCpu.toFixed(1)} | ${perObject(r.cpuSeconds + r.serverCpu)} | ${((r.cpuSeconds + r.serverCpu) / 2).toFixed(1)} |`;
const dvc = results['dvc push'];
const { floor } = results;
const limit = dvc
  ? `The last row is the limit MinIO sets: the ${FILES.toLocaleString('en')} small files alone, sent by a bare loop of
signed PutObjects (\`bench/put-floor.mjs\`: ${JSON.parse(floor.stdout).concurrency} at a time, no listing, no records, no big
file) took ${floor.seconds.toFixed(1)} s, MinIO's CPU ${floor.serverCpu.toFixed(1)} s of it (by hand, 8 to 128 at a time did no
better, with a quarter of the cores idle: the server sets this pace, not the client). A push of the same data sends at least these
objects to the same server, so \`dvc push\` ÷ trove push could be at most ${(dvc.seconds / floor.seconds).toFixed(2)}× here even for a
trove as fast as the loop. trove push took ${(t / floor.seconds).toFixed(2)}× the loop's time, the big file and the records included.

On 2 cores a command takes at least (its CPU + MinIO's) / 2 seconds (the last column). A
trove that used no CPU at all would still cost MinIO ${perObject(results.trove.serverCpu)} ms an object, so
\`dvc push\` ÷ trove push can reach at most ${((dvc.cpuSeconds + dvc.serverCpu) / results.trove.serverCpu).toFixed(2)}× here, when both are bound by the cores
(dvc's CPU and MinIO's for dvc, over MinIO's for trove); with trove's own CPU, ${((dvc.cpuSeconds + dvc.serverCpu) / (results.trove.cpuSeconds + results.trove.serverCpu)).toFixed(2)}×.`
  : '';
const dvcVersion = spawnSync('dvc', ['--version'], { encoding: 'utf8' }).stdout.trim();
const rcloneVersion = spawnSync('rclone', ['version'], { encoding: 'utf8' }).stdout.split('\n')[0];
writeSection(
  'sync',
  `## sync: \`trove push\` local → S3 (MinIO) beside \`rclone sync\` and \`dvc push\` (\`bench/sync.mjs\`)

${machine()}; ${rcloneVersion}; DVC ${dvcVersion}; load average before: ${load}.
${FILES.toLocaleString('en')} files of 1 KiB and one ${BIG_MIB} MiB file, each tool into a bucket of its own on
one MinIO, one round. trove pushes from the project's embedded store after \`trove add\` (not
timed); DVC pushes from its cache after \`dvc add\` (not timed); rclone syncs the files themselves.
trove sent ${results.trove.summary.objects.toLocaleString('en')} objects, ${(results.trove.summary.bytes / 2 ** 20).toFixed(0)} MiB.

| command | seconds | time ÷ trove's | peak RSS MiB | client CPU s | MinIO CPU s | CPU ms an object (both) | floor on 2 cores, s |
|---|---|---|---|---|---|---|---|
${Object.entries(results)
  .filter(([k]) => k !== 'noop' && k !== 'floor')
  .map(([k, r]) => row(k === 'trove' ? 'trove push' : k, r))
  .join('\n')}
${row('bare PutObject loop, small files only (the limit)', floor)}

${limit}

No-op \`trove push\` (everything already there), its requests counted by kind through the proxy:
${results.noop.seconds.toFixed(2)} s wall (${results.noop.summary.seconds.toFixed(2)} s in the command's own count), ${Object.entries(
    results.noop.kinds,
  )
    .map(([k, n]) => `${n} ${k}`)
    .join(
      ', ',
    )}; it sent ${results.noop.summary.objects} objects. Two more: ${results.noop.againWall
    .map((w) => `${w.toFixed(2)} s`)
    .join(', ')} wall.

Targets (issue 21): trove push ≥ 1.0× \`rclone sync\` and ≥ 5× \`dvc push\` on the same data; a no-op
sync makes only listing requests and takes ≤ 2 s. The machine is shared: the load average is
given above; other sessions' work ran beside every command.
`,
);
printRecord(results);
