/**
 * The registry's "no lost update" check, run on a real store by real processes: N workers
 * (registry-worker.ts) each register M versions of one model name and, every few
 * registrations, move an alias of their own, all at once. Every change is a conditional write retried on
 * conflict, so afterwards the versions must be exactly 1…N×M, none lost or repeated, each
 * pointing at the run and source its writer registered, and every writer's alias at the last
 * version that writer got. A backend whose conditional writes are not atomic under concurrency
 * fails it (moto does: S3 is checked on MinIO by bench/registry-minio.mjs).
 *
 * The workers open the store from the project's trove.yaml, so the same scenario runs on any
 * backend; credentials reach them through `env`. With `faults`, trove.yaml points at a fault
 * proxy that resets some requests while they contend: a lost answer must still give each
 * registration exactly one version, and the version its caller was told.
 */
import type { ModelVersion, RegisteredModel } from '@trove/core';
import { expect } from 'vitest';
import type { RegistryWorkerJob, RegistryWorkerReport } from './registry-worker.js';
import type { FaultControl } from './scenarios/faults.js';
import { runWorkerProcess, type WorkerProcessOptions } from './worker-process.js';
import { workerStoreJob } from './worker-store.js';

export interface RegistryContentionOptions extends WorkerProcessOptions {
  /** Worker processes (default 8). */
  writers?: number;
  /** Registrations per worker (default 50). */
  each?: number;
  /**
   * Each worker moves its own alias after every this many registrations and after its last
   * (default 5): alias moves are conditional writes too, racing with the registrations.
   */
  aliasEvery?: number;
  /** The model name (default `contended-<random>`): use a fresh one per call. */
  model?: string;
  /**
   * A fault proxy the store's endpoint in trove.yaml goes through: it resets `faultRate` of the
   * requests (half mid-request, half mid-answer) while the workers contend, and none during the
   * final read. Both kinds of reset must have happened, or the run proves nothing.
   */
  faults?: FaultControl;
  /** Share of requests reset while contending (default 0.1). */
  faultRate?: number;
}

export interface RegistryContentionResult {
  model: string;
  /** Wall time of the contended part, process start-up included. */
  seconds: number;
  /** Versions registered (writers × each). */
  versions: number;
  /** Requests the fault proxy reset while the workers contended (with `faults`). */
  resets?: { midRequest: number; midAnswer: number; requests: number };
}

/**
 * Runs the contention scenario on the store `cwd`'s project uses and asserts that no
 * registration and no alias move was lost.
 *
 * @example
 * // trove.yaml in `cwd` points at the bucket under test; credentials come from `env`.
 * const r = await expectNoLostRegistrations({ cwd, env, resolveFrom: [here] });
 * console.log(`${r.versions} versions in ${r.seconds.toFixed(1)} s`);
 */
export async function expectNoLostRegistrations(
  options: RegistryContentionOptions,
): Promise<RegistryContentionResult> {
  const writers = options.writers ?? 8;
  const each = options.each ?? 50;
  const model = options.model ?? `contended-${Math.random().toString(36).slice(2, 10)}`;
  const aliasEvery = options.aliasEvery ?? 5;
  const total = writers * each;
  const base = { ...workerStoreJob(options), model };

  const t0 = performance.now();
  const { faults } = options;
  const before = faults?.counts();
  const rate = options.faultRate ?? 0.1;
  faults?.setFaults({ resetMidRequest: rate / 2, resetMidAnswer: rate / 2 });
  let reports: RegistryWorkerReport[];
  try {
    reports = await Promise.all(
      Array.from({ length: writers }, (_, writer) =>
        runWorker<RegistryWorkerReport>(options, {
          ...base,
          mode: 'register',
          writer,
          each,
          aliasEvery,
        }),
      ),
    );
  } finally {
    faults?.setFaults({});
  }
  const seconds = (performance.now() - t0) / 1000;
  let resets: RegistryContentionResult['resets'];
  if (faults && before) {
    const after = faults.counts();
    resets = {
      midRequest: after.resetMidRequest - before.resetMidRequest,
      midAnswer: after.resetMidAnswer - before.resetMidAnswer,
      requests: after.requests - before.requests,
    };
    expect(resets.midRequest, 'no request was reset mid-request').toBeGreaterThan(0);
    expect(resets.midAnswer, 'no request was reset mid-answer').toBeGreaterThan(0);
  }

  const handedOut = reports.flatMap((r) => r.versions).sort((a, b) => a - b);
  expect(handedOut).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  for (const r of reports) {
    expect(r.versions).toHaveLength(each);
    // A writer's own registrations are serial: each got a higher number than the one before.
    expect(r.versions).toEqual([...r.versions].sort((a, b) => a - b));
    expect(r.aliasMismatches).toEqual([]);
  }
  expect(new Set(reports.map((r) => r.runId)).size).toBe(writers);

  const final = await runWorker<{ model: RegisteredModel; versions: ModelVersion[] }>(options, {
    ...base,
    mode: 'read',
  });
  expect(final.model).toMatchObject({ name: model, versionCount: total, latestVersion: total });
  expect(final.model.aliases).toEqual(
    Object.fromEntries(reports.map((r) => [`writer-${r.writer}`, r.versions.at(-1)])),
  );
  expect(final.versions.map((v) => v.version)).toEqual(
    Array.from({ length: total }, (_, i) => total - i),
  );
  // Each version holds what its writer registered, with the tags it sent.
  const expected = new Map<number, { report: RegistryWorkerReport; seq: number }>();
  for (const report of reports) {
    report.versions.forEach((version, seq) => {
      expected.set(version, { report, seq });
    });
  }
  for (const v of final.versions) {
    const want = expected.get(v.version);
    expect(want, `version ${v.version} was handed to no writer`).toBeDefined();
    if (!want) continue;
    expect(v).toMatchObject({
      name: model,
      source: want.report.source,
      runId: want.report.runId,
      tags: { writer: String(want.report.writer), seq: String(want.seq) },
    });
  }
  return { model, seconds, versions: total, ...(resets ? { resets } : {}) };
}

function runWorker<T>(options: RegistryContentionOptions, job: RegistryWorkerJob): Promise<T> {
  return runWorkerProcess<T>(
    'registry-worker',
    options,
    job,
    `registry worker (${job.mode} ${job.writer ?? ''})`,
  );
}
