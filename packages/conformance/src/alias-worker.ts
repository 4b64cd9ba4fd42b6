/**
 * One contending process of `expectNoLostAliasMoves` (alias-contention.ts), started with
 * `node alias-worker.js '<json>'`. It opens the project's store the way any trove process does
 * (trove.yaml, the SDKs' own credential chains from its environment).
 *
 * - `move`: starts a run of its own and logs `each` small files under one shared artifact name,
 *   each with the alias `writer-<n>` (so every log moves that alias) and, every other time, the
 *   shared alias `shared`; after each it reads `name@writer-<n>` back. Prints one JSON line:
 *   the md5s it logged in order, and every read that came back wrong.
 * - `read`: prints every alias of the name, for the final check.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listAliases, resolveArtifactRef, startRun } from '@trove/core';
import { openWorkerStore, type WorkerStoreJob } from './worker-store.js';

/** What the scenario passes to a worker (as one JSON argument). */
export interface AliasWorkerJob extends WorkerStoreJob {
  mode: 'move' | 'read';
  /** The shared artifact name. */
  name: string;
  writer?: number;
  each?: number;
}

/** What a `move` worker prints. */
export interface AliasWorkerReport {
  writer: number;
  runId: string;
  /** The md5 of each artifact it logged (each one a move of its alias), in order. */
  md5s: string[];
  /** The logical path of its last artifact. */
  lastPath: string;
  /** Reads of `name@writer-<n>` that did not give what was just logged: `[logged, read]`. */
  mismatches: Array<[string, string]>;
}

async function move(job: AliasWorkerJob): Promise<AliasWorkerReport> {
  const writer = job.writer ?? 0;
  const store = await openWorkerStore(job);
  const dir = await mkdtemp(join(tmpdir(), 'trove-alias-worker-'));
  try {
    const run = await startRun({ cwd: job.cwd, store, name: `writer-${writer}`, dvcyaml: false });
    const alias = `writer-${writer}`;
    const md5s: string[] = [];
    const mismatches: Array<[string, string]> = [];
    let lastPath = '';
    for (let seq = 0; seq < (job.each ?? 1); seq++) {
      // Content of its own each time, so every move points at different bytes.
      const file = join(dir, `w${writer}-${seq}.bin`);
      await writeFile(file, `writer ${writer} move ${seq} of ${job.name}\n`);
      const record = await run.logArtifact(file, {
        name: job.name,
        relPath: `w${writer}/s${seq}`,
        aliases: seq % 2 === 0 ? [alias, 'shared'] : [alias],
      });
      md5s.push(record.md5);
      lastPath = record.path;
      const read = await resolveArtifactRef(store, `${job.name}@${alias}`);
      if (read.md5 !== record.md5) mismatches.push([record.md5, read.md5]);
    }
    await run.end();
    return { writer, runId: run.id, md5s, lastPath, mismatches };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await store.close();
  }
}

async function read(job: AliasWorkerJob) {
  const store = await openWorkerStore(job);
  try {
    return await listAliases(store, job.name);
  } finally {
    await store.close();
  }
}

const job = JSON.parse(process.argv[2] ?? '{}') as AliasWorkerJob;
const out = job.mode === 'read' ? await read(job) : await move(job);
process.stdout.write(`${JSON.stringify(out)}\n`);
