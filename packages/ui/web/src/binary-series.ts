/**
 * Reads `/api/metrics?format=f32` (layout in API.md): `u32 LE n`, n bytes of JSON
 * `{ series: [{ run, key, total, points }] }` padded so the numbers start 8-aligned, every
 * series' x as float64 LE, then every series' y as float32 LE. The numbers are viewed in place,
 * never parsed: 2,000,000 points cost a copy, not a JSON parse. A NaN y is a gap (null).
 */
import type { Series } from './types.js';

interface Header {
  series: { run: string; key: string; total: number; points: number }[];
}

export function readBinarySeries(buf: ArrayBuffer): Series[] {
  const view = new DataView(buf);
  const n = view.getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 4, n))) as Header;
  const start = 4 + n;
  const points = header.series.reduce((sum, s) => sum + s.points, 0);
  // typed arrays are little-endian on every platform a browser runs on
  const xs = new Float64Array(buf, start, points);
  const ys = new Float32Array(buf, start + points * 8, points);
  let at = 0;
  return header.series.map((s) => {
    const x = Array.from(xs.subarray(at, at + s.points));
    const y = Array.from(ys.subarray(at, at + s.points), (v) => (Number.isNaN(v) ? null : v));
    at += s.points;
    return { run: s.run, key: s.key, x, y, total: s.total };
  });
}
