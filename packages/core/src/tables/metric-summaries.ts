/**
 * Summaries of the metrics table's data files, for charts of whole curves: per file, per series
 * (run and metric), the x range cut into `SUMMARY_BUCKETS` buckets, each kept as its lowest and
 * highest value at their own x, and its count. A whole-range chart then reads at most
 * 2 × SUMMARY_BUCKETS points a series instead of every value (100 runs × 10 metrics × 100,000
 * steps is 100,000,000 values, seconds of scanning; the summaries are 4,000,000 points). A
 * committed data file never changes, so its summary is made once, beside the file in the user's
 * cache folder (written under a temporary name and renamed), and read from there ever after.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { mapLimit } from '../backend/map-limit.js';
import type { Store } from '../record/store.js';
import { type Session, sqlString } from './engine.js';
import type { PointSet } from './pixel-columns.js';
import { localSnapshot } from './table-files.js';

/** Buckets a series gets in each file's summary: finer than any chart's pixel columns. */
const SUMMARY_BUCKETS = 2048;
/** The summary's layout; a new one gets a new file name. */
const FORMAT = 1;

export type MetricX = 'step' | 'time';

/** The SQL of x for a metrics row: the step, or the time in epoch milliseconds. */
export function xExpression(x: MetricX): string {
  return x === 'step' ? 'CAST(step AS DOUBLE)' : 'CAST(epoch_ms("timestamp") AS DOUBLE)';
}

/** Summary points of one series in one data file, kept in memory once read. */
type Pieces = Map<string, PointSet>;

/** Summaries read in this process, by file (they never change). */
const loaded = new Map<string, Promise<Pieces>>();

/** The key of a series in the maps here. */
export function seriesKey(runId: string, name: string): string {
  return `${runId}\u0000${name}`;
}

/**
 * The committed metrics' summary points, by series (a series may have points in several data
 * files); undefined when the table does not exist. Summaries missing from the cache are made
 * first; each is read into memory once a process.
 */
export async function committedSummaries(
  store: Store,
  session: Session,
  x: MetricX,
  signal?: AbortSignal,
  before?: () => Promise<void>,
): Promise<Map<string, PointSet[]> | undefined> {
  const snapshot = await localSnapshot(store, 'metrics');
  if (snapshot.version < 0) return undefined;
  const out = new Map<string, PointSet[]>();
  // One file at a time: the engine uses both cores on each already.
  await mapLimit(snapshot.paths, 1, async (path) => {
    // (only a warm-up passes these: it lets others go first, and what it has not reached when
    // stopped is left for later)
    await before?.();
    if (signal?.aborted) return;
    const summary = `${path}.${x}-summary-${FORMAT}.parquet`;
    let pieces = loaded.get(summary);
    if (!pieces) {
      pieces = readSummary(session, path, summary, x);
      loaded.set(summary, pieces);
      pieces.catch(() => loaded.delete(summary));
    }
    for (const [key, set] of await pieces) {
      const list = out.get(key);
      if (list) list.push(set);
      else out.set(key, [set]);
    }
  });
  return out;
}

/** A file's summary (made first if missing), as each series' points: lows, then highs. */
async function readSummary(
  session: Session,
  path: string,
  summary: string,
  x: MetricX,
): Promise<Pieces> {
  if (!existsSync(summary)) await makeSummary(session, path, summary, x);
  const file = `read_parquet(${sqlString(summary)})`;
  const series = await session.rows(
    `SELECT run_id, name, count(*) AS k FROM ${file} GROUP BY run_id, name ORDER BY run_id, name`,
  );
  const [xLo, yLo, xHi, yHi, n] = (await session.doubles(
    `SELECT x_lo, y_lo, x_hi, y_hi, CAST(n AS DOUBLE) FROM ${file} ORDER BY run_id, name, x_lo`,
  )) as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  const pieces: Pieces = new Map();
  let at = 0;
  for (const row of series) {
    const k = Number(row.k);
    const end = at + k;
    // each bucket: its low point carries its count, its high point none
    const px = new Float64Array(2 * k);
    const py = new Float64Array(2 * k);
    const pn = new Float64Array(2 * k);
    px.set(xLo.subarray(at, end), 0);
    px.set(xHi.subarray(at, end), k);
    py.set(yLo.subarray(at, end), 0);
    py.set(yHi.subarray(at, end), k);
    pn.set(n.subarray(at, end), 0);
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of px) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const bucket = (hi - lo) / SUMMARY_BUCKETS;
    pieces.set(seriesKey(String(row.run_id), String(row.name)), { x: px, y: py, n: pn, bucket });
    at = end;
  }
  return pieces;
}

async function makeSummary(
  session: Session,
  path: string,
  summary: string,
  x: MetricX,
): Promise<void> {
  const temp = `${summary}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await session.run(
      `COPY (
        WITH s AS (
          SELECT run_id, name, x, value AS y, min(x) OVER w AS lo, max(x) OVER w AS hi
          FROM (SELECT run_id, name, ${xExpression(x)} AS x, value FROM read_parquet(${sqlString(path)}))
          WHERE x IS NOT NULL
          WINDOW w AS (PARTITION BY run_id, name)
        )
        SELECT run_id, name, count(*) AS n, arg_min(x, y) AS x_lo, min(y) AS y_lo,
          arg_max(x, y) AS x_hi, max(y) AS y_hi
        FROM s
        GROUP BY run_id, name,
          least(CAST(floor((x - lo) * ${SUMMARY_BUCKETS} / greatest(hi - lo, 1e-300)) AS BIGINT), ${SUMMARY_BUCKETS - 1})
      ) TO ${sqlString(temp)} (FORMAT parquet)`,
    );
    renameSync(temp, summary);
  } finally {
    rmSync(temp, { force: true });
  }
}
