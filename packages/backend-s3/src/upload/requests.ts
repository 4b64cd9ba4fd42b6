import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  type CompletedPart,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  ListPartsCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { type Piece, type PieceSource, sendPieces } from '@trove/object-store';
import { type S3Context, sendOptions, unquote } from '../context.js';
import { partNumber } from './source.js';

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
 * order as it goes (core's `sendPieces`). A part the server already has (same size and md5 as
 * the local bytes) is not sent again. Closes the source.
 */
export async function sendParts(
  ctx: S3Context,
  key: string,
  uploadId: string,
  source: PieceSource,
  options: SendOptions = {},
): Promise<SentParts> {
  const out = await sendPieces<ServerPart>(source, {
    concurrency: ctx.options.concurrency,
    signal: options.signal,
    held(part) {
      const prior = options.existing?.get(partNumber(part));
      const same = prior && prior.size === part.bytes.length;
      return same && unquote(prior.etag) === md5Hex(part.bytes) ? prior : undefined;
    },
    send: (part) => uploadPart(ctx, key, uploadId, part, options.signal),
    onPiece(part, _server, reused, done) {
      options.onProgress?.(done);
      const size = part.bytes.length;
      ctx.onPart?.({ key, uploadId, partNumber: partNumber(part), size, reused });
    },
  });
  const { results, ...sent } = out;
  const parts = results.map((server, index) => ({
    PartNumber: index + 1,
    ETag: server.etag,
    ChecksumCRC32: server.checksumCRC32,
  }));
  return { ...sent, parts };
}

async function uploadPart(
  ctx: S3Context,
  key: string,
  uploadId: string,
  part: Piece,
  signal?: AbortSignal,
): Promise<ServerPart> {
  // A Buffer body (not a stream) lets the SDK retry a part on its own after a dropped connection.
  const out = await ctx.client.send(
    new UploadPartCommand({
      Bucket: ctx.bucket,
      Key: key,
      UploadId: uploadId,
      PartNumber: partNumber(part),
      Body: part.bytes,
      ContentLength: part.bytes.length,
      ChecksumAlgorithm: partChecksums(ctx) ? 'CRC32' : undefined,
    }),
    sendOptions(signal),
  );
  if (!out.ETag) throw new Error(`UploadPart ${partNumber(part)} returned no ETag`);
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
