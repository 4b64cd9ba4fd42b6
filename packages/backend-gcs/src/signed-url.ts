import type { SignedUrlOptions } from '@trove/core/backend';
import type { GcsContext } from './context.js';

/**
 * A V4 signed URL for GET or PUT, signed locally with the service account's key (or through
 * the IAM signBlob API when the credentials have no key, as on GCE/workload identity). GCS
 * allows at most 7 days.
 */
export async function signUrl(
  ctx: GcsContext,
  key: string,
  options: SignedUrlOptions,
): Promise<URL> {
  const [url] = await ctx.bucket.file(key).getSignedUrl({
    version: 'v4',
    action: options.method === 'GET' ? 'read' : 'write',
    expires: Date.now() + options.expiresIn * 1000,
  });
  return new URL(url);
}
