import { createReadStream } from 'node:fs';
import { mapFsError } from '../user-path-errors.js';
import type { WriteBody } from './contract.js';

/** Iterates a write body as chunks without holding more than one chunk of it. */
export async function* bodyChunks(body: WriteBody): AsyncIterable<Uint8Array> {
  if (typeof body === 'string') {
    yield Buffer.from(body, 'utf8');
  } else if (body instanceof Uint8Array) {
    yield body;
  } else if ('path' in body && typeof body.path === 'string') {
    try {
      yield* createReadStream(body.path, { highWaterMark: 1 << 20 });
    } catch (err) {
      throw mapFsError(err, body.path);
    }
  } else {
    yield* body as AsyncIterable<Uint8Array>;
  }
}
