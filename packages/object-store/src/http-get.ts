/**
 * Requests the cloud backends send themselves, through Node's `http`, rather than through their
 * SDKs: a GET (or a PUT of bytes in memory) whose answer is a Node stream, and the retry loop
 * around it. What an SDK adds per request (middleware stacks, web streams) was most of a small
 * read's CPU here: 10,000 reads of 10 KiB from MinIO took 4.6–5.4 s of CPU through the S3 SDK
 * and 1.4–1.6 s through `http`.
 */
import { type Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { type Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';

/** The keep-alive agents a backend's reads go through. */
export interface HttpAgents {
  readonly http: HttpAgent;
  readonly https: HttpsAgent;
}

/**
 * One GET of `path` (already encoded, sent as it is: no dot segments resolved) at `origin`;
 * resolves with the answer's head, whatever its status, and a body still to read.
 */
export function httpGet(
  origin: URL,
  path: string,
  headers: Record<string, string>,
  agents: HttpAgents,
  signal?: AbortSignal,
): Promise<IncomingMessage> {
  return httpSend('GET', origin, path, headers, agents, undefined, signal);
}

/** One request as `httpGet` sends it, with another method and a body in memory when given. */
export function httpSend(
  method: string,
  origin: URL,
  path: string,
  headers: Record<string, string>,
  agents: HttpAgents,
  body?: Buffer,
  signal?: AbortSignal,
): Promise<IncomingMessage> {
  const secure = origin.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const request = (secure ? httpsRequest : httpRequest)(
      {
        method,
        protocol: origin.protocol,
        // An IPv6 literal without the URL's brackets.
        hostname: origin.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: origin.port,
        path,
        headers,
        agent: secure ? agents.https : agents.http,
        ...(signal ? { signal } : {}),
      },
      resolve,
    );
    request.once('error', reject);
    request.end(body);
  });
}

/** The value of a header of an answer, repeated headers joined as HTTP does. */
export function headerOf(answer: IncomingMessage, name: string): string | undefined {
  const value = answer.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * Runs `attempt` up to `maxAttempts` times while it fails with an error `retryable` accepts, with
 * exponential backoff (0.25 s, 0.5 s, 1 s… up to 8 s, with jitter); an abort ends the wait.
 * `attempt` gets the attempt number from 0.
 */
export async function withRetries<T>(
  maxAttempts: number,
  retryable: (err: unknown) => boolean,
  attempt: (n: number) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (n + 1 >= maxAttempts || !retryable(err) || signal?.aborted) throw err;
      const delay = Math.min(8000, 250 * 2 ** n) * (0.5 + Math.random() / 2);
      await sleep(delay, undefined, signal ? { signal } : undefined);
    }
  }
}
