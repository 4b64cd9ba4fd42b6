import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import type { JournalSweep, OpenUpload } from '@trove/object-store';
import { type S3Context, sendOptions } from './context.js';
import { abortUpload, listServerParts } from './upload/requests.js';

/**
 * What `trove gc` sweeps on S3 (core's `sweepJournals`): multipart uploads never completed nor
 * aborted (their parts are billed and invisible), which ListMultipartUploads shows with their
 * start time, whichever machine began them; and the resume journals in `resumeDir`.
 */
export function uploadLeftovers(ctx: S3Context): JournalSweep {
  return {
    resumeDir: ctx.options.resumeDir,
    endpoint: ctx.endpointId,
    container: ctx.bucket,
    uploadOf: (state) => {
      const id = (state as { uploadId?: unknown } | undefined)?.uploadId;
      return typeof id === 'string' ? id : undefined;
    },
    listOpen: (prefix, signal) => listUploads(ctx, prefix, signal),
    async discard(upload, dryRun) {
      const parts = await listServerParts(ctx, upload.key, upload.id).catch(() => new Map());
      const bytes = [...parts.values()].reduce((n, p) => n + Math.max(0, p.size), 0);
      if (!dryRun) await abortUpload(ctx, upload.key, upload.id);
      const started = upload.started ? `, started ${upload.started.toISOString()}` : '';
      return {
        bytes,
        detail: `multipart upload ${upload.key} (${upload.id}, ${parts.size} parts, ${bytes} bytes${started})`,
      };
    },
  };
}

/** Every multipart upload under `prefix` (ListMultipartUploads pages through 1,000 at a time). */
async function listUploads(
  ctx: S3Context,
  prefix: string,
  signal: AbortSignal | undefined,
): Promise<OpenUpload[]> {
  const out: OpenUpload[] = [];
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  for (;;) {
    const page = await ctx.client.send(
      new ListMultipartUploadsCommand({
        Bucket: ctx.bucket,
        ...(prefix !== '' ? { Prefix: prefix } : {}),
        KeyMarker: keyMarker,
        UploadIdMarker: uploadIdMarker,
      }),
      sendOptions(signal),
    );
    for (const u of page.Uploads ?? []) {
      if (u.Key && u.UploadId)
        out.push({ key: u.Key, id: u.UploadId, started: u.Initiated ?? new Date(0) });
    }
    if (!page.IsTruncated) return out;
    keyMarker = page.NextKeyMarker;
    uploadIdMarker = page.NextUploadIdMarker;
  }
}
