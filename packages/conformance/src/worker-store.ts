/** How a scenario's worker process opens its store: as any trove process does, from its project. */
import { openStore, type Store } from '@trove/core';

/** What a worker's job says about where the store is. */
export interface WorkerStoreJob {
  /** The project folder: its trove.yaml (or embedded store) names the store. */
  cwd: string;
  /** A store name from trove.yaml, instead of the project's default. */
  store?: string;
  /** Folders to resolve backend packages from. */
  resolveFrom?: string[];
}

export function openWorkerStore(job: WorkerStoreJob): Promise<Store> {
  return openStore({
    cwd: job.cwd,
    ...(job.store !== undefined ? { store: job.store } : {}),
    resolveFrom: job.resolveFrom ?? [],
  });
}

/** The part of a scenario's options every worker job carries: where the store is. */
export function workerStoreJob(options: WorkerStoreJob): WorkerStoreJob {
  return {
    cwd: options.cwd,
    ...(options.store !== undefined ? { store: options.store } : {}),
    ...(options.resolveFrom ? { resolveFrom: options.resolveFrom } : {}),
  };
}
