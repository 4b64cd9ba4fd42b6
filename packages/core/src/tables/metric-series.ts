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
import { Session } from './engine.js';
import { type MetricX, summaryRelation, xExpression } from './metric-summaries.js';
import { openViews } from './views.js';

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
  const session = await Session.open();
  try {
    await openViews(store, session, ['metrics'], undefined, { onDisk: true });
    // A whole curve is drawn from the files' summaries (plus the backlog's values); a zoomed
    // one from the values in its window (row groups outside it are skipped by their statistics).
    const whole = xmin === undefined && xmax === undefined;
    const summaries = whole ? await summaryRelation(store, session, x) : undefined;
    const raw = `SELECT run_id, name, ${xExpression(x)} AS x, value AS y, 1 AS n`;
    const source = summaries
      ? `SELECT run_id, name, x, y, n FROM ${summaries} WHERE run_id NOT IN (SELECT run_id FROM backlog_ids)
         UNION ALL ${raw} FROM backlog_metrics`
      : `${raw} FROM metrics`;
    const rows = await session.rows(seriesSql(source, xmin, xmax), [
      JSON.stringify(runs),
      JSON.stringify(names),
      width,
      ...(xmin === undefined ? [] : [xmin]),
      ...(xmax === undefined ? [] : [xmax]),
    ]);
    return toSeries(rows, runs, names);
  } finally {
    session.close();
  }
}

function isText(value: unknown): value is string {
  return typeof value === 'string';
}

/**
 * One row per series and pixel column: its count, and its lowest and highest value with their
 * x. The column of a value is `floor((x - lo) * width / (hi - lo))`, the last value in the last
 * column; `lo`/`hi` are the range asked for, else the values' own.
 */
function seriesSql(source: string, xmin?: number, xmax?: number): string {
  let n = 4;
  const bounds = [
    ...(xmin === undefined ? [] : [`x >= $${n++}`]),
    ...(xmax === undefined ? [] : [`x <= $${n++}`]),
  ];
  return `WITH s AS (
      SELECT run_id, name, x, y, n FROM (${source})
      WHERE run_id IN (SELECT unnest(from_json($1::JSON, '["VARCHAR"]')))
        AND name IN (SELECT unnest(from_json($2::JSON, '["VARCHAR"]')))
        AND x IS NOT NULL${bounds.map((b) => ` AND ${b}`).join('')}
    ),
    r AS (SELECT min(x) AS lo, greatest(max(x) - min(x), 1e-300) AS span FROM s),
    c AS (
      SELECT run_id, name, x, y, n,
        least(CAST(floor((x - lo) * $3 / span) AS BIGINT), $3 - 1) AS col
      FROM s, r
    ),
    g AS (
      SELECT run_id, name, col, count(*) AS points, sum(n) AS n,
        arg_min(x, y) AS x_lo, min(y) AS y_lo, arg_max(x, y) AS x_hi, max(y) AS y_hi,
        min(x) AS x_first
      FROM c GROUP BY run_id, name, col
    )
    SELECT run_id, name, sum(n) AS total,
      flatten(list(CASE WHEN points = 1 OR y_lo = y_hi THEN [x_first]
        WHEN x_lo <= x_hi THEN [x_lo, x_hi] ELSE [x_hi, x_lo] END ORDER BY col)) AS x,
      flatten(list(CASE WHEN points = 1 OR y_lo = y_hi THEN [y_lo]
        WHEN x_lo <= x_hi THEN [y_lo, y_hi] ELSE [y_hi, y_lo] END ORDER BY col)) AS y
    FROM g GROUP BY run_id, name`;
}

/** One series a row (one point a flat column, else its low and high in x order), as asked. */
function toSeries(
  rows: Record<string, unknown>[],
  runs: readonly string[],
  names: readonly string[],
): MetricSeries[] {
  const byKey = new Map<string, MetricSeries>();
  for (const row of rows) {
    const runId = String(row.run_id);
    const name = String(row.name);
    byKey.set(JSON.stringify([runId, name]), {
      runId,
      name,
      x: row.x as number[],
      y: row.y as number[],
      total: Number(row.total),
    });
  }
  const out: MetricSeries[] = [];
  for (const runId of new Set(runs)) {
    for (const name of new Set(names)) {
      const series = byKey.get(JSON.stringify([runId, name]));
      if (series) out.push(series);
    }
  }
  return out;
}
