/**
 * A metrics data file's curve summary, made by its writer while the rows are in memory (the
 * table's `layout.summary`, stored as `_summaries/<data file>` beside the table): per series (run
 * and metric) and per x (`step`, or the time in epoch milliseconds), the series' x range cut into
 * `SUMMARY_BUCKETS` buckets, each kept as its count and its lowest and highest value at their own
 * x. It is what the cache summaries made from the data file hold (metric-summaries.ts), so a
 * whole-curve chart reads about 4,096 points a series instead of the values, and nothing is made
 * on a reader's first open. A series' buckets are written together, in bucket order, and the
 * counts as doubles: a reader takes them as they are decoded, with no sort and no conversion.
 */
import { defineSchema, type FileSummary, type Row } from '@trove/delta';

/** Buckets a series gets in each file's summary: finer than any chart's pixel columns. */
export const SUMMARY_BUCKETS = 2048;

/** The x axes a summary is made for, as the `axis` column names them. */
const AXES = ['step', 'time'] as const;

export const METRIC_FILE_SUMMARY: FileSummary = {
  schema: defineSchema([
    { name: 'axis', type: 'string', nullable: false },
    { name: 'run_id', type: 'string', nullable: false },
    { name: 'name', type: 'string', nullable: false },
    { name: 'n', type: 'double', nullable: false },
    { name: 'x_lo', type: 'double', nullable: false },
    { name: 'y_lo', type: 'double', nullable: false },
    { name: 'x_hi', type: 'double', nullable: false },
    { name: 'y_hi', type: 'double', nullable: false },
  ]),
  summarize: summaryRows,
};

/** The summary rows of a file's metric rows (any order; a series' rows need not be together). */
function summaryRows(rows: readonly Row[]): Row[] {
  const series = new Map<string, { runId: string; name: string; at: number[] }>();
  rows.forEach((row, i) => {
    const key = `${row.run_id}\u0000${row.name}`;
    let s = series.get(key);
    if (!s) {
      s = { runId: String(row.run_id), name: String(row.name), at: [] };
      series.set(key, s);
    }
    s.at.push(i);
  });
  const out: Row[] = [];
  for (const axis of AXES) {
    for (const { runId, name, at } of series.values()) {
      const xs: number[] = [];
      const ys: number[] = [];
      for (const i of at) {
        const row = rows[i] as Row;
        const x = xOf(row, axis);
        if (x === undefined) continue;
        xs.push(x);
        ys.push(Number(row.value));
      }
      for (const bucket of buckets(xs, ys)) out.push({ axis, run_id: runId, name, ...bucket });
    }
  }
  return out;
}

function xOf(row: Row, axis: (typeof AXES)[number]): number | undefined {
  if (axis === 'time') {
    const t = row.timestamp;
    return t instanceof Date ? t.getTime() : t == null ? undefined : new Date(String(t)).getTime();
  }
  return row.step === null || row.step === undefined ? undefined : Number(row.step);
}

/**
 * A series' buckets: bucket `min(floor((x - lo) × B / (hi - lo)), B - 1)`, each its count and
 * its lowest and highest value with their x (the first x of a tie), in bucket order.
 */
function buckets(xs: readonly number[], ys: readonly number[]): Row[] {
  if (xs.length === 0) return [];
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const x of xs) {
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  const span = Math.max(hi - lo, 1e-300);
  const made = new Map<
    number,
    { n: number; x_lo: number; y_lo: number; x_hi: number; y_hi: number }
  >();
  xs.forEach((x, i) => {
    const y = ys[i] as number;
    const b = Math.min(Math.floor(((x - lo) * SUMMARY_BUCKETS) / span), SUMMARY_BUCKETS - 1);
    const cell = made.get(b);
    if (!cell) {
      made.set(b, { n: 1, x_lo: x, y_lo: y, x_hi: x, y_hi: y });
      return;
    }
    cell.n++;
    if (y < cell.y_lo) {
      cell.y_lo = y;
      cell.x_lo = x;
    }
    if (y > cell.y_hi) {
      cell.y_hi = y;
      cell.x_hi = x;
    }
  });
  return [...made.entries()].sort((a, b) => a[0] - b[0]).map(([, cell]) => ({ ...cell }));
}
