#!/usr/bin/env node
// What gc's fence costs a writer: `trove add` of an unchanged 3,000-file folder (hashes in the
// stat cache, so the add is one lookup of its manifest plus the run's records), timed on the
// local store and on moto, median of --reps. Needs `pnpm build` first; moto_server on PATH.
//
//   node scripts/gc-fence-cost.mjs [--files 3000] [--reps 7]
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const BIN = fileURLToPath(new URL('../packages/cli/dist/bin.js', import.meta.url));
const { values } = parseArgs({
  options: { files: { type: 'string', default: '3000' }, reps: { type: 'string', default: '7' } },
});
const FILES = Number(values.files);
const REPS = Number(values.reps);
const MOTO = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'us-east-1' };

function trove(args, cwd, env) {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, CI: '1', ...env },
  });
  if (r.status !== 0) throw new Error(`trove ${args.join(' ')}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
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
      if ((await fetch(`${url}/moto-api/`)).ok) return { url, stop: () => child.kill('SIGTERM') };
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error('moto_server did not start');
}

async function measure(kind) {
  const cwd = mkdtempSync(join(tmpdir(), `trove-fence-${kind}-`));
  let env = {};
  let moto;
  trove(['init'], cwd, env);
  if (kind === 's3') {
    moto = await startMoto();
    const bucket = `fence-${randomBytes(4).toString('hex')}`;
    await fetch(`${moto.url}/${bucket}`, { method: 'PUT' });
    env = MOTO;
    writeFileSync(
      join(cwd, 'trove.yaml'),
      `store: team\nstores:\n  team: { type: s3, bucket: ${bucket}, endpoint: "${moto.url}", prefix: trove }\n`,
    );
  }
  try {
    mkdirSync(join(cwd, 'data'));
    for (let i = 0; i < FILES; i++)
      writeFileSync(join(cwd, 'data', `f${i}.txt`), `${i} ${randomBytes(16).toString('hex')}`);
    trove(['add', 'data', '--no-dvc'], cwd, env); // stores it and fills the stat cache
    const ms = [];
    for (let i = 0; i < REPS; i++) ms.push(trove(['add', 'data', '--no-dvc'], cwd, env));
    ms.sort((a, b) => a - b);
    return {
      store: kind,
      files: FILES,
      medianMs: Math.round(ms[Math.floor(ms.length / 2)]),
      ms: ms.map(Math.round),
    };
  } finally {
    moto?.stop();
  }
}

const results = [await measure('local'), await measure('s3')];
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
