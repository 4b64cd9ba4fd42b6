import { checkWriteConditions, type ObjectStat, type WriteOptions } from '@trove/core/backend';
import type { GcsContext } from './context.js';
import { headObject } from './head.js';
import { BACKEND } from './map-error.js';
import { generationOf, toStat } from './stat.js';
import { uploadInOneRequest, uploadTarget } from './upload/requests.js';

/**
 * One request (`uploadType=multipart`) with the md5 declared, so GCS rejects other bytes, and the
 * write's conditions as `ifGenerationMatch`.
 */
export async function putObject(
  ctx: GcsContext,
  key: string,
  bytes: Uint8Array,
  md5: Buffer,
  options: WriteOptions,
): Promise<ObjectStat> {
  // An `ifMatch` that is no generation cannot match: say why without a request that would 400.
  if (options.ifMatch !== undefined && generationOf(options.ifMatch) !== options.ifMatch) {
    const head = await headObject(ctx, key, options.signal);
    checkWriteConditions(BACKEND, key, head?.etag, options);
  }
  const target = uploadTarget(key, options, md5.toString('base64'));
  return toStat(key, await uploadInOneRequest(ctx, target, bytes, options.signal));
}
