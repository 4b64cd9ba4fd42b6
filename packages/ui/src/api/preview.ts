/**
 * What the run page shows of a file, from its first MiB only: an image (the app loads `/file`),
 * text, JSON (when the whole file is within the MiB and parses), a CSV/TSV as a table (csv-parse;
 * a last line cut by the MiB is dropped), or "binary" for the rest.
 */
import { posix } from 'node:path';
import type { Store } from '@trove/core';
import { parse } from 'csv-parse/sync';
import type { RunFile } from './run-files.js';

const PREVIEW_BYTES = 1024 * 1024;
const TABLE_ROWS = 1000;
const IMAGES = new Set(['png', 'jpg', 'jpeg', 'gif', 'webp', 'svg']);

export interface Preview {
  kind: 'image' | 'text' | 'json' | 'table' | 'binary';
  size: number;
  truncated: boolean;
  text?: string;
  json?: unknown;
  table?: { columns: string[]; rows: string[][] };
}

/** The first `limit` bytes of a stored file and its whole size. */
export async function readHead(
  store: Store,
  md5: string,
  limit = PREVIEW_BYTES,
): Promise<{ bytes: Buffer; size: number }> {
  const backend = store.objects.backend;
  const key = store.objects.key(md5);
  const { size } = await backend.stat(key);
  const ranged = backend.capabilities.rangeRead && size > limit;
  const { body } = await backend.read(key, ranged ? { range: { start: 0, end: limit } } : {});
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of body) {
    const buf = Buffer.from(chunk as Uint8Array);
    chunks.push(buf);
    length += buf.length;
    if (length >= limit) break; // leaving the loop ends the stream: the rest is never read
  }
  return { bytes: Buffer.concat(chunks).subarray(0, limit), size };
}

export async function previewFile(store: Store, file: RunFile): Promise<Preview> {
  const ext = posix.extname(file.path).slice(1).toLowerCase();
  if (IMAGES.has(ext)) {
    const { size } = await store.objects.backend.stat(store.objects.key(file.md5));
    return { kind: 'image', size, truncated: false };
  }
  const { bytes, size } = await readHead(store, file.md5);
  const truncated = size > bytes.length;
  if (!looksLikeText(bytes)) return { kind: 'binary', size, truncated };
  const text = utf8Head(bytes, truncated);
  if (ext === 'json' && !truncated) {
    try {
      return { kind: 'json', size, truncated, json: JSON.parse(text) };
    } catch {
      // not JSON after all: shown as text
    }
  }
  if (ext === 'csv' || ext === 'tsv') {
    const table = parseTable(text, ext === 'tsv' ? '\t' : ',', truncated);
    if (table)
      return { kind: 'table', size, truncated: truncated || table.more, table: table.table };
  }
  return { kind: 'text', size, truncated, text };
}

/** Text when there is no NUL in the first 8 KiB (git's rule). */
function looksLikeText(bytes: Buffer): boolean {
  return !bytes.subarray(0, 8192).includes(0);
}

/** The bytes as UTF-8; a multi-byte character cut by the limit is dropped, not mangled. */
export function utf8Head(bytes: Buffer, truncated: boolean): string {
  let end = bytes.length;
  if (truncated) {
    // back up over continuation bytes to the start of the last character
    let i = end - 1;
    while (i > 0 && end - i < 4 && ((bytes[i] ?? 0) & 0xc0) === 0x80) i--;
    const lead = bytes[i] ?? 0;
    const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
    if (end - i < need) end = i;
  }
  return bytes.subarray(0, end).toString('utf8');
}

function parseTable(
  text: string,
  delimiter: string,
  truncated: boolean,
): { table: { columns: string[]; rows: string[][] }; more: boolean } | undefined {
  // a file cut by the MiB ends in a partial line: only whole lines are parsed
  const whole = truncated ? text.slice(0, text.lastIndexOf('\n') + 1) : text;
  try {
    const records = parse(whole, {
      delimiter,
      relax_column_count: true,
      skip_empty_lines: true,
      to: TABLE_ROWS + 2,
    }) as string[][];
    const [columns, ...rows] = records;
    if (!columns) return undefined;
    return { table: { columns, rows: rows.slice(0, TABLE_ROWS) }, more: rows.length > TABLE_ROWS };
  } catch {
    return undefined;
  }
}
