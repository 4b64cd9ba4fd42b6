import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { LinkType } from '../backend/contract.js';
import { TroveError } from '../errors.js';
import { type ContentStore, forEachObject } from './content-store.js';

export interface CheckoutResult {
  path: string;
  files: number;
  /** How each file got there, counted by link type. */
  links: Partial<Record<LinkType, number>>;
}

/**
 * Puts stored content at a local path: links from a local store (reflink, then hardlink, then
 * copy), a verified download from any other. A directory is laid out from its manifest.
 */
export async function checkout(
  objects: ContentStore,
  md5: string,
  destination: string,
): Promise<CheckoutResult> {
  const dest = resolve(destination);
  const links: Partial<Record<LinkType, number>> = {};
  const count = (t: LinkType): void => {
    links[t] = (links[t] ?? 0) + 1;
  };
  if (!md5.endsWith('.dir')) {
    count(await checkoutFile(objects, md5, dest));
    return { path: dest, files: 1, links };
  }
  const entries = await objects.readManifest(md5);
  for (const e of entries) {
    const target = resolve(dest, e.relpath);
    if (!target.startsWith(dest + sep)) {
      throw new TroveError(
        'CORRUPT',
        `Manifest ${md5} has an entry outside its directory: ${e.relpath}`,
      );
    }
  }
  mkdirSync(dest, { recursive: true });
  await forEachObject(entries, async (e) =>
    count(await checkoutFile(objects, e.md5, join(dest, e.relpath))),
  );
  return { path: dest, files: entries.length, links };
}

async function checkoutFile(objects: ContentStore, md5: string, dest: string): Promise<LinkType> {
  const key = objects.key(md5);
  const { backend } = objects;
  if (backend.materialize) return backend.materialize(key, dest);
  mkdirSync(dirname(dest), { recursive: true });
  const tmp = join(dirname(dest), `.${basename(dest)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const { body } = await backend.read(key);
    const hash = createHash('md5');
    body.on('data', (chunk: Buffer) => hash.update(chunk));
    await pipeline(body, createWriteStream(tmp, { flags: 'wx' }));
    const got = hash.digest('hex');
    if (got !== md5) {
      throw new TroveError('CORRUPT', `Object ${md5} in the store has md5 ${got}.`, {
        key,
        backend: backend.kind,
      });
    }
    renameSync(tmp, dest);
    return 'copy';
  } finally {
    rmSync(tmp, { force: true });
  }
}
