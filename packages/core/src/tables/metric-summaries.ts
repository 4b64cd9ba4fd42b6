/**
 * Summaries of the metrics table's data files, for charts of whole curves: per file, per series
 * (run and metric), the x range cut into `SUMMARY_BUCKETS` buckets, each kept as its lowest and
 * highest value at their own x, and its count. A whole-range chart then reads at most
 * 2 × SUMMARY_BUCKETS points a series instead of every value (100 runs × 10 metrics × 100,000
 * steps is 100,000,000 values, seconds of scanning; the summaries are 4,000,000 points). A file's
 * writer stores its summary beside the table (metric-summary-rows.ts): it is fetched into the
 * cache like the data files. A file written before that has none: its summary is made once from
 * the file, beside it in the user's cache folder (written under a temporary name and renamed),
 * and read from there ever after.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, renameSync, rmSync } from 'node:fs';
import { readParquetColumns } from '@trove/delta';
import { mapLimit } from '../backend/map-limit.js';
import { TroveError } from '../errors.js';
import type { Store } from '../record/store.js';
import { type Session, sqlString } from './engine.js';
import { SUMMARY_BUCKETS } from './metric-summary-rows.js';
import type { PointSet } from './pixel-columns.js';
import { groupInto } from './rows.js';
import { fetchTableFile, PARALLEL_FETCHES, type TableFile, withTableFiles } from './table-files.js';

/** The layout of a summary made in the cache; a new one gets a new file name. */
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
  return withTableFiles(store, 'metrics', async (version, files) => {
    if (version < 0) return undefined;
    const out = new Map<string, PointSet[]>();
    const id = (file: TableFile) => `${file.summary ?? file.path}#${x}`;
    // (only a warm-up passes `before` and `signal`: it lets others go first, and what it has
    // not reached when stopped is left for later)
    // The stored summaries not read yet in this process are fetched and decoded together.
    const fresh = files.filter((f) => f.summary !== undefined && !loaded.has(id(f)));
    if (fresh.length > 0) {
      await before?.();
      if (signal?.aborted) return out;
      const batch = readStored(
        store,
        fresh.map((f) => f.summary as string),
        x,
      );
      for (const file of fresh) {
        const pieces = batch.then((all) => all.get(file.summary as string) ?? new Map());
        loaded.set(id(file), pieces);
        pieces.catch(() => loaded.delete(id(file)));
      }
    }
    // One file at a time: the engine uses both cores on each already.
    await mapLimit(files, 1, async (file) => {
      let pieces = loaded.get(id(file));
      if (!pieces) {
        await before?.();
        if (signal?.aborted) return;
        pieces = madeSummary(store, session, file.path, x);
        loaded.set(id(file), pieces);
        pieces.catch(() => loaded.delete(id(file)));
      }
      for (const [key, set] of await pieces) groupInto(out, key, set);
    });
    return out;
  });
}

/**
 * Summaries their writers stored beside the table (`summaries`, their paths in it), fetched into
 * the cache: the buckets of axis `x`, by summary path. Decoded in this process, not by the
 * engine: a query a file was most of a cold chart's time (200 files).
 */
async function readStored(
  store: Store,
  summaries: readonly string[],
  x: MetricX,
): Promise<Map<string, Pieces>> {
  const out = new Map<string, Pieces>();
  await mapLimit(summaries, PARALLEL_FETCHES, async (summary) => {
    const local = await fetchTableFile(store, 'metrics', summary);
    const c = await readParquetColumns(local, SUMMARY_COLUMNS);
    const [axis, runs, names] = [c.axis, c.run_id, c.name] as ArrayLike<unknown>[];
    const doubles = (name: string) => {
      const v = c[name] as ArrayLike<number>;
      return v instanceof Float64Array ? v : Float64Array.from(v, Number);
    };
    const [xLo, yLo, xHi, yHi, n] = ['x_lo', 'y_lo', 'x_hi', 'y_hi', 'n'].map(doubles) as [
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
      Float64Array,
    ];
    const pieces: Pieces = new Map();
    // each series' buckets are rows [start, end): its writer wrote them together
    for (let start = 0; start < (axis?.length ?? 0); ) {
      let end = start + 1;
      while (
        end < (axis?.length ?? 0) &&
        axis?.[end] === axis?.[start] &&
        runs?.[end] === runs?.[start] &&
        names?.[end] === names?.[start]
      )
        end++;
      if (axis?.[start] === x) {
        const key = seriesKey(String(runs?.[start]), String(names?.[start]));
        if (pieces.has(key)) {
          throw new TroveError('CORRUPT', `metric summary ${summary}: a series in two places`, {
            key: summary,
          });
        }
        const part = (v: Float64Array) => v.subarray(start, end);
        pieces.set(key, piece(part(xLo), part(yLo), part(xHi), part(yHi), part(n)));
      }
      start = end;
    }
    out.set(summary, pieces);
  });
  return out;
}

const SUMMARY_COLUMNS = ['axis', 'run_id', 'name', 'n', 'x_lo', 'y_lo', 'x_hi', 'y_hi'];

/**
 * The summary of a data file written without one, made once from the file into the cache
 * folder beside it, as each series' points.
 */
async function madeSummary(
  store: Store,
  session: Session,
  dataPath: string,
  x: MetricX,
): Promise<Pieces> {
  const path = await fetchTableFile(store, 'metrics', dataPath);
  const summary = `${path}.${x}-summary-${FORMAT}.parquet`;
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
    const end = at + Number(row.k);
    pieces.set(
      seriesKey(String(row.run_id), String(row.name)),
      piece(
        xLo.subarray(at, end),
        yLo.subarray(at, end),
        xHi.subarray(at, end),
        yHi.subarray(at, end),
        n.subarray(at, end),
      ),
    );
    at = end;
  }
  return pieces;
}

/** A series' buckets (in bucket order) as its points: each bucket's low carries its count. */
function piece(
  xLo: Float64Array,
  yLo: Float64Array,
  xHi: Float64Array,
  yHi: Float64Array,
  n: Float64Array,
): PointSet {
  const k = xLo.length;
  const px = new Float64Array(2 * k);
  const py = new Float64Array(2 * k);
  const pn = new Float64Array(2 * k);
  px.set(xLo, 0);
  px.set(xHi, k);
  py.set(yLo, 0);
  py.set(yHi, k);
  pn.set(n, 0);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of px) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return { x: px, y: py, n: pn, bucket: (hi - lo) / SUMMARY_BUCKETS };
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
