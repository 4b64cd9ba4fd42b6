import type { BlockBlobUploadOptions } from '@azure/storage-blob';
import type { ObjectStat, WriteOptions } from '@trove/core/backend';
import type { AzureContext } from './context.js';
import { quoteEtag } from './head.js';

/**
 * One Put Blob of bytes in memory with its Content-MD5, which the service checks, and the
 * write's conditions as `If-None-Match: *` / `If-Match`.
 */
export async function putBlob(
  ctx: AzureContext,
  key: string,
  bytes: Buffer,
  md5: Buffer,
  options: WriteOptions,
): Promise<ObjectStat> {
  // The SDK passes `transactionalContentMD5` on as Put Blob's Content-MD5, although its type
  // does not list it: the service checks the body against it.
  const upload: BlockBlobUploadOptions & { transactionalContentMD5: Uint8Array } = {
    abortSignal: options.signal,
    transactionalContentMD5: md5,
    blobHTTPHeaders: { blobContentMD5: md5, blobContentType: options.contentType },
    conditions: { ifNoneMatch: options.ifNoneMatch, ifMatch: options.ifMatch },
  };
  const out = await ctx.conn.container.getBlockBlobClient(key).upload(bytes, bytes.length, upload);
  return {
    key,
    size: bytes.length,
    etag: quoteEtag(out.etag),
    lastModified: out.lastModified ?? new Date(),
  };
}
