import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { type S3Context, sendOptions, unquote } from '../context.js';
import type { Part, PartSource } from './source.js';

/** A part already on the server, as ListParts describes it. */
export interface ServerPart {
  etag: string;
  size: number;
  checksumCRC32?: string | undefined;
}

/**
 * With `checksums: when_supported` an upload declares CRC32 (composite, per part), as the AWS
 * CLI does: the SDK sends each part's CRC32 and CompleteMultipartUpload must repeat them. An
 * upload that declares no algorithm while its parts carry checksums is what S3-compatible
 * stores reject with "checksum type mismatch". With `when_required` there are none anywhere.
 */
function partChecksums(ctx: S3Context): boolean {
  return ctx.options.checksums === 'when_supported';
}

export interface SentParts {
  parts: CompletedPart[];
  /** md5 (hex) of the whole body, computed from the parts in order. */
  md5: string;
  size: number;
  sent: number;
  reused: number;
}

export interface SendOptions {
  signal?: AbortSignal | undefined;
  onProgress?: ((bytes: number) => void) | undefined;
  /** Parts found on the server for this upload (resume); reused when their bytes match. */
  existing?: ReadonlyMap<number, ServerPart>;
}

export async function createUpload(
  ctx: S3Context,
  key: string,
  contentType: string | undefined,
  signal?: AbortSignal,
): Promise<string> {
  const out = await ctx.client.send(
    new CreateMultipartUploadCommand({
      Bucket: ctx.bucket,
      Key: key,
      ContentType: contentType,
      ChecksumAlgorithm: partChecksums(ctx) ? 'CRC32' : undefined,
    }),
    sendOptions(signal),
  );
  if (!out.UploadId) throw new Error('CreateMultipartUpload returned no UploadId');
  return out.UploadId;
}

/** Every part of an upload (ListParts pages through 1,000 at a time). */
export async function listServerParts(
  ctx: S3Context,
  key: string,
  uploadId: string,
): Promise<Map<number, ServerPart>> {
  const parts = new Map<number, ServerPart>();
  let marker: string | undefined;
  do {
    const out = await ctx.client.send(
      new ListPartsCommand({
        Bucket: ctx.bucket,
        Key: key,
        UploadId: uploadId,
        PartNumberMarker: marker,
      }),
    );
    for (const p of out.Parts ?? []) {
      if (p.PartNumber !== undefined)
        parts.set(p.PartNumber, { etag: p.ETag ?? '', size: p.Size ?? -1 });
    }
    marker = out.IsTruncated ? out.NextPartNumberMarker : undefined;
  } while (marker);
  return parts;
}

/**
 * Sends the parts of `source` with at most `concurrency` in flight, hashing the whole body in
 * order as it goes. A part the server already has (same size and md5 as the local bytes) is
 * not sent again. Stops at the first failure, waits for the parts in flight, and rethrows it.
 * Closes the source.
 */
export async function sendParts(
  ctx: S3Context,
  key: string,
  uploadId: string,
  source: PartSource,
  options: SendOptions = {},
): Promise<SentParts> {
  const whole = createHash('md5');
  const parts: CompletedPart[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  let size = 0;
  let completedBytes = 0;
  let sent = 0;
  let reused = 0;
  const finished = (part: Part, server: ServerPart, wasReused: boolean): void => {
    parts.push({ PartNumber: part.number, ETag: server.etag, ChecksumCRC32: server.checksumCRC32 });
    completedBytes += part.bytes.length;
    options.onProgress?.(completedBytes);
    ctx.onPart?.({
      key,
      uploadId,
      partNumber: part.number,
      size: part.bytes.length,
      reused: wasReused,
    });
  };
  try {
    while (!failure) {
      options.signal?.throwIfAborted();
      const part = await source.next();
      if (!part) break;
      whole.update(part.bytes);
      size += part.bytes.length;
      const prior = options.existing?.get(part.number);
      if (prior && prior.size === part.bytes.length && unquote(prior.etag) === md5Hex(part.bytes)) {
        reused++;
        finished(part, prior, true);
        part.release();
        continue;
      }
      const task = uploadPart(ctx, key, uploadId, part, options.signal)
        .then((server) => {
          sent++;
          finished(part, server, false);
        })
        .catch((error: unknown) => {
          failure ??= { error };
        })
        .finally(() => {
          part.release();
          inFlight.delete(task);
        });
      inFlight.add(task);
      while (inFlight.size >= ctx.options.concurrency) await Promise.race(inFlight);
    }
  } catch (error) {
    failure ??= { error };
  } finally {
    await Promise.allSettled(inFlight);
    await source.close().catch(() => {});
  }
  if (failure) throw failure.error;
  parts.sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
  return { parts, md5: whole.digest('hex'), size, sent, reused };
}

async function uploadPart(
  ctx: S3Context,
  key: string,
  uploadId: string,
  part: Part,
  signal?: AbortSignal,
): Promise<ServerPart> {
  // A Buffer body (not a stream) lets the SDK retry a part on its own after a dropped connection.
  const out = await ctx.client.send(
    new UploadPartCommand({
      Bucket: ctx.bucket,
      Key: key,
      UploadId: uploadId,
      PartNumber: part.number,
      Body: part.bytes,
      ContentLength: part.bytes.length,
      ChecksumAlgorithm: partChecksums(ctx) ? 'CRC32' : undefined,
    }),
    sendOptions(signal),
  );
  if (!out.ETag) throw new Error(`UploadPart ${part.number} returned no ETag`);
  return { etag: out.ETag, size: part.bytes.length, checksumCRC32: out.ChecksumCRC32 };
}

export interface CompleteConditions {
  ifNoneMatch?: '*' | undefined;
  ifMatch?: string | undefined;
}

export async function completeUpload(
  ctx: S3Context,
  key: string,
  uploadId: string,
  parts: CompletedPart[],
  conditions: CompleteConditions,
  signal?: AbortSignal,
): Promise<{ etag: string }> {
  const out = await ctx.client.send(
    new CompleteMultipartUploadCommand({
      Bucket: ctx.bucket,
      Key: key,
      UploadId: uploadId,
      MultipartUpload: { Parts: parts },
      IfNoneMatch: conditions.ifNoneMatch,
      IfMatch: conditions.ifMatch,
    }),
    sendOptions(signal),
  );
  return { etag: out.ETag ?? '' };
}

/** Aborts an upload so its parts are freed; never throws (the upload may be gone already). */
export async function abortUpload(ctx: S3Context, key: string, uploadId: string): Promise<void> {
  await ctx.client
    .send(new AbortMultipartUploadCommand({ Bucket: ctx.bucket, Key: key, UploadId: uploadId }))
    .catch(() => {});
}

function md5Hex(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}
