/**
 * Metric curves for a chart: the metrics table (committed snapshot plus the backlog, as a search
 * sees it) reduced by the engine to what a chart `width` pixels wide can show. The x range (all
 * series together, so pixel columns line up across runs) is cut into `width` columns; each
 * series keeps, per column, its lowest and its highest value at their own x, in x order
 * (min/max decimation: every peak and dip is still drawn). A column of one or two values keeps
 * them as they are, so a short series, or a zoomed-in window (`xmin`/`xmax`), comes back whole.
 * The snapshot stays a view over its Parquet files: a metrics table may hold 100,000,000 values.
 */
import { TroveError } from '../errors.js';
import type { Store } from '../record/store.js';
import { Session, sqlString } from './engine.js';
import { committedSummaries, type MetricX, seriesKey, xExpression } from './metric-summaries.js';
import { decimate, type PointSet, xRange } from './pixel-columns.js';
import { loadSnapshotTable } from './snapshot-tables.js';
import { createView, openViews } from './views.js';

export interface MetricSeriesOptions {
  /** Run ids (full ids). */
  runs: readonly string[];
  /** Metric names (`loss`, `train/acc`). */
  names: readonly string[];
  /** What x is: the step (default) or the time a value was logged (epoch milliseconds). */
  x?: 'step' | 'time';
  /** The chart's width in pixels: at most two points a pixel column come back (default 1000). */
  width?: number;
  /** Only values with x ≥ xmin. */
  xmin?: number;
  /** Only values with x ≤ xmax. */
  xmax?: number;
}

export interface MetricSeries {
  runId: string;
  name: string;
  /** x of each point, ascending. */
  x: number[];
  y: number[];
  /** How many values the series has within the range (before decimation). */
  total: number;
}

const MAX_WIDTH = 10_000;

/**
 * The curves of `names` in `runs`, one series for each pair that has values in the range,
 * ordered by the order of `runs`, then of `names`.
 *
 * @example
 * const [loss] = await metricSeries(store, { runs: [id], names: ['loss'], width: 800 });
 */
export async function metricSeries(
  store: Store,
  options: MetricSeriesOptions,
): Promise<MetricSeries[]> {
  const { runs, names, width = 1000, xmin, xmax } = options;
  const x: MetricX = options.x ?? 'step';
  if (!Array.isArray(runs) || !Array.isArray(names) || ![...runs, ...names].every(isText)) {
    throw new TroveError('INVALID_ARGUMENT', 'runs and names must be lists of strings.');
  }
  if (x !== 'step' && x !== 'time') {
    throw new TroveError('INVALID_ARGUMENT', `x must be "step" or "time", not ${String(x)}.`);
  }
  if (!(Number.isSafeInteger(width) && width >= 1 && width <= MAX_WIDTH)) {
    throw new TroveError('INVALID_ARGUMENT', `width must be a whole number 1–${MAX_WIDTH}.`);
  }
  for (const [label, value] of [
    ['xmin', xmin],
    ['xmax', xmax],
  ] as const) {
    if (value !== undefined && !Number.isFinite(value)) {
      throw new TroveError('INVALID_ARGUMENT', `${label} must be a finite number.`);
    }
  }
  if (runs.length === 0 || names.length === 0) return [];
  // the series asked for, numbered in the order they come back
  const [runList, nameList] = [[...new Set(runs)], [...new Set(names)]];
  const pairs = runList.flatMap((run) => nameList.map((name) => [run, name]));
  const session = await Session.open();
  try {
    // Curves are drawn from the files' summaries in memory (plus the backlog's values) when
    // their buckets are no wider than a pixel column: whole curves, and zooms that are not too
    // deep (no data file is fetched or read for them); a deeper zoom from the values in its
    // window, reduced by the engine, which reads only the row groups whose steps meet it.
    const raw = `SELECT run_id, name, ${xExpression(x)} AS x, value AS y, 1 AS n`;
    const summaries = await committedSummaries(store, session, x);
    if (summaries) {
      await openViews(store, session, ['metrics'], undefined, { backlogOnly: true });
      const sets = await pointSets(session, summaries, pairs, raw);
      const { lo, hi } = xRange(sets, xmin, xmax);
      const pixel = (Math.min(hi, xmax ?? hi) - Math.max(lo, xmin ?? lo)) / width;
      const fine = sets.every((list) => list.every((set) => (set.bucket ?? 0) <= pixel));
      if ((xmin === undefined && xmax === undefined) || fine) {
        return decimate(sets, width, xmin, xmax).flatMap((d, i) => {
          const [runId, name] = pairs[i] as [string, string];
          return d.x.length > 0 ? [{ runId, name, ...d }] : [];
        });
      }
    }
    // After the summaries, the backlog's rows are in the session already (listed and read once):
    // only the committed view is added to them.
    const committed =
      summaries && (await loadSnapshotTable(store, 'metrics', session, { onDisk: true }));
    if (committed) await createView(session, 'metrics', committed);
    else await openViews(store, session, ['metrics'], undefined, { onDisk: true });
    const [series, xs, ys, ns] = await session.doubles(
      seriesSql(`${raw} FROM metrics${storedBounds(x, runList, nameList, xmin, xmax)}`, xmin, xmax),
      [
        JSON.stringify(pairs),
        width,
        ...(xmin === undefined ? [] : [xmin]),
        ...(xmax === undefined ? [] : [xmax]),
      ],
    );
    return toSeries(
      pairs,
      series as Float64Array,
      xs as Float64Array,
      ys as Float64Array,
      ns as Float64Array,
    );
  } finally {
    session.close();
  }
}

