import { decodeCommit } from './actions.js';
import { readCheckpoint, readLastCheckpoint } from './checkpoint.js';
import { DeltaError, errorCode } from './errors.js';
import { commitKey, LOG_DIR, pad, parseLogKey } from './log-paths.js';
import { TableState } from './state.js';
import { type DeltaStorage, readBytes } from './storage.js';

// Log replay: the newest readable checkpoint, then every later commit in order. `_last_checkpoint`
// only says where to start listing (a missing or torn one means listing the whole log), and the
// listing, never the hint, says which checkpoint and commits exist.

/** Commits read at once while replaying. */
const READ_CONCURRENCY = 8;

interface LogListing {
  commits: Map<number, string>;
  checkpoints: Map<number, number>;
}

async function listLog(
  storage: DeltaStorage,
  prefix: string,
  startAfter?: string,
): Promise<LogListing> {
  const commits = new Map<number, string>();
  const checkpoints = new Map<number, number>();
  const options = startAfter ? { startAfter } : undefined;
  for await (const entry of storage.list(`${prefix}${LOG_DIR}`, options)) {
    const parsed = parseLogKey(prefix, entry.key);
    if (parsed?.kind === 'commit') commits.set(parsed.version, entry.key);
    else if (parsed?.kind === 'checkpoint') checkpoints.set(parsed.version, entry.size);
  }
  return { commits, checkpoints };
}

/** Applies commits `from`, `from+1`, … that the listing holds, stopping at the first gap. */
async function applyCommits(
  storage: DeltaStorage,
  state: TableState,
  commits: Map<number, string>,
): Promise<void> {
  let next = state.version + 1;
  while (commits.has(next)) {
    const batch: string[] = [];
    for (let v = next; commits.has(v) && batch.length < READ_CONCURRENCY; v++)
      batch.push(commits.get(v) as string);
    const texts = await Promise.all(batch.map((key) => readBytes(storage, key)));
    for (const [i, bytes] of texts.entries()) {
      const key = batch[i] as string;
      try {
        state.apply(decodeCommit(Buffer.from(bytes).toString('utf8')));
      } catch (err) {
        throw new DeltaError('CORRUPT', `commit ${key} is not valid JSON lines`, {
          key,
          cause: err,
        });
      }
      state.version = next++;
    }
  }
  let newest = -1;
  for (const v of commits.keys()) if (v > newest) newest = v;
  if (newest > state.version) {
    throw new DeltaError(
      'CORRUPT',
      `the log has version ${newest} but no commit ${state.version + 1}`,
      {
        key: commitKey('', state.version + 1),
      },
    );
  }
}

/** The newest state, replayed from the log. */
export async function loadState(storage: DeltaStorage, prefix: string): Promise<TableState> {
  const hint = await readLastCheckpoint(storage, prefix);
  // Keys of version `hint` and later sort after `<prefix>_delta_log/<pad(hint)>` with no dot.
  let listing = await listLog(
    storage,
    prefix,
    hint === undefined ? undefined : `${prefix}${LOG_DIR}${pad(hint)}`,
  );
  if (hint !== undefined && !listing.checkpoints.has(hint)) {
    // The hint names a checkpoint that is not there (deleted, or the hint is torn): list it all.
    listing = await listLog(storage, prefix);
  }
  const candidates = [...listing.checkpoints.keys()].sort((a, b) => b - a);
  for (const version of candidates) {
    let state: TableState;
    try {
      state = await readCheckpoint(
        storage,
        prefix,
        version,
        listing.checkpoints.get(version) as number,
      );
    } catch (err) {
      if (errorCode(err) !== 'CORRUPT') throw err;
      continue; // an unreadable checkpoint: try an older one, then the commits alone
    }
    await applyCommits(storage, state, new Map([...listing.commits].filter(([v]) => v > version)));
    return state;
  }
  if (hint !== undefined && candidates.length > 0) listing = await listLog(storage, prefix);
  const state = new TableState();
  if (listing.commits.size > 0 && !listing.commits.has(0)) {
    throw new DeltaError('CORRUPT', 'the log has no readable checkpoint and no commit 0', {
      key: `${prefix}${LOG_DIR}`,
    });
  }
  await applyCommits(storage, state, listing.commits);
  return state;
}

/** `state` brought up to the newest version by the commits after it (lists only those). */
export async function advanceState(
  storage: DeltaStorage,
  prefix: string,
  state: TableState,
): Promise<TableState> {
  if (state.version < 0) return loadState(storage, prefix);
  const listing = await listLog(storage, prefix, commitKey(prefix, state.version));
  if (listing.commits.size === 0) return state;
  const next = state.clone();
  await applyCommits(storage, next, listing.commits);
  return next;
}
