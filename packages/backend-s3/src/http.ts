/**
 * GetObject, and PutObject of bytes in memory (put.ts says when), sent through Node's `http`
 * instead of the SDK's middleware stack: the same keep-alive agents as the client, each request
 * signed by the SDK's own SigV4 signer with the client's own credential provider (so refreshed
 * and assumed credentials work as they do for every other call).
 * The SDK stack cost ~0.5 ms of CPU per request here, three times what the read itself costs:
 * 10,000 reads of 10 KiB from MinIO took 4.6–5.4 s of CPU through `client.send` and 1.4–1.6 s
 * this way, 5.5–6.4 s of wall time against 2.3–2.6 s.
 *
 * Where the object's URL comes from: one presigned URL of a probe key, made once by the SDK's
 * presigner, so the endpoint rules (path or virtual-hosted style, FIPS, dual-stack, accelerate,
 * a custom `endpoint`) stay the SDK's. What this path does not handle goes back to the SDK for
 * the backend's lifetime: a client whose transport trove did not build, a signature other than
 * SigV4, and a bucket in another region (a redirect, which the SDK follows).
 */
import {
  createHash,
  createHmac,
  createSecretKey,
  type Hash,
  type Hmac,
  type KeyObject,
} from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import zlib from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  isAbortError,
  isNetworkError,
  type ReadOptions,
  type WriteOptions,
} from '@trove/core/backend';
import { type HttpAgents, headerOf, httpSend, rangeHeader, withRetries } from '@trove/object-store';
import { XMLParser } from 'fast-xml-parser';
import { REGION, THROTTLED } from './map-error.js';

/** An S3 error answer, shaped like the SDK's service errors for `mapS3Error`. */
class S3AnswerError extends Error {
  readonly Code: string;
  readonly $metadata: { httpStatusCode: number };
  readonly $fault: 'client' | 'server';
  constructor(status: number, code: string, message: string) {
    super(message || `${code} (HTTP ${status})`);
    this.name = code;
    this.Code = code;
    this.$metadata = { httpStatusCode: status };
    this.$fault = status >= 500 ? 'server' : 'client';
  }
}

const PROBE = 'trove-read-probe';
/** The sha256 of an empty payload: what the SDK signs for a GET. */
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** Error bodies are a few hundred bytes; more than this is not read. */
const ERROR_BODY_MAX = 64 * 1024;
interface Target {
  /** Protocol, host and port of every request. */
  readonly origin: URL;
  /** The path before a key (`/bucket/` or `/`), already encoded. */
  readonly base: string;
  readonly signer: SignatureV4;
}

/** Reads and small writes of one bucket, or `undefined` answers meaning "use the SDK". */
export class DirectRequests {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #agents: HttpAgents;
  readonly #maxAttempts: number;
  #target: Promise<Target | undefined> | undefined;
  #off = false;

  constructor(client: S3Client, bucket: string, agents: HttpAgents, maxAttempts: number) {
    this.#client = client;
    this.#bucket = bucket;
    this.#agents = agents;
    this.#maxAttempts = maxAttempts;
  }

