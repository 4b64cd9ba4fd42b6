import type { S3Client } from '@aws-sdk/client-s3';
import type { DirectRequests } from './http.js';
import type { PartEvent, ResolvedOptions } from './options.js';

/** What the backend's helpers share: the client, the bucket and the resolved options. */
export interface S3Context {
  readonly client: S3Client;
  readonly bucket: string;
  readonly options: ResolvedOptions;
  /** Identifies the server in resume state ("aws" when no endpoint is set). */
  readonly endpointId: string;
  readonly onPart: ((event: PartEvent) => void) | undefined;
  /** GetObject and small PutObjects without the SDK's stack; undefined for a client trove did not build. */
  readonly direct: DirectRequests | undefined;
}

/** Strips the quotes S3 puts around ETags, for comparing them with hex digests. */
export function unquote(etag: string | undefined): string {
  return (etag ?? '').replace(/^"|"$/g, '');
}

/**
 * The options of `client.send()`: none without an abort signal, so the SDK's cached middleware
 * stack (`cacheMiddleware`, which it skips whenever options are passed) serves the request.
 */
export function sendOptions(
  signal: AbortSignal | undefined,
): { abortSignal: AbortSignal } | undefined {
  return signal ? { abortSignal: signal } : undefined;
}
