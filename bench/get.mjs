#!/usr/bin/env node
// bench/get: `trove get` of a 1 GiB artifact and of a 10,000-file folder from S3 (MinIO), GCS
// (fake-gcs-server) and Azure (Azurite), each beside `rclone copy` of the same bytes from the same
// server, in one run: wall time, peak RSS, the server's CPU, the md5 of what arrived, and then a
// second `trove get` with the cache warm whose requests are counted through test-utils' proxy.
// Each server runs alone (started, measured, stopped) so the others' memory and disk stay free.
// Usage: node bench/get.mjs [--big-mib 1024] [--files 10000] [--only s3,gcs,azure] [--rounds 1]
//        node bench/get.mjs --render <record.json>   (the section again from a run's printed record)
// Needs: a build, minio and fake-gcs-server (go install, servers.mjs), rclone, ~4 GiB free disk.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  cpuSecondsOf,
  importFaultProxy,
  loadAverages,
  machine,
  option,
  printRecord,
  randomFile,
  randomTree,
  TROVE,
  timed,
  timedAsync,
  writeSection,
} from './lib.mjs';
import {
  azuriteVersion,
  createAzuriteContainer,
  createFakeGcsBucket,
  createMinioBucket,
  MINIO_PASSWORD,
  MINIO_USER,
  minioEnv,
  startAzurite,
  startFakeGcs,
  startMinio,
} from './servers.mjs';

const startFaultProxy = await importFaultProxy();

const BIG_MIB = Number(option('--big-mib', 1024));
const FILES = Number(option('--files', 10_000));
const ROUNDS = Number(option('--rounds', 1));
const ONLY = option('--only', 's3,gcs,azure').split(',');
const WORK = join(tmpdir(), 'trove-bench-get');
const BUCKET = 'bench-get';
// AWS_CA_BUNDLE makes rclone 1.60 fail (LoadCustomCABundleError), AWS_PROFILE would override the
// credentials, STORAGE_EMULATOR_HOST would override trove's apiEndpoint.
const CLEAN = 'env -u AWS_CA_BUNDLE -u AWS_PROFILE -u STORAGE_EMULATOR_HOST';
// `--render <file>`: write the section again from a run's record (what the run printed), e.g.
// after a change to the text; nothing is measured.
const RENDER = option('--render', undefined);

