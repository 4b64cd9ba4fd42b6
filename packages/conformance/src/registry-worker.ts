/**
 * One contending process of `expectNoLostRegistrations` (registry-contention.ts), started with
 * `node registry-worker.js '<json>'`. It opens the project's store the way any trove process
 * does (trove.yaml, `TROVE_STORE`, the SDKs' own credential chains from its environment), so
 * the same scenario runs on every backend.
 *
 * - `register`: starts a run of its own that logs one small file, then registers that file
 *   `each` times as versions of one model (tagged with writer and sequence number), moving the
 *   alias `writer-<n>` to the version it just got every `aliasEvery` registrations and after its
 *   last, reading the alias back each time. Prints one JSON line:
 *   what it registered, the versions it got, and every alias read that came back wrong.
 * - `read`: prints the model and all its versions, for the final check.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRegistry, startRun } from '@trove/core';
import { openWorkerStore, type WorkerStoreJob } from './worker-store.js';

/** What the scenario passes to a worker (as one JSON argument). */
export interface RegistryWorkerJob extends WorkerStoreJob {
  mode: 'register' | 'read';
  model: string;
  /** `register`: this writer's number, 0-based. */
  writer?: number;
  /** `register`: how many versions this writer registers. */
  each?: number;
  /** `register`: moves its alias after every this many registrations (and after the last). */
  aliasEvery?: number;
}

/** What a `register` worker prints. */
export interface RegistryWorkerReport {
  writer: number;
  runId: string;
  /** The `runs:/` URI it registered every time. */
  source: string;
  /** The version numbers it got, in the order it got them. */
  versions: number[];
  /** Alias reads that did not return the version just set: `[set, read]`. */
  aliasMismatches: Array<[number, number]>;
}

async function register(job: RegistryWorkerJob): Promise<RegistryWorkerReport> {
  const writer = job.writer ?? 0;
  const store = await openWorkerStore(job);
  const dir = await mkdtemp(join(tmpdir(), 'trove-registry-worker-'));
  try {
    // Content of its own, so every writer's versions point at a different md5 and run.
    const file = join(dir, `writer-${writer}.bin`);
    await writeFile(file, `weights of writer ${writer} of ${job.model}\n`);
    // No dvc.yaml entries: the scenario may run inside a DVC repository.
    const run = await startRun({ cwd: job.cwd, store, name: `writer-${writer}`, dvcyaml: false });
    const record = await run.logArtifact(file, { type: 'model' });
    await run.end();
    const source = `runs:/${run.id}/${record.path}`;
    const registry = openRegistry(store);
    const alias = `writer-${writer}`;
    const each = job.each ?? 1;
    const aliasEvery = job.aliasEvery ?? 1;
    const versions: number[] = [];
    const aliasMismatches: Array<[number, number]> = [];
    for (let seq = 0; seq < each; seq++) {
      const v = await registry.registerModel(source, job.model, {
        tags: { writer, seq },
      });
      versions.push(v.version);
      if ((seq + 1) % aliasEvery !== 0 && seq !== each - 1) continue;
      // Alias updates race with the other writers' registrations: none may be lost either.
      await registry.setAlias(job.model, alias, v.version);
      const read = await registry.getVersionByAlias(job.model, alias);
      if (read.version !== v.version) aliasMismatches.push([v.version, read.version]);
    }
    return { writer, runId: run.id, source, versions, aliasMismatches };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await store.close();
  }
}

async function read(job: RegistryWorkerJob) {
  const store = await openWorkerStore(job);
  try {
    const registry = openRegistry(store);
    return {
      model: await registry.getModel(job.model),
      versions: await registry.searchVersions({ name: job.model }),
    };
  } finally {
    await store.close();
  }
}

const job = JSON.parse(process.argv[2] ?? '{}') as RegistryWorkerJob;
const out = job.mode === 'read' ? await read(job) : await register(job);
process.stdout.write(`${JSON.stringify(out)}\n`);
