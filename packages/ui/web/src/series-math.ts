/**
 * What the chart does to the server's series before drawing: smoothing (an exponential moving
 * average with TensorBoard's debiasing, so the first points are not pulled to zero), log scale
 * (non-positive values cannot be drawn and become gaps), and alignment of many runs' series onto
 * one x array for uPlot.
 */
import type { Series } from './types.js';

export function smooth(y: readonly (number | null)[], weight: number): (number | null)[] {
  if (weight <= 0) return [...y];
  const out: (number | null)[] = new Array(y.length);
  let last = 0;
  let n = 0;
  for (let i = 0; i < y.length; i++) {
    const v = y[i];
    if (v === null || v === undefined || !Number.isFinite(v)) {
      out[i] = null;
      continue;
    }
    last = last * weight + (1 - weight) * v;
    n++;
    out[i] = last / (1 - weight ** n);
  }
  return out;
}

export function forLog(y: readonly (number | null)[]): (number | null)[] {
  return y.map((v) => (v !== null && v > 0 ? v : null));
}

/**
 * One x array and one y array per series (null where a series has no point at that x). When the
 * runs' x values differ so much that the union would be far larger than the chart has pixels,
 * x is snapped to a grid of `columns` cells across the range: finer than a pixel, so nothing
 * visible moves, and the data stays small (100 runs × 100,000 steps never becomes 10^7 cells).
 */
export function align(
  series: { x: number[]; y: (number | null)[] }[],
  columns: number,
): {
  x: number[];
  ys: (number | null)[][];
} {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  const union = new Set<number>();
  for (const s of series) {
    for (const x of s.x) {
      if (x < lo) lo = x;
      if (x > hi) hi = x;
      if (union.size <= columns * 4) union.add(x);
    }
  }
  if (union.size === 0) return { x: [], ys: series.map(() => []) };
  const snap = union.size > columns * 4 && hi > lo;
  const xs = snap
    ? Array.from({ length: columns + 1 }, (_, i) => lo + (i * (hi - lo)) / columns)
    : [...union].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const at = snap
    ? (x: number) => Math.round(((x - lo) / (hi - lo)) * columns)
    : (x: number) => index.get(x);
  const ys = series.map((s) => {
    const y: (number | null)[] = new Array(xs.length).fill(null);
    for (let i = 0; i < s.x.length; i++) {
      const cell = at(s.x[i] as number);
      if (cell !== undefined) y[cell] = s.y[i] ?? null;
    }
    return y;
  });
  return { x: xs, ys };
}

/** A stable color per run position: golden-angle hues stay apart for 50 runs. */
export function runColor(i: number): string {
  return `hsl(${Math.round((i * 137.508) % 360)} 70% 42%)`;
}

export function seriesOf(all: Series[], runs: string[], key: string): (Series | undefined)[] {
  const byRun = new Map(all.filter((s) => s.key === key).map((s) => [s.run, s]));
  return runs.map((r) => byRun.get(r));
}