/**
 * Each series' points: a committed series' summaries, a backlog run's values (its committed
 * rows, if any, are what its folder replaces).
 */
async function pointSets(
  session: Session,
  summaries: Map<string, PointSet[]>,
  pairs: readonly string[][],
  raw: string,
): Promise<PointSet[][]> {
  const backlog = new Set(
    (await session.rows('SELECT run_id FROM backlog_ids')).map((r) => String(r.run_id)),
  );
  const [series, xs, ys] = (await session.doubles(
    `WITH q AS (${PAIRS_SQL}) SELECT q.series, v.x, v.y FROM (${raw} FROM backlog_metrics) v
     JOIN q ON v.run_id = q.run_id AND v.name = q.name WHERE v.x IS NOT NULL ORDER BY q.series`,
    [JSON.stringify(pairs)],
  )) as [Float64Array, Float64Array, Float64Array];
  const sets: PointSet[][] = pairs.map(([run, name]) =>
    backlog.has(run as string)
      ? []
      : (summaries.get(seriesKey(run as string, name as string)) ?? []),
  );
  for (const [index, start, end] of seriesRuns(series)) {
    sets[index]?.push({
      x: xs.subarray(start, end),
      y: ys.subarray(start, end),
      n: new Float64Array(end - start).fill(1),
    });
  }
  return sets;
}

/** The series asked for, numbered: `run_id, name, series` (the JSON list of pairs is `$1`). */
const PAIRS_SQL = `SELECT p[1] AS run_id, p[2] AS name, CAST(i - 1 AS DOUBLE) AS series
      FROM (SELECT unnest(from_json($1::JSON, '[["VARCHAR"]]')) AS p, generate_subscripts(from_json($1::JSON, '[["VARCHAR"]]'), 1) AS i)`;

/**
 * Makes and reads the summaries whole curves are drawn from (`x` by step, or by time), so that
 * the first chart is quick: what `trove ui` starts in the background. Made once a data file in
 * the user's cache folder; a later call costs a listing. `signal` stops it after the file at
 * hand (nothing is left half-made).
 */
export async function prepareMetricSeries(
  store: Store,
  options: {
    x?: 'step' | 'time';
    signal?: AbortSignal;
    /** Awaited before each data file (a server lets its requests go first). */
    before?: () => Promise<void>;
  } = {},
): Promise<void> {
  const session = await Session.open();
  try {
    await committedSummaries(store, session, options.x ?? 'step', options.signal, options.before);
  } finally {
    session.close();
  }
}

function isText(value: unknown): value is string {
  return typeof value === 'string';
}

/**
 * The window as a condition on the stored column (not on x, a cast of it), and the runs and
 * names as lists of constants, which the engine applies while it reads the files: a row group
 * whose min/max statistics miss them is skipped. The bounds are checked finite numbers; the
 * names (each once) are quoted.
 */
