/**
 * Min/max decimation in memory: points of many series cut into the same `width` pixel columns
 * over one x range, each series keeping per column its lowest and highest point (one point when
 * the column holds one value or a flat run). The engine does the same in SQL for raw values
 * (metric-series.ts); this is for points already reduced to summaries, where a query's cost
 * would be the engine's grouping by text keys, not the numbers.
 */

/** Points of one series: x, y and how many values each point stands for. */
export interface PointSet {
  x: Float64Array;
  y: Float64Array;
  n: Float64Array;
  /** The x width of the buckets the points were reduced in (absent: the values themselves). */
  bucket?: number;
}

export interface Decimated {
  x: number[];
  y: number[];
  total: number;
}

/** The lowest and highest x of the points within [min, max]. */
export function xRange(
  series: readonly PointSet[][],
  min = Number.NEGATIVE_INFINITY,
  max = Number.POSITIVE_INFINITY,
): { lo: number; hi: number } {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const sets of series) {
    for (const set of sets) {
      for (const x of set.x) {
        if (x < min || x > max) continue;
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
    }
  }
  return { lo, hi };
}

/**
 * Each series' points (any order) within [min, max] decimated into `width` columns of the
 * range they span.
 */
export function decimate(
  series: readonly PointSet[][],
  width: number,
  min = Number.NEGATIVE_INFINITY,
  max = Number.POSITIVE_INFINITY,
): Decimated[] {
  const { lo, hi } = xRange(series, min, max);
  const span = Math.max(hi - lo, 1e-300);
  const count = new Float64Array(width);
  const first = new Float64Array(width);
  const minX = new Float64Array(width);
  const minY = new Float64Array(width);
  const maxX = new Float64Array(width);
  const maxY = new Float64Array(width);
  return series.map((sets) => {
    count.fill(0);
    let total = 0;
    for (const { x, y, n } of sets) {
      for (let i = 0; i < x.length; i++) {
        const px = x[i] as number;
        if (px < min || px > max) continue;
        const py = y[i] as number;
        total += n[i] as number;
        const col = Math.min(Math.floor(((px - lo) * width) / span), width - 1);
        if (count[col] === 0) {
          first[col] = px;
          minX[col] = px;
          maxX[col] = px;
          minY[col] = py;
          maxY[col] = py;
        } else {
          if (px < (first[col] as number)) first[col] = px;
          if (py < (minY[col] as number)) {
            minY[col] = py;
            minX[col] = px;
          }
          if (py > (maxY[col] as number)) {
            maxY[col] = py;
            maxX[col] = px;
          }
        }
        count[col] = (count[col] as number) + 1;
      }
    }
    const out: Decimated = { x: [], y: [], total };
    for (let col = 0; col < width; col++) {
      if (count[col] === 0) continue;
      if (count[col] === 1 || minY[col] === maxY[col]) {
        out.x.push(first[col] as number);
        out.y.push(minY[col] as number);
      } else if ((minX[col] as number) <= (maxX[col] as number)) {
        out.x.push(minX[col] as number, maxX[col] as number);
        out.y.push(minY[col] as number, maxY[col] as number);
      } else {
        out.x.push(maxX[col] as number, minX[col] as number);
        out.y.push(maxY[col] as number, minY[col] as number);
      }
    }
    return out;
  });
}
