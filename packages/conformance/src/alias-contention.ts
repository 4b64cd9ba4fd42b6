/**
 * Aliases on artifacts lose no move (issue 23), checked on a real store by real processes: N
 * workers (alias-worker.ts) each log M artifacts under one shared name, every log moving the
 * worker's own alias of that name (and every other one the alias `shared` all of them move),
 * all at once. All aliases of a name live in one document changed by conditional writes, so a
 * move lost to a race would leave some worker's alias behind: afterwards each worker's alias
 * must point at the last artifact it logged, and `shared` at one of the artifacts that moved it.
 */
import type { ListedAlias } from '@trove/core';
import { expect } from 'vitest';
import type { AliasWorkerJob, AliasWorkerReport } from './alias-worker.js';
import { runWorkerProcess, type WorkerProcessOptions } from './worker-process.js';
import { workerStoreJob } from './worker-store.js';

export interface AliasContentionOptions extends WorkerProcessOptions {
  /** Worker processes (default 8). */
  writers?: number;
  /** Artifacts (alias moves) per worker (default 20). */
  each?: number;
  /** The artifact name (default `contended-<random>`): use a fresh one per call. */
  name?: string;
}

export interface AliasContentionResult {
  name: string;
  /** Moves made (writers × each, plus the `shared` alias's). */
  moves: number;
  seconds: number;
}

/** Runs the alias contention scenario on the store `cwd`'s project uses; asserts no move was lost. */
export async function expectNoLostAliasMoves(
  options: AliasContentionOptions,
): Promise<AliasContentionResult> {
  const writers = options.writers ?? 8;
  const each = options.each ?? 20;
  const name = options.name ?? `contended-${Math.random().toString(36).slice(2, 10)}`;
  const base = { ...workerStoreJob(options), name };
  const t0 = performance.now();
  const reports = await Promise.all(
    Array.from({ length: writers }, (_, writer) =>
      runWorker<AliasWorkerReport>(options, { ...base, mode: 'move', writer, each }),
    ),
  );
  const seconds = (performance.now() - t0) / 1000;
  for (const r of reports) {
    expect(r.md5s).toHaveLength(each);
    expect(new Set(r.md5s).size).toBe(each);
    expect(r.mismatches).toEqual([]);
  }
  const final = await runWorker<ListedAlias[]>(options, { ...base, mode: 'read' });
  const byAlias = new Map(final.map((a) => [a.alias, a]));
  expect([...byAlias.keys()].sort()).toEqual(
    [...reports.map((r) => `writer-${r.writer}`), 'shared'].sort(),
  );
  for (const r of reports) {
    expect(byAlias.get(`writer-${r.writer}`)).toMatchObject({
      name,
      runId: r.runId,
      path: r.lastPath,
      md5: r.md5s.at(-1),
    });
  }
  // `shared` ends at an artifact one of its moves pointed it at (an even-numbered log).
  const sharedTargets = new Set(reports.flatMap((r) => r.md5s.filter((_, i) => i % 2 === 0)));
  expect(sharedTargets.has(byAlias.get('shared')?.md5 ?? '')).toBe(true);
  const moves = writers * each + reports.reduce((n, r) => n + Math.ceil(r.md5s.length / 2), 0);
  return { name, moves, seconds };
}

function runWorker<T>(options: AliasContentionOptions, job: AliasWorkerJob): Promise<T> {
  return runWorkerProcess<T>(
    'alias-worker',
    options,
    job,
    `alias worker (${job.mode} ${job.writer ?? ''})`,
  );
}