function storedBounds(
  x: MetricX,
  runs: readonly string[],
  names: readonly string[],
  xmin?: number,
  xmax?: number,
): string {
  const column = x === 'step' ? 'step' : '"timestamp"';
  const value = (v: number, round: (n: number) => number) =>
    x === 'step' ? String(round(v)) : `to_timestamp(${v / 1000})`;
  const conditions = [
    `run_id IN (${runs.map(sqlString).join(', ')})`,
    `name IN (${names.map(sqlString).join(', ')})`,
    ...(xmin === undefined ? [] : [`${column} >= ${value(xmin, Math.ceil)}`]),
    ...(xmax === undefined ? [] : [`${column} <= ${value(xmax, Math.floor)}`]),
  ];
  return ` WHERE ${conditions.join(' AND ')}`;
}

/**
 * One row per series and pixel column: its count, and its lowest and highest value with their
 * x. The column of a value is `floor((x - lo) * width / (hi - lo))`, the last value in the last
 * column; `lo`/`hi` are the range asked for, else the values' own.
 */
function seriesSql(source: string, xmin?: number, xmax?: number): string {
  let n = 3;
  const bounds = [
    ...(xmin === undefined ? [] : [`x >= $${n++}`]),
    ...(xmax === undefined ? [] : [`x <= $${n++}`]),
  ];
  return `WITH q AS (${PAIRS_SQL}),
    s AS (
      SELECT q.series, v.x, v.y, v.n FROM (${source}) v JOIN q ON v.run_id = q.run_id AND v.name = q.name
      WHERE v.x IS NOT NULL${bounds.map((b) => ` AND v.${b}`).join('')}
    ),
    r AS (SELECT min(x) AS lo, greatest(max(x) - min(x), 1e-300) AS span FROM s),
    c AS (
      SELECT series, x, y, n, least(CAST(floor((x - lo) * $2 / span) AS BIGINT), $2 - 1) AS col
      FROM s, r
    ),
    g AS (
      SELECT series, col, count(*) AS points, sum(n) AS n,
        arg_min(x, y) AS x_lo, min(y) AS y_lo, arg_max(x, y) AS x_hi, max(y) AS y_hi,
        min(x) AS x_first, (count(*) = 1 OR min(y) = max(y)) AS single
      FROM c GROUP BY series, col
    )
    SELECT series, x, y, n FROM (
      SELECT series, col, 0 AS k,
        CASE WHEN single THEN x_first WHEN x_lo <= x_hi THEN x_lo ELSE x_hi END AS x,
        CASE WHEN single THEN y_lo WHEN x_lo <= x_hi THEN y_lo ELSE y_hi END AS y,
        CAST(n AS DOUBLE) AS n
      FROM g
      UNION ALL
      SELECT series, col, 1 AS k,
        CASE WHEN x_lo <= x_hi THEN x_hi ELSE x_lo END AS x,
        CASE WHEN x_lo <= x_hi THEN y_hi ELSE y_lo END AS y,
        0.0 AS n
      FROM g WHERE NOT single
    ) ORDER BY series, col, k`;
}

/** The points (ordered by series, then x) cut into one series per pair that has any. */
function toSeries(
  pairs: readonly string[][],
  series: Float64Array,
  xs: Float64Array,
  ys: Float64Array,
  ns: Float64Array,
): MetricSeries[] {
  const out: MetricSeries[] = [];
  for (const [index, start, end] of seriesRuns(series)) {
    let total = 0;
    for (let i = start; i < end; i++) total += ns[i] as number;
    const [runId, name] = pairs[index] as [string, string];
    out.push({
      runId,
      name,
      x: Array.from(xs.subarray(start, end)),
      y: Array.from(ys.subarray(start, end)),
      total,
    });
  }
  return out;
}

/** The rows `[start, end)` of each series in a result ordered by series: `[series, start, end]`. */
function* seriesRuns(series: Float64Array): Generator<[number, number, number]> {
  for (let start = 0; start < series.length; ) {
    const index = series[start] as number;
    let end = start + 1;
    while (end < series.length && series[end] === index) end++;
    yield [index, start, end];
    start = end;
  }
}
