import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { HttpAgents } from '@trove/object-store';
import type { ResolvedOptions, S3BackendOptions } from './options.js';
import { retryStrategy } from './retry.js';

/** Sockets above what trove itself keeps busy, for reads and lookups running next to uploads. */
const SPARE_SOCKETS = 16;

/**
 * Keep-alive sockets for every upload trove runs at once (the SDK's default agent has too few for
 * directory uploads, and a new TLS handshake per small object is what makes many-file uploads
 * slow); the client and the direct reads (http.ts) share them.
 */
export function clientAgents(resolved: ResolvedOptions): HttpAgents {
  const maxSockets = resolved.objectConcurrency + resolved.concurrency + SPARE_SOCKETS;
  return {
    http: new HttpAgent({ keepAlive: true, maxSockets }),
    https: new HttpsAgent({ keepAlive: true, maxSockets }),
  };
}

/**
 * The client trove uses: credentials from the SDK's own chain only (env, profile, web identity,
 * instance role); `agents` (clientAgents); the checksum mode S3-compatible stores need.
 */
export function createClient(
  options: S3BackendOptions,
  resolved: ResolvedOptions,
  agents: HttpAgents,
): S3Client {
  const checksum = resolved.checksums === 'when_required' ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED';
  const endpoint = options.endpoint;
  return new S3Client({
    region: options.region ?? (endpoint ? (process.env.AWS_REGION ?? 'us-east-1') : undefined),
    ...(endpoint ? { endpoint } : { followRegionRedirects: true }),
    forcePathStyle: options.forcePathStyle ?? endpoint !== undefined,
    requestChecksumCalculation: checksum,
    responseChecksumValidation: checksum,
    // Every transient error retried up to maxAttempts, with no client-wide quota (retry.ts).
    retryStrategy: retryStrategy(resolved.maxAttempts),
    // Resolve each command's middleware stack once instead of on every request: ~15% less CPU
    // per small PUT, which on a small machine is CPU taken from the server or the network.
    cacheMiddleware: true,
    requestHandler: new NodeHttpHandler({
      httpAgent: agents.http,
      httpsAgent: agents.https,
      connectionTimeout: 30_000,
      socketAcquisitionWarningTimeout: 60_000,
    }),
    ...options.clientConfig,
  });
}
