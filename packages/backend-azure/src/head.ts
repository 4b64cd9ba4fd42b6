import type { ObjectStat } from '@trove/core/backend';
import type { AzureContext } from './context.js';
import { azureErrorCode, httpStatus, mapAzureError } from './map-error.js';

export interface HeadResult extends ObjectStat {
  contentType: string | undefined;
}

/** Containers seen to exist, per client: a HEAD 404 cannot always say which one is missing. */
const knownContainers = new WeakMap<object, boolean>();

/**
 * The blob's stat, or undefined when it is absent. A directory entry of an account with a
 * hierarchical namespace (ADLS Gen2: `hdi_isfolder` metadata) counts as absent, as a prefix of
 * other keys does elsewhere. A 404 is checked once per client against the container, so a
 * missing container is reported as such instead of as a missing object.
 */
export async function headObject(
  ctx: AzureContext,
  key: string,
  signal?: AbortSignal,
): Promise<HeadResult | undefined> {
  try {
    const out = await ctx.conn.container.getBlobClient(key).getProperties({ abortSignal: signal });
    knownContainers.set(ctx.conn.container, true);
    if (out.metadata?.hdi_isfolder === 'true') return undefined;
    return {
      key,
      size: out.contentLength ?? 0,
      etag: quoteEtag(out.etag),
      lastModified: out.lastModified ?? new Date(0),
      contentType: out.contentType,
    };
  } catch (err) {
    if (httpStatus(err) !== 404) throw err;
    if (azureErrorCode(err) === 'ContainerNotFound') throw err;
    await assertContainer(ctx, signal);
    return undefined;
  }
}

/** Throws NOT_FOUND naming the container when it does not exist (checked once per client). */
async function assertContainer(ctx: AzureContext, signal?: AbortSignal): Promise<void> {
  const container = ctx.conn.container;
  if (knownContainers.get(container)) return;
  let exists: boolean;
  try {
    exists = await container.exists({ abortSignal: signal });
  } catch {
    // Credentials may allow blobs but not container properties: the blob's 404 stands.
    return;
  }
  if (!exists) {
    throw mapAzureError(
      Object.assign(new Error('The specified container does not exist.'), {
        name: 'RestError',
        statusCode: 404,
        code: 'ContainerNotFound',
      }),
      { container: ctx.options.container },
    );
  }
  knownContainers.set(container, true);
}

/** The etag as response headers give it (quoted); List Blobs gives it bare. */
export function quoteEtag(etag: string | undefined): string {
  if (etag === undefined || etag === '') return '';
  return etag.startsWith('"') ? etag : `"${etag}"`;
}
