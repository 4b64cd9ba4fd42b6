import { compareKeys, type ObjectEntry } from '@trove/core/backend';
import type { AzureContext } from './context.js';
import { quoteEtag } from './head.js';

/** Blobs per List Blobs page: explicit, as the service and Azurite differ in their defaults. */
const PAGE_SIZE = 1000;

/**
 * List Blobs (flat) page by page, 1,000 blobs each. Azure lists in key order; Azurite compares
 * UTF-16 code units, which differs from byte order only between astral characters (emoji) and
 * U+E000–U+FFFF, so each page is sorted by UTF-8 bytes before it is yielded. `startAfter` has no
 * service parameter: the keys up to it are skipped here. Directory entries of an account with a
 * hierarchical namespace (`hdi_isfolder`) are not objects and are left out.
 */
export async function* listObjects(
  ctx: AzureContext,
  prefix: string,
  startAfter: string | undefined,
  signal?: AbortSignal,
): AsyncGenerator<ObjectEntry> {
  const pages = ctx.conn.container
    .listBlobsFlat({
      prefix: prefix === '' ? undefined : prefix,
      includeMetadata: true,
      abortSignal: signal,
    })
    .byPage({ maxPageSize: PAGE_SIZE });
  for await (const page of pages) {
    const entries: ObjectEntry[] = [];
    for (const item of page.segment.blobItems) {
      if (item.metadata?.hdi_isfolder === 'true') continue;
      if (startAfter !== undefined && compareKeys(item.name, startAfter) <= 0) continue;
      entries.push({
        key: item.name,
        size: item.properties.contentLength ?? 0,
        etag: quoteEtag(item.properties.etag),
        lastModified: item.properties.lastModified ?? new Date(0),
      });
    }
    entries.sort((a, b) => compareKeys(a.key, b.key));
    yield* entries;
  }
}