  /**
   * GetObject of `key` (a range, as trove's `end`-exclusive range): the answer when it is a 2xx
   * or a 416, an `S3AnswerError` for any other status (after retries for transient ones), or
   * `undefined` when the SDK should send it instead.
   */
  get(key: string, options: ReadOptions): Promise<IncomingMessage | undefined> {
    const range = options.range;
    return this.#send(
      'GET',
      key,
      { 'x-amz-content-sha256': EMPTY_SHA256, ...(range ? { range: rangeHeader(range) } : {}) },
      undefined,
      (status) => status === 416,
      options.signal,
    );
  }

  /**
   * PutObject of `bytes` with their `md5` as `Content-MD5` (S3 checks what it received), the
   * write's conditions, and with `crc32` the CRC32 headers the SDK adds under `checksums:
   * when_supported`: the new object's ETag, an `S3AnswerError` for a failure (after retries for
   * transient ones: the bytes are in memory), or `undefined` when the SDK should send it (also a
   * CRC32 asked of a Node without `zlib.crc32`, older than 20.15).
   */
  async put(
    key: string,
    bytes: Buffer,
    md5: Buffer,
    options: WriteOptions,
    crc32: boolean,
  ): Promise<{ etag: string } | undefined> {
    if (crc32 && typeof zlib.crc32 !== 'function') return undefined;
    const headers: Record<string, string> = {
      'x-amz-content-sha256': createHash('sha256').update(bytes).digest('hex'),
      'content-length': String(bytes.length),
      'content-md5': md5.toString('base64'),
      // What the SDK sends for a body without a type.
      'content-type': options.contentType ?? 'application/octet-stream',
      ...(crc32 ? crc32Headers(bytes) : {}),
      ...(options.ifNoneMatch ? { 'if-none-match': options.ifNoneMatch } : {}),
      ...(options.ifMatch ? { 'if-match': options.ifMatch } : {}),
    };
    const answer = await this.#send('PUT', key, headers, bytes, () => false, options.signal);
    if (!answer) return undefined;
    answer.resume();
    return { etag: headerOf(answer, 'etag') ?? '' };
  }

  /**
   * One signed request for `key` with retries: its answer when the status is 2xx or `accepted`,
   * an `S3AnswerError` otherwise, `undefined` when this path is off (the SDK sends it instead).
   */
  async #send(
    method: string,
    key: string,
    extra: Record<string, string>,
    body: Buffer | undefined,
    accepted: (status: number) => boolean,
    signal: AbortSignal | undefined,
  ): Promise<IncomingMessage | undefined> {
    const target = await this.#resolve();
    if (!target || this.#off) return undefined;
    const path = `${target.base}${encodeKey(key)}`;
    const answer = await withRetries(
      this.#maxAttempts,
      retryable,
      async () => {
        const signed = await target.signer.sign({
          method,
          protocol: target.origin.protocol,
          hostname: target.origin.hostname,
          path,
          query: {},
          headers: { host: target.origin.host, ...extra },
        });
        const got = await httpSend(
          method,
          target.origin,
          path,
          signed.headers as Record<string, string>,
          this.#agents,
          body,
          signal,
        );
        const status = got.statusCode ?? 0;
        if ((status >= 200 && status < 300) || accepted(status)) return got;
        const error = await answerError(got);
        if (status === 301 || status === 307 || REGION.has(error.Code)) return undefined;
        throw error;
      },
      signal,
    );
    if (answer === undefined) this.#off = true;
    return answer;
  }

  /** The URL parts and signer, from one presigned URL of a probe key; undefined when unusable. */
  #resolve(): Promise<Target | undefined> {
    if (this.#target) return this.#target;
    const target = (async (): Promise<Target | undefined> => {
      const command = new GetObjectCommand({ Bucket: this.#bucket, Key: PROBE });
      const url = new URL(await getSignedUrl(this.#client, command, { expiresIn: 60 }));
      const scope = url.searchParams.get('X-Amz-Credential')?.split('/') ?? [];
      const algorithm = url.searchParams.get('X-Amz-Algorithm');
      if (algorithm !== 'AWS4-HMAC-SHA256' || scope.length !== 5) return undefined;
      if (!url.pathname.endsWith(`/${PROBE}`)) return undefined;
      const [, , region, service] = scope as [string, string, string, string, string];
      return {
        origin: new URL(url.origin),
        base: url.pathname.slice(0, -PROBE.length),
        signer: new SignatureV4({
          credentials: this.#client.config.credentials,
          region,
          service,
          sha256: KeyedSha256,
          // S3 signs the path as sent: each key segment encoded once, never twice.
          uriEscapePath: false,
          applyChecksum: false,
        }),
      };
    })();
    // A failed probe (no credentials yet, say) is made again by the next read, not kept.
    target.catch(() => {
      if (this.#target === target) this.#target = undefined;
    });
    this.#target = target;
    return target;
  }
}

/**
 * The signer's sha256 and HMAC-sha256 on Node's crypto, with each HMAC key made a `KeyObject`
 * once: the signer HMACs every request with the secret key and with the day's signing key, and
 * `createHmac` with raw key bytes cost 11.7 µs here against 2.2 µs with a `KeyObject`.
 */
class KeyedSha256 {
  readonly #hash: Hash | Hmac;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.#hash =
      secret === undefined ? createHash('sha256') : createHmac('sha256', keyObjectOf(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.#hash.update(bytesOf(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.#hash.digest()));
  }
}

/** Keys by their text (the secret access key) and by their bytes' object (the day's key). */
const textKeys = new Map<string, KeyObject>();
const byteKeys = new WeakMap<object, KeyObject>();

function keyObjectOf(secret: string | ArrayBuffer | ArrayBufferView): KeyObject {
  if (typeof secret === 'string') {
    let key = textKeys.get(secret);
    if (!key) {
      // Rotated credentials leave old keys behind: a few are kept, never an unbounded list.
      if (textKeys.size >= 16) textKeys.clear();
      key = createSecretKey(Buffer.from(secret, 'utf8'));
      textKeys.set(secret, key);
    }
    return key;
  }
  let key = byteKeys.get(secret);
  if (!key) {
    // createSecretKey copies the bytes.
    key = createSecretKey(bytesOf(secret) as NodeJS.ArrayBufferView);
    byteKeys.set(secret, key);
  }
  return key;
}

/** What Node's hash takes: text and views as they are, a bare ArrayBuffer viewed. */
function bytesOf(data: string | ArrayBuffer | ArrayBufferView): string | NodeJS.ArrayBufferView {
  if (typeof data === 'string' || ArrayBuffer.isView(data))
    return data as string | NodeJS.ArrayBufferView;
  return new Uint8Array(data);
}

/** The SDK's CRC32 headers of a body: the algorithm, and the checksum (big-endian, base64). */
function crc32Headers(bytes: Buffer): Record<string, string> {
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(bytes));
  return {
    'x-amz-sdk-checksum-algorithm': 'CRC32',
    'x-amz-checksum-crc32': crc.toString('base64'),
  };
}

/** A key as S3's REST paths want it: each segment percent-encoded, `!'()*` too, as the SDK does. */
function encodeKey(key: string): string {
  return key
    .split('/')
    .map((segment) =>
      encodeURIComponent(segment).replace(
        /[!'()*]/g,
        (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
      ),
    )
    .join('/');
}

/** Whether a failed read is worth another attempt: lost connections, 5xx, throttling. */
function retryable(err: unknown): boolean {
  if (isAbortError(err)) return false;
  if (err instanceof S3AnswerError) {
    const status = err.$metadata.httpStatusCode;
    return status >= 500 || status === 429 || status === 408 || THROTTLED.has(err.Code);
  }
  return isNetworkError(err);
}

const xml = new XMLParser();

/** The error of a failed answer, from its XML body (`<Error><Code>…</Code><Message>…`). */
async function answerError(answer: IncomingMessage): Promise<S3AnswerError> {
  const status = answer.statusCode ?? 0;
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of answer as AsyncIterable<Buffer>) {
      if (size < ERROR_BODY_MAX) chunks.push(chunk);
      size += chunk.length;
    }
  } catch {
    // a body cut short: what arrived is parsed
  }
  let code = headerOf(answer, 'x-amz-error-code') ?? '';
  let message = headerOf(answer, 'x-amz-error-message') ?? '';
  try {
    const parsed = xml.parse(Buffer.concat(chunks).toString('utf8')) as {
      Error?: { Code?: unknown; Message?: unknown };
    };
    code = String(parsed.Error?.Code ?? code);
    message = String(parsed.Error?.Message ?? message);
  } catch {
    // not XML: the status says what it can
  }
  return new S3AnswerError(status, code || statusCode(status), message);
}

/** The code the SDK gives an answer without one. */
function statusCode(status: number): string {
  if (status === 404) return 'NotFound';
  if (status === 403) return 'Forbidden';
  if (status === 412) return 'PreconditionFailed';
  return `Http${status}`;
}
