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
import type { Session } from './engine.js';
import { sqlString } from './snapshot-tables.js';
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

/**
 * A SQL relation of the committed metrics' summary points (`run_id, name, x, y, n`: `n` is the
 * number of values a point stands for, carried by one point of each bucket), or undefined when
 * the table does not exist. Summaries missing from the cache are made first.
 */
export async function summaryRelation(
  store: Store,
  session: Session,
  x: MetricX,
): Promise<string | undefined> {
  const snapshot = await localSnapshot(store, 'metrics');
  if (snapshot.version < 0) return undefined;
  if (snapshot.paths.length === 0) return undefined;
  // One file at a time: the engine uses both cores on each already.
  const summaries = await mapLimit(snapshot.paths, 1, async (path) => {
    const summary = `${path}.${x}-summary-${FORMAT}.parquet`;
    if (!existsSync(summary)) await makeSummary(session, path, summary, x);
    return summary;
  });
  const files = `[${summaries.map(sqlString).join(', ')}]`;
  return `(SELECT run_id, name, x_lo AS x, y_lo AS y, n FROM read_parquet(${files})
    UNION ALL SELECT run_id, name, x_hi AS x, y_hi AS y, 0 AS n FROM read_parquet(${files}) WHERE NOT (x_hi = x_lo AND y_hi = y_lo))`;
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
        WITH s AS (SELECT run_id, name, ${xExpression(x)} AS x, value AS y FROM read_parquet(${sqlString(path)})),
        r AS (SELECT run_id, name, min(x) AS lo, greatest(max(x) - min(x), 1e-300) AS span
              FROM s WHERE x IS NOT NULL GROUP BY run_id, name),
        c AS (SELECT s.run_id, s.name, s.x, s.y,
                least(CAST(floor((s.x - r.lo) * ${SUMMARY_BUCKETS} / r.span) AS BIGINT), ${SUMMARY_BUCKETS - 1}) AS col
              FROM s JOIN r USING (run_id, name) WHERE s.x IS NOT NULL)
        SELECT run_id, name, count(*) AS n, arg_min(x, y) AS x_lo, min(y) AS y_lo,
          arg_max(x, y) AS x_hi, max(y) AS y_hi
        FROM c GROUP BY run_id, name, col
      ) TO ${sqlString(temp)} (FORMAT parquet)`,
    );
    renameSync(temp, summary);
  } finally {
    rmSync(temp, { force: true });
  }
}