/** Makes the data (once), then measures each service in turn; the run's record. */
async function measureAll() {
  const loadBefore = loadAverages();
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(WORK, { recursive: true });
  const big = randomFile(`get-${BIG_MIB}m.bin`, BIG_MIB * 2 ** 20);
  const folders = Math.max(1, Math.round(FILES / 100));
  const tree = randomTree(`get-${FILES}x10k`, {
    folders,
    files: Math.round(FILES / folders),
    size: 10 * 1024,
  });
  // The big file's md5, and what an md5 check of every byte costs here, from one read of it.
  const { md5: bigMd5, seconds: md5HashSeconds } = hashFile(big);
  const data = { big, tree, bigMd5, treeDigest: treeMd5(tree) };
  const results = {};
  for (const name of ONLY) {
    const service = SERVICES[name];
    if (!service) throw new Error(`unknown service ${name}`);
    process.stderr.write(`${service.label}\n`);
    const dir = join(WORK, name);
    const server = await service.start(join(dir, 'server'));
    try {
      results[name] = await measure(service, server, dir, data);
    } finally {
      server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const out = {
    results,
    loadBefore,
    loadAfter: loadAverages(),
    md5HashSeconds,
    ROUNDS,
    BIG_MIB,
    FILES,
  };
  printRecord(out);
  return out;
}

/**
 * The md5 of `path`, and the seconds Node's md5 (OpenSSL's, the one trove uses) took over its
 * bytes, the hashing alone: the file is read in 4 MiB chunks and only the updates are timed. The
 * least time any get that checks every byte's md5, in one stream, can take on this machine.
 */
function hashFile(path) {
  const hash = createHash('md5');
  const buffer = Buffer.allocUnsafe(4 << 20);
  const fd = openSync(path, 'r');
  let spent = 0;
  try {
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      const t0 = performance.now();
      hash.update(buffer.subarray(0, n));
      spent += performance.now() - t0;
    }
  } finally {
    closeSync(fd);
  }
  return { md5: hash.digest('hex'), seconds: spent / 1000 };
}

/**
 * The most a get that checks every byte's md5 can reach beside plain rclone copy of the big file
 * here, by two limits from the run's own numbers: the hash alone (one stream, one core), and the
 * 2 cores, which must also carry what rclone's copy cost its client and the server (where rclone
 * checks nothing itself: on GCS it already pays for an md5).
 */
function md5Ceilings(results, md5HashSeconds, med) {
  const f = (x) => x.toFixed(2);
  const big = Object.entries(results).filter(([, byWhat]) => byWhat.big);
  const rcloneSeconds = (rows) => med(rows['rclone copy'].map((r) => r.seconds));
  const byHash = big.map(
    ([name, { big: rows }]) =>
      `${SERVICES[name].label} ${f(rcloneSeconds(rows) / md5HashSeconds)}×`,
  );
  const byCores = big
    .filter(([name]) => !SERVICES[name].rcloneChecksMd5)
    .map(([name, { big: rows }]) => {
      const copy = rows['rclone copy'];
      const floor =
        (md5HashSeconds + med(copy.map((r) => r.cpuSeconds)) + med(copy.map((r) => r.server))) / 2;
      return `${SERVICES[name].label} ${f(rcloneSeconds(rows) / floor)}× (at least ${f(floor)} s)`;
    });
  return ` So beside plain \`rclone copy\` a get that checks every byte's md5 can reach at most: by the hash alone, ${byHash.join(', ')} (rclone's time ÷ the hash's); by the 2 cores, which must carry the hash, what rclone's copy cost its client and the server, ${byCores.join(', ')} (rclone's time ÷ half their sum), with nothing spent on a cache's second copy, which trove writes and rclone does not.`;
}

/** stdout of a shell command that must succeed. */
function md5sum(cmd) {
  const r = spawnSync('bash', ['-c', cmd], { encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`failed: ${cmd}\n${r.stderr}`);
  return r.stdout;
}

/** One md5 over every file's relative path and md5 (the `.done` mark of randomTree left out). */
function treeMd5(dir) {
  return md5sum(
    `cd ${dir} && find . -type f ! -name .done -print0 | LC_ALL=C sort -z | xargs -0 md5sum | md5sum`,
  ).split(' ')[0];
}

/**
 * Each service: how trove's store and rclone reach it. `store(endpoint)` is the store's entry in
 * trove.yaml (the endpoint is the server's, or the counting proxy's); `rclone` the remote and
 * flags of an on-the-fly rclone remote.
 */
const SERVICES = {
  s3: {
    label: 'S3 (MinIO)',
    start: (dir) => startMinio(dir),
    bucket: (server) => createMinioBucket(server.url, BUCKET),
    env: () => minioEnv(),
    store: (endpoint) =>
      `{ type: s3, bucket: ${BUCKET}, endpoint: "${endpoint}", forcePathStyle: true, prefix: trove }`,
    rclone: (server) =>
      `:s3:${BUCKET} --s3-provider Minio --s3-env-auth=false --s3-access-key-id ${MINIO_USER} --s3-secret-access-key ${MINIO_PASSWORD} --s3-region us-east-1 --s3-endpoint ${server.url}`,
  },
  gcs: {
    label: 'GCS (fake-gcs-server)',
    // GCS reports every object's md5, and plain rclone copy checks it.
    rcloneChecksMd5: true,
    start: (dir) => startFakeGcs(dir),
    bucket: (server) => createFakeGcsBucket(server.url, BUCKET),
    env: () => ({ CI: '1' }),
    // The setup's upload goes in one request: fake-gcs-server re-hashes a whole resumable
    // session on every chunk (emulators.md), which would make the (untimed) setup quadratic.
    store: (endpoint, setup) =>
      `{ type: gcs, bucket: ${BUCKET}, apiEndpoint: "${endpoint}", projectId: bench, prefix: trove${setup ? `, chunkSize: ${(BIG_MIB + 1) * 2 ** 20}` : ''} }`,
    rclone: (server) => `:gcs:${BUCKET} --gcs-endpoint ${server.url}/storage/v1/ --gcs-anonymous`,
  },
  azure: {
    label: 'Azure (Azurite)',
    start: (dir) => startAzurite(dir),
    bucket: (server) => createAzuriteContainer(server.connectionString, BUCKET),
    // Through the proxy: the same account path on the proxy's origin.
    env: (server, origin = new URL(server.url).origin) => ({
      CI: '1',
      AZURE_STORAGE_CONNECTION_STRING: server.connectionString.replace(
        new URL(server.url).origin,
        origin,
      ),
    }),
    store: () => `{ type: azure, container: ${BUCKET}, prefix: trove }`,
    rclone: (server) =>
      `:azureblob:${BUCKET} --azureblob-use-emulator --azureblob-endpoint ${server.url}`,
  },
};

/** Logs the data (untimed), then times the gets and rclone copies of it. */
async function measure(service, server, dir, { big, tree, bigMd5, treeDigest }) {
  await service.bucket(server);
  const project = join(dir, 'project');
  mkdirSync(project, { recursive: true });
  const env = service.env(server);
  const config = (endpoint, cache, setup = false) =>
    writeFileSync(
      join(project, 'trove.yaml'),
      `store: bench\nstores:\n  bench: ${service.store(endpoint, setup).replace(/ }$/, cache ? `, cache: { path: "${cache}", size: 100GB } }` : ' }')}\n`,
    );
  timed(`node ${TROVE} init -q`, { cwd: project, env });
  config(server.url, undefined, true);
  spawnSync('cp', ['-l', big, join(project, 'big.bin')]);
  spawnSync('cp', ['-al', tree, join(project, 'files')]);
  rmSync(join(project, 'files/.done'));
  const added = (path) =>
    JSON.parse(timed(`${CLEAN} node ${TROVE} add ${path} --json`, { cwd: project, env }).stdout)
      .artifact.md5;
  const md5s = { big: added('big.bin'), folder: added('files') };
  rmSync(join(project, 'big.bin'));
  rmSync(join(project, 'files'), { recursive: true });
  // rclone reads trove's object of the big file itself, and a copy of the folder it uploaded
  // under `rclone/` (trove's objects of the folder are spread over files/md5/<xx>/ among others).
  const remote = service.rclone(server);
  const [bucketPath, ...flags] = remote.split(' ');
  const rcloneSource = {
    big: `${bucketPath}/trove/files/md5/${md5s.big.slice(0, 2)}/${md5s.big.slice(2)}`,
    folder: `${bucketPath}/rclone/files`,
    // rclone's own upload of the big file carries an md5 rclone can read (S3: its
    // X-Amz-Meta-Md5chksum; Azure: Content-MD5), so its copy of that one checks md5 as trove does.
    checked: `${bucketPath}/rclone/big.bin`,
  };
  // Untimed: 16 at once (its 4 took over 10 minutes into Azurite).
  timed(
    `${CLEAN} rclone copy --transfers 16 ${tree} ${rcloneSource.folder} --exclude .done ${flags.join(' ')}`,
    {
      env,
    },
  );

  timed(`${CLEAN} rclone copyto ${big} ${rcloneSource.checked} ${flags.join(' ')}`, { env });

  const check = {
    big: (path) => md5sum(`md5sum ${path}`).split(' ')[0] === bigMd5,
    folder: (path) => treeMd5(path) === treeDigest,
  };
  // A folder's 10,000 files are moved aside, not removed, until the service is done: ext4 skips
  // the inodes of files removed in the last 60-300 s when it makes new ones, reading inode
  // blocks to do so, and a command run right after 20,000 removals paid up to 10 s more of
  // kernel time for it (trove more than rclone, as trove's get follows the largest removals).
  // The big file's few inodes are removed at once.
  const aside = join(dir, 'aside');
  mkdirSync(aside, { recursive: true });
  let asideCount = 0;
  const out = {};
  for (const what of ['big', 'folder']) {
    const discard = (path) => {
      if (what === 'folder' && existsSync(path))
        renameSync(path, join(aside, String(asideCount++)));
      else rmSync(path, { recursive: true, force: true });
    };
    const rows = { 'trove get': [], 'rclone copy': [], 'trove get, warm cache': [] };
    if (what === 'big') rows['rclone copy, md5 checked'] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const cache = join(dir, `cache-${what}-${round}`);
      const dest = join(project, `got-${what}`);
      const troveCold = () => {
        config(server.url, cache);
        const cpu0 = cpuSecondsOf(server.pid);
        spawnSync('sync');
        const cold = timed(`${CLEAN} node ${TROVE} get ${md5s[what]} -o ${dest} -q`, {
          cwd: project,
          env,
        });
        rows['trove get'].push({
          ...cold,
          server: cpuSecondsOf(server.pid) - cpu0,
          ok: check[what](dest),
        });
        discard(dest);
      };
      const rcloneCopies = () => {
        // rclone copy of the same bytes from the same server, with its defaults.
        const rdest = join(dir, `rclone-${what}`);
        const cpu1 = cpuSecondsOf(server.pid);
        spawnSync('sync');
        const r = timed(`${CLEAN} rclone copy ${rcloneSource[what]} ${rdest} ${flags.join(' ')}`, {
          env,
        });
        const got = what === 'big' ? join(rdest, readdirSync(rdest)[0]) : rdest;
        rows['rclone copy'].push({
          ...r,
          server: cpuSecondsOf(server.pid) - cpu1,
          ok: check[what](got),
        });
        discard(rdest);
        if (what === 'big') {
          const cpu2 = cpuSecondsOf(server.pid);
          spawnSync('sync');
          const c = timed(
            `${CLEAN} rclone copy ${rcloneSource.checked} ${rdest} ${flags.join(' ')} -vv`,
            { env },
          );
          rows['rclone copy, md5 checked'].push({
            ...c,
            server: cpuSecondsOf(server.pid) - cpu2,
            ok: check.big(join(rdest, 'big.bin')),
            // Whether rclone says it checked the md5 (Azurite returns no Content-MD5 for a blob
            // rclone uploaded in blocks, so there it checks nothing either).
            rcloneChecked: /md5 = [0-9a-f]{32} OK/.test(c.stderr ?? ''),
          });
          discard(rdest);
        }
      };
      // Which tool goes first alternates from round to round: the first command after the
      // data was uploaded (or after the other tool) may pay for what came before it.
      if (round % 2 === 0) {
        troveCold();
        rcloneCopies();
      } else {
        rcloneCopies();
        troveCold();
      }

      // The same get again with the cache warm, its requests counted through the proxy.
      const proxy = await startFaultProxy({ upstream: new URL(server.url).origin, seed: 21 });
      try {
        config(proxy.url, cache);
        spawnSync('sync');
        const warm = await timedAsync(`${CLEAN} node ${TROVE} get ${md5s[what]} -o ${dest} -q`, {
          cwd: project,
          env: service.env(server, proxy.url),
        });
        rows['trove get, warm cache'].push({
          ...warm,
          requests: proxy.counts().requests,
          ok: check[what](dest),
        });
      } finally {
        await proxy.stop();
        discard(dest);
        discard(cache);
      }
      for (const [k, v] of Object.entries(rows))
        process.stderr.write(
          `  ${what} round ${round + 1} ${k}: ${v.at(-1).seconds.toFixed(2)} s, ${v.at(-1).rssMiB.toFixed(0)} MiB${v.at(-1).requests !== undefined ? `, ${v.at(-1).requests} requests` : ''}, md5 ${v.at(-1).ok ? 'ok' : 'WRONG'}\n`,
        );
    }
    out[what] = rows;
  }
  return out;
}

