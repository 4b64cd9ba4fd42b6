import type { ObjectStat } from '@trove/core/backend';
import type { ObjectResource } from './context.js';

/**
 * An object resource as trove's stat. The etag is the object's **generation** (GCS's own etags
 * are for metadata and change format between emulators and the service): `ifMatch` compares it,
 * and writes pass it on as `ifGenerationMatch`. `md5` is GCS's `md5Hash` in hex when present
 * (composite objects have none).
 */
export function toStat(key: string, resource: ObjectResource): ObjectStat {
  const stat: ObjectStat = {
    key,
    size: Number(resource.size ?? 0),
    etag: String(resource.generation ?? ''),
    lastModified: resource.updated ? new Date(resource.updated) : new Date(),
  };
  const md5 = md5Hex(resource.md5Hash);
  if (md5 !== undefined) stat.md5 = md5;
  return stat;
}

/** GCS's base64 md5 as hex. */
export function md5Hex(base64: string | undefined): string | undefined {
  return base64 ? Buffer.from(base64, 'base64').toString('hex') : undefined;
}

/** Hex md5 as GCS's base64. */
export function md5Base64(hex: string): string {
  return Buffer.from(hex, 'hex').toString('base64');
}

/** A generation as ifGenerationMatch takes it; a malformed etag can match no object. */
export function generationOf(etag: string): string {
  return /^\d+$/.test(etag) ? etag : '-1';
}
