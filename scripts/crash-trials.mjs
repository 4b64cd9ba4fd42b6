#!/usr/bin/env node
// kill -9 at random moments of `trove add` (a file large enough to be mid-copy or mid-upload,
// and a directory of many small files), then `trove gc --grace 0 --force`, then an audit from outside
// trove: `trove verify`, every run.json parsed, every .dvc pointer resolved, and every stored key
// accounted for (no staging, no temp files, no orphan objects, no multipart uploads).
// The larger sibling of packages/cli/test/crash.test.ts. Needs `pnpm build` first; S3 trials
// need moto_server on PATH (pip install 'moto[server]').
//
//   node scripts/crash-trials.mjs [--trials 200] [--store local|s3|both] [--file-mib 24] [--dir-files 400]
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const BIN = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
const MIB = 1024 * 1024;
const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '200' },
    store: { type: 'string', default: 'both' },
    'file-mib': { type: 'string', default: '24' },
    'dir-files': { type: 'string', default: '400' },
  },
});
const TRIALS = Number(values.trials);
const FILE_SIZE = Number(values['file-mib']) * MIB;
const DIR_FILES = Number(values['dir-files']);
const MOTO = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' };

function trove(args, cwd, env = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: '1', ...env },
    maxBuffer: 1 << 28,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function addKilledAfter(args, cwd, env, delay) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, CI: '1', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c) => {
      stderr += c;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), delay);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
  });
}

function freshInputs(cwd, trial) {
  const file = `model-${trial}.bin`;
  const bytes = Buffer.alloc(FILE_SIZE, trial & 0xff);
  randomBytes(64).copy(bytes);
  writeFileSync(join(cwd, file), bytes);
  const dir = `data-${trial}`;
  mkdirSync(join(cwd, dir));
  for (let i = 0; i < DIR_FILES; i++)
    writeFileSync(join(cwd, dir, `f${i}.txt`), `${trial}/${i}/${randomBytes(8).toString('hex')}`);
  return { file, dir };
}

// --- the store seen from outside trove ---------------------------------------------------------

function localKeys(root) {
  const out = new Map();
  const visit = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) visit(path);
      else out.set(relative(root, path), statSync(path).size);
    }
  };
  visit(root);
  for (const k of [...out.keys()]) if (k.startsWith('tmp/') || k === '.gitignore') out.delete(k);
  return out;
}

async function s3Keys(endpoint, bucket, prefix) {
  const out = new Map();
  let token = '';
  for (;;) {
    const q = `list-type=2&prefix=${encodeURIComponent(`${prefix}/`)}${token ? `&continuation-token=${encodeURIComponent(token)}` : ''}`;
    const xml = await (await fetch(`${endpoint}/${bucket}?${q}`)).text();
    for (const m of xml.matchAll(/<Contents>(.*?)<\/Contents>/gs)) {
      const key = /<Key>([^<]*)<\/Key>/.exec(m[1])[1];
      out.set(key.slice(prefix.length + 1), Number(/<Size>(\d+)<\/Size>/.exec(m[1])[1]));
    }
    const next = /<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(xml);
    if (!next) return out;
    token = next[1];
  }
}

async function s3Uploads(endpoint, bucket) {
  const xml = await (await fetch(`${endpoint}/${bucket}?uploads`)).text();
  return [...xml.matchAll(/<Upload>(.*?)<\/Upload>/gs)].map(
    (m) => /<Key>([^<]*)<\/Key>/.exec(m[1])[1],
  );
}

function pointerMd5s(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (['.trove', '.git', '.dvc', 'node_modules'].includes(e.name)) continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...pointerMd5s(path));
    else if (e.name.endsWith('.dvc'))
      out.push(...(readFileSync(path, 'utf8').match(/[0-9a-f]{32}(?:\.dir)?/g) ?? []));
  }
  return out;
}

const objectKey = (md5) => `files/md5/${md5.slice(0, 2)}/${md5.slice(2)}`;

async function audit(cwd, env, store) {
  const keys = await store.keys();
  const verify = trove(['verify', '--json'], cwd, env);
  let torn = 0;
  for (const k of keys.keys()) {
    if (!/^runs\/[^/]+\/run\.json$/.test(k)) continue;
    try {
      JSON.parse((await store.read(k)).toString('utf8'));
    } catch {
      torn++;
    }
  }
  const pointed = pointerMd5s(cwd);
  const listed = trove(['ls', '--json'], cwd, env);
  const referenced = new Set([
    ...(listed.code === 0 ? JSON.parse(listed.stdout).map((r) => r.md5) : []),
    ...pointed,
  ]);
  for (const md5 of [...referenced]) {
    if (!md5.endsWith('.dir') || !keys.has(objectKey(md5))) continue;
    const text = (await store.read(objectKey(md5))).toString('utf8');
    let entries;
    try {
      entries = JSON.parse(text);
    } catch {
      throw new Error(
        `${objectKey(md5)} (listed at ${keys.get(objectKey(md5))} bytes) read as ${JSON.stringify(text.slice(0, 200))}`,
      );
    }
    for (const e of entries) referenced.add(e.md5);
  }
  const accounted = new Set([...referenced].map(objectKey));
  // As packages/cli/test/audit.ts: `gc/` is gc's log; `tables/` is derived (a data file a killed
  // commit wrote is named by no snapshot, and gc vacuums it after an hour whatever the grace).
  const leftovers = [...keys.keys()].filter(
    (k) =>
      !k.startsWith('runs/') &&
      !k.startsWith('gc/') &&
      !k.startsWith('tables/') &&
      !accounted.has(k),
  );
  const uploads = await store.uploads();
  return {
    corrupt:
      verify.code === 0 ? 0 : JSON.parse(verify.stdout || '{"problems":[1]}').problems.length,
    tornRecords: torn,
    danglingPointers: pointed.filter((m) => !keys.has(objectKey(m))).length,
    leftovers: leftovers.length + uploads.length,
    leftoverBytes: leftovers.reduce((n, k) => n + (keys.get(k) ?? 0), 0),
    uploads: uploads.length,
  };
}

