import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Action,
  type AddFile,
  type CommitInfo,
  decodeCommit,
  encodeCommit,
  type Txn,
} from './actions.js';
import { CHECKPOINT_INTERVAL, writeCheckpoint } from './checkpoint.js';
import { type EncodedFile, encodeDataFiles } from './data-file.js';
import { DeltaError } from './errors.js';
import type { FileLayout } from './file-layout.js';
import { commitKey, dataFileKey } from './log-paths.js';
import { advanceState } from './replay.js';
import type { Row } from './rows.js';
import type { DeltaSchema } from './schema.js';
import type { Snapshot, TableState } from './state.js';
import { type DeltaStorage, readTextIfExists } from './storage.js';
import { checkSchema, creationActions } from './table-metadata.js';

// Delta's optimistic concurrency on a store with create-only writes: write the data files, then
// `_delta_log/<v>.json` with ifNoneMatch '*'. A writer that loses version v re-reads the log
// and asks its plan again on the new snapshot (removes must be re-decided), with jittered
// backoff. Every commit carries `commitInfo.txnId`: when a write's answer is lost (the store
// retried and found the object, or the call failed after the bytes landed), reading version v
// tells whether it is ours, so a commit is applied exactly once.

export interface PlannedCommit {
  /** Rows to add; each inner array becomes one data file (one per partition). */
  add?: readonly (readonly Row[])[];
  /** Data file paths (as in `snapshot.files[].path`) to remove. */
  remove?: readonly string[];
  /** Recorded as a `txn` action: `snapshot.appTxns.get(appId)` is then `version`. */
  appTxn?: { appId: string; version: number };
  /** False when the commit only rearranges rows (optimize). Default true. */
  dataChange?: boolean;
  /** `commitInfo.operation`; default "WRITE". */
  operation?: string;
}

/** Decides a commit from the snapshot it will apply to; nothing (or nothing to do) commits nothing. */
export type CommitPlan = (
  snapshot: Snapshot,
) => PlannedCommit | undefined | Promise<PlannedCommit | undefined>;

export interface CommitOptions {
  /** Attempts before giving up with `CONFLICT`. Default 100. */
  maxAttempts?: number;
}

export interface CommitResult {
  /** The version committed, or the snapshot's when nothing was committed. */
  version: number;
  committed: boolean;
  /** True when `appTxn` was already at or past the planned version: nothing was written. */
  alreadyApplied: boolean;
  attempts: number;
  added: readonly AddFile[];
}

export interface CommitContext {
  storage: DeltaStorage;
  prefix: string;
  schema: DeltaSchema;
  partitionColumns: readonly string[];
  engineInfo: string;
  layout?: FileLayout;
}

const BACKOFF_BASE_MS = 5;
const BACKOFF_MAX_MS = 400;

function fingerprint(rows: readonly Row[]): string {
  return JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));
}

/** Whether the commit at `key` is the one with `txnId` (undefined when there is none). */
async function commitIsOurs(
  storage: DeltaStorage,
  key: string,
  txnId: string,
): Promise<boolean | undefined> {
  const text = await readTextIfExists(storage, key);
  if (text === undefined) return undefined;
  return decodeCommit(text).some((a) => (a.commitInfo as CommitInfo | undefined)?.txnId === txnId);
}

/**
 * Runs the optimistic commit loop. `state` is the newest state the caller knows (it is advanced,
 * never trusted); returns the result and the state after the commit. When it fails, the data
 * files it wrote are deleted, unless a commit naming them may still land (a write whose outcome
 * is unknown): those are left to vacuum.
 */
export async function runCommit(
  ctx: CommitContext,
  initial: TableState,
  plan: CommitPlan,
  options: CommitOptions = {},
): Promise<{ result: CommitResult; state: TableState }> {
  const attempts: Attempts = { written: new Map(), uncertain: false };
  try {
    return await commitLoop(ctx, initial, plan, options, attempts);
  } catch (err) {
    if (!attempts.uncertain) {
      await deleteFiles(ctx, [...attempts.written.values()].flat()).catch(() => undefined);
    }
    throw err;
  }
}

/** Data files written by earlier attempts (by rows fingerprint), and whether one's fate is unknown. */
interface Attempts {
  written: Map<string, EncodedFile[]>;
  uncertain: boolean;
}

