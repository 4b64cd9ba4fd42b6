import { type SignedUrlOptions, TroveError } from '@trove/core/backend';
import type { AzureContext } from './context.js';
import { sasUrl } from './sas.js';

/**
 * A SAS URL for GET (read) or PUT (create + write). A PUT through it must send
 * `x-ms-blob-type: BlockBlob`, as every Put Blob does. No request is made (with an account key).
 */
export async function signUrl(
  ctx: AzureContext,
  key: string,
  options: SignedUrlOptions,
): Promise<URL> {
  if (!Number.isFinite(options.expiresIn) || options.expiresIn <= 0) {
    throw new TroveError('INVALID_ARGUMENT', `expiresIn must be a positive number of seconds.`, {
      backend: 'azure',
      key,
    });
  }
  const blob = ctx.conn.container.getBlobClient(key);
  const permissions = options.method === 'PUT' ? 'cw' : 'r';
  return new URL(await sasUrl(ctx, blob, permissions, options.expiresIn));
}
