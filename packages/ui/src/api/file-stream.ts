/**
 * A run's file as bytes, streamed from the store (never whole in memory), with `Range` (one
 * range; several are answered whole, as RFC 9110 allows) and a folder as a zip stream (yazl: each
 * file is read from the store only when the zip reaches it).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ArtifactRecord, Store } from '@trove/core';
import { ZipFile } from 'yazl';
import { contentType, folderFiles, type RunFile } from './run-files.js';

/** Sends `file`'s bytes (or the range asked for). */
export async function sendFile(
  store: Store,
  req: IncomingMessage,
  res: ServerResponse,
  file: RunFile,
  download: boolean,
): Promise<void> {
  const key = store.objects.key(file.md5);
  const { size } = await store.objects.backend.stat(key);
  const type = contentType(file.path);
  const headers: Record<string, string | number> = {
    'Content-Type': type,
    'Accept-Ranges': 'bytes',
    ETag: `"${file.md5}"`,
  };
  // an SVG opened on its own runs no script and reaches nothing
  if (type.startsWith('image/svg')) headers['Content-Security-Policy'] = 'sandbox';
  if (download) headers['Content-Disposition'] = attachment(posix.basename(file.path));
  const range = parseRange(req.headers.range, size);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}` });
    res.end();
    return;
  }
  const [start, end] = range ?? [0, size];
  res.writeHead(range ? 206 : 200, {
    ...headers,
    'Content-Length': end - start,
    ...(range ? { 'Content-Range': `bytes ${start}-${end - 1}/${size}` } : {}),
  });
  if (req.method === 'HEAD' || end === start) {
    res.end();
    return;
  }
  const { body } = await store.objects.backend.read(key, range ? { range: { start, end } } : {});
  await pipeline(body, res);
}

/**
 * `bytes=a-b`, `bytes=a-`, `bytes=-n` as [start, end) within `size`; undefined for no range (or
 * one this server answers whole); `unsatisfiable` when it starts past the end.
 */
function parseRange(
  header: string | undefined,
  size: number,
): [number, number] | 'unsatisfiable' | undefined {
  const m = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return [Math.max(0, size - suffix), size];
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size : Math.min(size, Number(m[2]) + 1);
  if (start >= size) return 'unsatisfiable';
  if (end <= start) return undefined;
  return [start, end];
}

/** A folder artifact as a zip, streamed: files under the folder's own name. */
export async function sendZip(
  store: Store,
  req: IncomingMessage,
  res: ServerResponse,
  folder: ArtifactRecord,
): Promise<void> {
  const files = await folderFiles(store, folder);
  const name = posix.basename(folder.path);
  res.writeHead(200, {
    'Content-Type': 'application/zip',
    'Content-Disposition': attachment(`${name}.zip`),
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const zip = new ZipFile();
  const failed = new Promise<never>((_, reject) => zip.on('error', reject));
  const done = Promise.race([pipeline(zip.outputStream, res), failed]);
  for (const file of files) {
    const key = store.objects.key(file.md5);
    // yazl asks for each stream when it reaches the entry: one object open at a time
    zip.addReadStreamLazy(`${name}/${file.path.slice(folder.path.length + 1)}`, (cb) => {
      store.objects.backend.read(key).then(
        ({ body }) => cb(null, body),
        (err: unknown) => cb(err, undefined as never),
      );
    });
  }
  zip.end();
  await done;
}

/** `attachment; filename=…`, with the UTF-8 form for names beyond ASCII. */
function attachment(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
