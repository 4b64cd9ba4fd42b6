import type { BigIntStats } from 'node:fs';
import { notFound, type ObjectStat } from '@trove/core/backend';
import { statIfFile } from './commit.js';
import { KIND } from './context.js';
import { toObjectStat } from './etag.js';
import { rethrow } from './map-error.js';

/** The stat of the object file at `path`, or undefined when there is none (absent, or a folder). */
export async function headObject(path: string, key: string): Promise<BigIntStats | undefined> {
  try {
    return await statIfFile(path);
  } catch (err) {
    rethrow(err, key);
  }
}

export async function statObject(path: string, key: string): Promise<ObjectStat> {
  const st = await headObject(path, key);
  if (!st) throw notFound(KIND, key);
  return toObjectStat(key, st);
}