/** bench/RESULTS.md's section from a run's record. */
function render({ results, loadBefore, loadAfter, md5HashSeconds, ROUNDS, BIG_MIB, FILES, note }) {
  const f = (x) => x.toFixed(2);
  const med = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  const lines = [];
  for (const [name, byWhat] of Object.entries(results)) {
    for (const [what, rows] of Object.entries(byWhat)) {
      const rclone = med(rows['rclone copy'].map((r) => r.seconds));
      for (const [cmd, rs] of Object.entries(rows)) {
        const s = med(rs.map((r) => r.seconds));
        const warm = cmd.includes('warm');
        lines.push(
          `| ${SERVICES[name].label} | ${what === 'big' ? `${BIG_MIB} MiB file` : `${FILES.toLocaleString('en')} × 10 KiB`} | ${cmd === 'trove get' ? '**`trove get`**' : `\`${cmd}\``} | ${f(s)} | ${warm || cmd.includes('md5 checked') ? '–' : `${f(rclone / s)}×`} | ${Math.max(...rs.map((r) => r.rssMiB)).toFixed(0)} | ${rs.every((r) => r.cpuSeconds !== undefined) ? f(med(rs.map((r) => r.cpuSeconds))) : '–'} | ${warm ? '–' : f(med(rs.map((r) => r.server)))} | ${warm ? rs.map((r) => r.requests).join(', ') : '–'} | ${rs.every((r) => r.ok) ? 'ok' : '**wrong**'}${rs.some((r) => r.rcloneChecked === false) ? ' (rclone checked none)' : ''} |`,
        );
      }
    }
  }
  // trove get beside rclone's md5-checked copy of the big file, per service.
  const checked = Object.entries(results)
    .filter(([, byWhat]) => byWhat.big?.['rclone copy, md5 checked']?.every((r) => r.rcloneChecked))
    .map(([name, { big }]) => {
      const ratio =
        med(big['rclone copy, md5 checked'].map((r) => r.seconds)) /
        med(big['trove get'].map((r) => r.seconds));
      return `${SERVICES[name].label} ${f(ratio)}×`;
    });
  // The most any md5-checking get of the big file can reach beside plain rclone copy here.
  const ceiling = md5Ceilings(results, md5HashSeconds, med);
  const checkedLine = checked.length
    ? `Beside that md5-checked copy, \`trove get\` of the big file runs at: ${checked.join(', ')}.`
    : '';
  const rcloneVersion = spawnSync('rclone', ['version'], { encoding: 'utf8' }).stdout.split(
    '\n',
  )[0];
  writeSection(
    'get',
    `## get: \`trove get\` from S3 (MinIO), GCS (fake-gcs-server) and Azure (Azurite) beside \`rclone copy\` (\`bench/get.mjs\`)

${machine()}; ${rcloneVersion}; fake-gcs-server v1.56.1 (\`-backend filesystem\`), Azurite ${azuriteVersion()}
(in memory), MinIO (on disk). Load average before: ${loadBefore}; after: ${loadAfter}. ${ROUNDS === 1 ? 'One round' : `Medians of ${ROUNDS} rounds`}.${note ? `\n${note}` : ''}

Each server alone on loopback; the data logged into a trove store there first (\`trove add\`, not
timed). \`trove get <md5> -o <dest>\` runs as a new process with a fresh, empty cache folder
(\`cache: { path }\` on the store); \`rclone copy\` (its defaults: 4 transfers, multi-thread
download of files over 250 MiB) reads trove's object of the big file and, for the folder, a copy
rclone uploaded of the same files; which of the two goes first alternates from round to round
(trove first in the odd rounds). "client CPU s" is the command's user + system time, "server
CPU s" the server process's during the command. md5: every file that arrived, checked against the source. The warm get runs the same
command again through test-utils' proxy, which counts every request.

| service | data | command | seconds | rclone ÷ this | peak RSS MiB | client CPU s | server CPU s | requests | md5 |
|---|---|---|---|---|---|---|---|---|---|
${lines.join('\n')}

\`rclone copy, md5 checked\` copies rclone's own upload of the same big file, which carries an
md5 rclone reads (S3: its X-Amz-Meta-Md5chksum, Azure: Content-MD5); its log says \`md5 = … OK\`.
On trove's object rclone checks nothing on S3 and Azure (\`Src hash empty - aborting Dst hash
check\`: a multipart upload has no md5 it can read), and on GCS, which reports an md5 of every
object, both rows check it. ${checkedLine}

What bounds these numbers. The machine has 2 cores, shared with the server under test, so a
command's wall time is mostly waiting for a core: compare the CPU columns. (1) The md5 check:
Node's md5 (OpenSSL's, trove's) of the ${BIG_MIB} MiB file takes ${f(md5HashSeconds)} s here, the hashing
alone with its bytes in memory, and \`trove get\` checks every byte's md5 (on a thread of its own, beside the download),
so it cannot take less than that whatever the network, while plain \`rclone copy\` of trove's
object pays nothing for it.${ceiling} (2) The folder: one request per object, whose client-side CPU
sets much of the time. A bare loop of 10,000 \`GetObjectCommand\`s with @aws-sdk/client-s3, 32
at a time, bodies discarded, took 6.1 s of one core on MinIO here, quiet, more than rclone's
whole copy; so S3 and GCS reads now go through Node's \`http\` (S3 signed by the SDK's own
signer), where the same 10,000 reads took 1.4–1.6 s of CPU; and an object of up to 1 MiB is
written with synchronous file calls once it has arrived whole (each open, write, close and rename
handed to Node's thread pool and back had cost more than the call: the S3 folder took 8.60 s
before that, 5.58 s after); and the CLI lets V8's young generation grow (to 16 MiB) once a run of
small objects has come through, where it had kept it at 1 MiB for the large ones' sake: a
10,000-file get made 741 scavenges of it (0.53 s of CPU), 5.58–5.74 s in the runs before that
change (cli/src/young-generation.ts). Azure reads still go through its
SDK: Azurite's own CPU per request (2.8–4.4 ms at 10,000 blobs, growing with the container, against
0.8–0.9 ms at 2,000) is the time there, whatever the client. (3) The cache: trove
makes two files per object (the destination and the cache's copy, which the 0-request second
get needs), rclone one. On this machine's ext4 creating a file costs 20–350 µs of kernel time
depending on where its inode lands (\`perf\`: \`find_inode_bit\` and \`recently_deleted\` reading
inode blocks, worst right after many files were removed: ext4 skips inodes freed in the last
60–300 s). So the bench moves each command's folder aside and removes them all once the service
is done; before it did that, a get right after the previous round's 20,000 removals paid up to
10 s more of kernel time, and the folder's times moved by several seconds from one round to the
next, for both tools. (4) The
servers: their CPU during each command is in the table; Azurite and fake-gcs-server are single
Node / Go processes whose per-request cost is far above a real service's (Azurite spent 4.3 s
of CPU serving a 1 GiB get in 128 ranges of 8 MiB, which is why a large object is now read in
32 ranges at most).

Targets (issue 21): \`trove get\` ≥ 1.0× \`rclone copy\` from the same emulator; peak RSS ≤ 200 MiB;
a second \`get\` from the cache makes 0 requests.
`,
  );
}

const record = RENDER ? JSON.parse(readFileSync(RENDER, 'utf8')) : await measureAll();
render(record);
