/**
 * `/api/metrics`: curves reduced on the server to at most two points a pixel column (core's
 * `metricSeries`), as JSON or, with `format=f32`, as one binary body the browser reads without
 * parsing (API.md gives the layout): 100 runs × 10 metrics at 1,000 pixels are 2,000,000 points,
 * about 40 MB of JSON but 24 MB of numbers that need no parse.
 */
import type { ServerResponse } from 'node:http';
import { type MetricSeries, metricSeries, type Store } from '@trove/core';
import { integer, list, number, oneOf } from '../server/params.js';
import { sendJson } from '../server/reply.js';

/** Answers with the curves of `runs` (resolved ids) the query asks for. */
export async function sendMetrics(
  store: Store,
  runs: string[],
  url: URL,
  res: ServerResponse,
): Promise<void> {
  const names = list(url, 'keys', { min: 1, max: 200 });
  const x = oneOf(url, 'x', ['step', 'time'] as const);
  const format = oneOf(url, 'format', ['json', 'f32'] as const);
  const xmin = number(url, 'xmin');
  const xmax = number(url, 'xmax');
  const series = await metricSeries(store, {
    runs,
    names,
    x,
    width: integer(url, 'width', 1000, 1, 10_000),
    ...(xmin !== undefined ? { xmin } : {}),
    ...(xmax !== undefined ? { xmax } : {}),
  });
  if (format === 'json') {
    sendJson(res, { series: series.map(seriesJson) });
    return;
  }
  const body = binarySeries(series);
  res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': body.length });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/** A series as the JSON form carries it (and the offline report embeds it). */
export function seriesJson(s: MetricSeries) {
  return { run: s.runId, key: s.name, x: s.x, y: s.y, total: s.total };
}

/**
 * `u32 LE n`, then `n` bytes of JSON `{ series: [{ run, key, total, points }] }` padded with
 * spaces so that the numbers start at a multiple of 8, then every series' x as float64 (LE), in
 * order, then every series' y as float32 (LE), in order.
 */
function binarySeries(series: readonly MetricSeries[]): Buffer {
  const header = {
    series: series.map((s) => ({ run: s.runId, key: s.name, total: s.total, points: s.x.length })),
  };
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const pad = (8 - ((4 + json.length) % 8)) % 8;
  json = Buffer.concat([json, Buffer.alloc(pad, 0x20)]);
  const points = series.reduce((sum, s) => sum + s.x.length, 0);
  const start = 4 + json.length;
  const out = Buffer.alloc(start + points * 12);
  out.writeUInt32LE(json.length, 0);
  json.copy(out, 4);
  const xs = new Float64Array(out.buffer, out.byteOffset + start, points);
  const ys = new Float32Array(out.buffer, out.byteOffset + start + points * 8, points);
  let at = 0;
  for (const s of series) {
    xs.set(s.x, at);
    ys.set(s.y, at);
    at += s.x.length;
  }
  return out;
}