async function commitLoop(
  ctx: CommitContext,
  initial: TableState,
  plan: CommitPlan,
  options: CommitOptions,
  attempts: Attempts,
): Promise<{ result: CommitResult; state: TableState }> {
  const maxAttempts = options.maxAttempts ?? 100;
  const txnId = randomUUID();
  let state = initial;
  for (let attempt = 1; ; attempt++) {
    state = await advanceState(ctx.storage, ctx.prefix, state);
    const snapshot = state.snapshot();
    checkSchema(ctx, snapshot);
    const planned = await plan(snapshot);
    const adds = (planned?.add ?? []).filter((rows) => rows.length > 0);
    const removes = planned?.remove ?? [];
    const appTxn = planned?.appTxn;
    const done = (alreadyApplied: boolean, files: AddFile[] = []) => ({
      result: {
        version: state.version,
        committed: false,
        alreadyApplied,
        attempts: attempt,
        added: files,
      },
      state,
    });
    if (appTxn && (snapshot.appTxns.get(appTxn.appId) ?? -Infinity) >= appTxn.version) {
      await deleteFiles(ctx, [...attempts.written.values()].flat());
      attempts.written = new Map();
      return done(true);
    }
    if (adds.length === 0 && removes.length === 0 && !appTxn) {
      await deleteFiles(ctx, [...attempts.written.values()].flat());
      attempts.written = new Map();
      return done(false);
    }
    const dataChange = planned?.dataChange ?? true;
    const live = new Map(snapshot.files.map((f) => [f.path, f]));
    for (const path of removes) {
      if (!live.has(path))
        throw new DeltaError(
          'INVALID_ARGUMENT',
          `cannot remove ${path}: it is not a file of the table at version ${snapshot.version}`,
        );
    }
    // Encode everything first: a row that does not fit the schema fails before any write.
    const next = new Map<string, EncodedFile[]>();
    adds.forEach((rows, i) => {
      const key = fingerprint(rows);
      next.set(
        key,
        attempts.written.get(key) ??
          encodeDataFiles(ctx.schema, ctx.partitionColumns, rows, {
            dataChange,
            label: `add[${i}] row`,
            ...(ctx.layout ? { layout: ctx.layout } : {}),
          }),
      );
    });
    const stale = [...attempts.written]
      .filter(([key]) => !next.has(key))
      .flatMap(([, files]) => files);
    await deleteFiles(ctx, stale);
    const fresh = [...next]
      .filter(([key]) => !attempts.written.has(key))
      .flatMap(([, files]) => files);
    // A summary is written before its data file: a file the log names has its summary.
    await Promise.all(
      fresh.map(async (f) => {
        if (f.summary)
          await ctx.storage.write(dataFileKey(ctx.prefix, f.summary.path), f.summary.bytes);
        await ctx.storage.write(dataFileKey(ctx.prefix, f.add.path), f.bytes);
      }),
    );
    attempts.written = next;

    const now = Date.now();
    const files = [...next.values()].flat().map((f) => f.add);
    const version = snapshot.version + 1;
    const commitInfo: CommitInfo = {
      timestamp: now,
      operation: planned?.operation ?? 'WRITE',
      txnId,
      engineInfo: ctx.engineInfo,
      attempt,
    };
    const actions: Action[] = [
      { commitInfo },
      ...(snapshot.version < 0 ? creationActions(ctx, now) : []),
      ...(appTxn
        ? [
            {
              txn: { appId: appTxn.appId, version: appTxn.version, lastUpdated: now } satisfies Txn,
            },
          ]
        : []),
      ...removes.map((path): Action => {
        const f = live.get(path) as AddFile;
        return {
          remove: {
            path,
            deletionTimestamp: now,
            dataChange,
            extendedFileMetadata: true,
            partitionValues: f.partitionValues,
            size: f.size,
          },
        };
      }),
      ...files.map((add): Action => ({ add })),
    ];
    const key = commitKey(ctx.prefix, version);
    let ours: boolean | undefined;
    try {
      await ctx.storage.write(key, encodeCommit(actions), { ifNoneMatch: '*' });
      ours = true;
    } catch (err) {
      // A lost answer looks like a conflict or a failure: only the log says which.
      ours = await commitIsOurs(ctx.storage, key, txnId);
      if (ours === undefined) {
        // Nothing at v: the write failed, or has not landed yet. Its files stay for vacuum.
        attempts.uncertain = true;
        throw err;
      }
      // Another writer's commit at v: whatever our write answered, it lost the version.
    }
    if (ours) {
      const after = state.clone();
      after.apply(actions as unknown as Record<string, unknown>[]);
      after.version = version;
      if (version > 0 && version % CHECKPOINT_INTERVAL === 0) {
        // The commit is durable already; a checkpoint only shortens replay, so one that fails
        // (the store is down) is left to the writer of the next interval's version.
        await writeCheckpoint(ctx.storage, ctx.prefix, after).catch(() => undefined);
      }
      return {
        result: {
          version,
          committed: true,
          alreadyApplied: false,
          attempts: attempt,
          added: files,
        },
        state: after,
      };
    }
    if (attempt >= maxAttempts) {
      throw new DeltaError(
        'CONFLICT',
        `gave up committing after ${attempt} attempts: other writers kept taking the next version`,
        {
          key,
          retryable: true,
        },
      );
    }
    await sleep(
      Math.random() * Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 10)),
    );
  }
}

async function deleteFiles(ctx: CommitContext, files: readonly EncodedFile[]): Promise<void> {
  if (files.length > 0)
    await ctx.storage.deleteMany(
      files
        .flatMap((f) => [f.add.path, ...(f.summary ? [f.summary.path] : [])])
        .map((path) => dataFileKey(ctx.prefix, path)),
    );
}
