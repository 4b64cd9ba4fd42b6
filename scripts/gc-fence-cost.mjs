#!/usr/bin/env node
// What gc's fence costs a writer: `trove add` of an unchanged 3,000-file folder (hashes in the
// stat cache, so the add is one lookup of its manifest plus the run's records), timed on the
// local store and on moto, median of --reps, with the requests moto logged per add. Needs
// `pnpm build` first; moto_server on PATH.
//
//   node scripts/gc-fence-cost.mjs [--files 3000] [--reps 7]
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { TROVE as BIN, median, startMoto } from '../bench/lib.mjs';

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

async function measure(kind) {
  const cwd = mkdtempSync(join(tmpdir(), `trove-fence-${kind}-`));
  let env = {};
  let moto;
  trove(['init'], cwd, env);
  if (kind === 's3') {
    moto = await startMoto(cwd);
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
    const logged = () =>
      moto
        ? readFileSync(join(cwd, 'moto.log'), 'utf8')
            .split('\n')
            .filter((l) => l.includes(' HTTP/1.1" '))
        : [];
    const before = logged().length;
    const ms = [];
    for (let i = 0; i < REPS; i++) ms.push(trove(['add', 'data', '--no-dvc'], cwd, env));
    // What the adds asked moto, by method and kind (a listing, or an object of files/ or runs/…).
    const byKind = {};
    for (const line of logged().slice(before)) {
      const m = /"(\w+) \/[^/]+\/(\S*?)(?:\?(\S*))? HTTP/.exec(line);
      if (!m) continue;
      const key = (m[2] ?? '')
        .replace(/runs\/[0-9a-f]+\//, 'runs/<id>/')
        .replace(/md5\/.*$/, 'md5/<object>');
      const list = m[3]?.includes('list-type') ? /prefix=([^&]*)/.exec(m[3])?.[1] : undefined;
      const what = list !== undefined ? `LIST ${decodeURIComponent(list)}` : `${m[1]} ${key}`;
      byKind[what] = (byKind[what] ?? 0) + 1;
    }
    return {
      store: kind,
      files: FILES,
      medianMs: Math.round(median(ms)),
      ms: ms.map(Math.round),
      ...(moto
        ? {
            requestsPerAdd: (logged().length - before) / REPS,
            byKind: Object.fromEntries(Object.entries(byKind).map(([k, n]) => [k, n / REPS])),
          }
        : {}),
    };
  } finally {
    moto?.stop();
  }
}

const results = [await measure('local'), await measure('s3')];
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
