import { resolve } from 'node:path';
import { type LinkType, type MaterializeOptions, notFound } from '@trove/core/backend';
import { KIND, type LocalContext } from './context.js';
import { headObject, statObject } from './head.js';
import { DEFAULT_LINK_TYPES, placeFile } from './link.js';
import { rethrow } from './map-error.js';

/** Puts the object at `destination` by the first link type that works (see `link.ts`). */
export async function materializeObject(
  ctx: LocalContext,
  source: { path: string; key: string },
  destination: string,
  options: MaterializeOptions,
): Promise<LinkType> {
  options.signal?.throwIfAborted();
  await statObject(source.path, source.key);
  const dest = resolve(destination);
  try {
    return await placeFile(
      source.path,
      dest,
      options.linkTypes ?? DEFAULT_LINK_TYPES,
      ctx.brokenLinkTypes,
    );
  } catch (err) {
    if (
      (err as NodeJS.ErrnoException).code === 'ENOENT' &&
      !(await headObject(source.path, source.key))
    )
      throw notFound(KIND, source.key);
    rethrow(err, destination, 'write');
  }
}