// --- trials ----------------------------------------------------------------------------------------

async function runTrials(kind, trials) {
  const cwd = mkdtempSync(join(tmpdir(), `trove-crash-${kind}-`));
  let env = {};
  let store;
  let moto;
  if (trove(['init'], cwd).code !== 0) throw new Error('trove init failed');
  if (kind === 's3') {
    moto = await startMoto();
    const bucket = `crash-${randomBytes(4).toString('hex')}`;
    await fetch(`${moto.url}/${bucket}`, { method: 'PUT' });
    const resumeDir = mkdtempSync(join(tmpdir(), 'trove-crash-resume-'));
    env = MOTO;
    writeFileSync(
      join(cwd, 'trove.yaml'),
      `store: team\nstores:\n  team: { type: s3, bucket: ${bucket}, endpoint: "${moto.url}", prefix: trove, partSize: ${5 * MIB}, concurrency: 2, resumeDir: "${resumeDir}" }\n`,
    );
    // Signed reads (moto answers an anonymous GET of a larger object with an empty body).
    const sdk = createRequire(
      fileURLToPath(new URL('../packages/backend-s3/package.json', import.meta.url)),
    )('@aws-sdk/client-s3');
    const client = new sdk.S3Client({
      endpoint: moto.url,
      forcePathStyle: true,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const read = async (k) => {
      const got = await client.send(
        new sdk.GetObjectCommand({ Bucket: bucket, Key: `trove/${k}` }),
      );
      return Buffer.from(await got.Body.transformToByteArray());
    };
    store = {
      keys: () => s3Keys(moto.url, bucket, 'trove'),
      read,
      uploads: () => s3Uploads(moto.url, bucket),
      journals: () => readdirSync(resumeDir).length,
    };
  } else {
    const root = join(cwd, '.trove');
    store = {
      keys: async () => localKeys(root),
      read: async (k) => readFileSync(join(root, k)),
      uploads: async () => [],
      journals: () => 0,
    };
  }
  const counts = { killed: 0, finished: 0, failed: 0 };
  try {
    // The first add of each kind runs to the end and times it; later ones are killed at a random
    // moment between 10% and 110% of that time (so a few finish).
    const took = [];
    for (let t = 0; t < trials; t++) {
      const { file, dir } = freshInputs(cwd, t);
      const full = took[t % 2];
      const started = Date.now();
      const delay =
        full === undefined
          ? 10 * 60_000
          : randomInt(Math.floor(full / 10), Math.ceil((full * 11) / 10));
      const r = await addKilledAfter(['add', t % 2 ? dir : file], cwd, env, delay);
      if (full === undefined) took[t % 2] = Math.max(20, Date.now() - started);
      if (r.signal === 'SIGKILL') counts.killed++;
      else if (r.code === 0) counts.finished++;
      else {
        counts.failed++;
        process.stderr.write(`trial ${t}: exit ${r.code}: ${r.stderr}\n`);
      }
    }
    const before = await audit(cwd, env, store);
    // A killed add can leave its run `running`: --force tells gc those runs are dead.
    const gc = trove(['gc', '--grace', '0', '--force', '--json'], cwd, env);
    if (gc.code !== 0) throw new Error(`trove gc failed: ${gc.stderr}`);
    const after = await audit(cwd, env, store);
    return {
      store: kind,
      trials,
      addMs: took,
      ...counts,
      beforeGc: before,
      afterGc: { ...after, journals: store.journals() },
    };
  } finally {
    await moto?.stop();
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function startMoto() {
  const port = await freePort();
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/moto-api/`)).ok)
        return { url, stop: async () => void child.kill('SIGTERM') };
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('moto_server did not start (pip install "moto[server]")');
}

const kinds = values.store === 'both' ? ['local', 's3'] : [values.store];
const results = [];
for (const kind of kinds) results.push(await runTrials(kind, Math.ceil(TRIALS / kinds.length)));
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
const bad = results.some((r) => {
  const a = r.afterGc;
  return a.corrupt || a.tornRecords || a.danglingPointers || a.leftovers || a.journals || r.failed;
});
process.exitCode = bad ? 1 : 0;
