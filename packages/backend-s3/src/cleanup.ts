import { readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import {
  abandonedJournals,
  type CleanupOptions,
  type CleanupResult,
  type JournalEntry,
} from '@trove/core/backend';
import { type S3Context, sendOptions } from './context.js';
import { abortUpload, listServerParts } from './multipart.js';

/** A journal's temp file older than this was left by a process that died while saving it. */
const STALE_TEMP_MS = 60_000;

interface OpenUpload {
  key: string;
  uploadId: string;
  initiated: Date;
}

/**
 * What interrupted uploads leave: multipart uploads never completed nor aborted (their parts
 * are billed and invisible), and their resume journals in `resumeDir`. An upload started before
 * `olderThan` is aborted unless a live process holds its journal; a journal no process holds is
 * removed when it is that old too, or when its upload is gone. Under `prefix` only (a bucket
 * may hold other tools' uploads).
 */
export async function cleanupUploads(
  ctx: S3Context,
  options: CleanupOptions,
): Promise<CleanupResult> {
  const result: CleanupResult = { items: 0, bytes: 0, details: [] };
  const prefix = options.prefix ? `${options.prefix}/` : '';
  const dir = ctx.options.resumeDir;
  const journals = await readJournals(dir);
  const abandoned = new Map((await abandonedJournals(dir)).map((j) => [j.file, j]));
  const mine = (entry: JournalEntry<unknown> | undefined): boolean =>
    entry?.identity?.backend === 's3' &&
    entry.identity.endpoint === ctx.endpointId &&
    entry.identity.container === ctx.bucket &&
    entry.identity.key.startsWith(prefix);
  const live = new Set<string>();
  for (const [file, entry] of journals) {
    if (!abandoned.has(file) && mine(entry)) live.add(uploadIdOf(entry));
  }

  const open = await listUploads(ctx, prefix, options.signal);
  const stillOpen = new Set<string>();
  for (const u of open) {
    if (u.initiated >= options.olderThan || live.has(u.uploadId)) {
      stillOpen.add(u.uploadId);
      continue;
    }
    const parts = await listServerParts(ctx, u.key, u.uploadId).catch(() => new Map());
    const bytes = [...parts.values()].reduce((n, p) => n + Math.max(0, p.size), 0);
    if (!options.dryRun) await abortUpload(ctx, u.key, u.uploadId);
    result.items++;
    result.bytes += bytes;
    result.details.push(
      `multipart upload ${u.key} (${u.uploadId}, ${parts.size} parts, ${bytes} bytes, started ${u.initiated.toISOString()})`,
    );
  }

  for (const [file, j] of abandoned) {
    // A journal nobody can read, or a lock without one, whose owner is dead, serves no one.
    if (j.entry !== undefined && !mine(j.entry)) continue;
    const gone = !stillOpen.has(uploadIdOf(j.entry));
    if (j.entry !== undefined && j.mtimeMs >= options.olderThan.getTime() && !gone) continue;
    if (!options.dryRun) {
      await unlink(file).catch(() => {});
      await unlink(`${file}.lock`).catch(() => {});
    }
    result.items++;
    result.details.push(`resume journal ${file} (${j.entry?.identity.key ?? 'unreadable'})`);
  }

  // Temp files of journals being saved when their process died.
  const tempCutoff = Math.min(options.olderThan.getTime(), Date.now() - STALE_TEMP_MS);
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.endsWith('.tmp') && !name.endsWith('.stale')) continue;
    const path = join(dir, name);
    const st = await stat(path).catch(() => undefined);
    if (!st || st.mtimeMs >= tempCutoff) continue;
    if (!options.dryRun) await unlink(path).catch(() => {});
    result.items++;
    result.bytes += st.size;
    result.details.push(`journal temp file ${path}`);
  }
  return result;
}

function uploadIdOf(entry: JournalEntry<unknown> | undefined): string {
  const state = entry?.state as { uploadId?: unknown } | undefined;
  return typeof state?.uploadId === 'string' ? state.uploadId : '';
}

async function readJournals(dir: string): Promise<Map<string, JournalEntry<unknown> | undefined>> {
  const out = new Map<string, JournalEntry<unknown> | undefined>();
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.endsWith('.json')) continue;
    const file = join(dir, name);
    try {
      out.set(file, JSON.parse(await readFile(file, 'utf8')) as JournalEntry<unknown>);
    } catch {
      out.set(file, undefined);
    }
  }
  return out;
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
        out.push({ key: u.Key, uploadId: u.UploadId, initiated: u.Initiated ?? new Date(0) });
    }
    if (!page.IsTruncated) return out;
    keyMarker = page.NextKeyMarker;
    uploadIdMarker = page.NextUploadIdMarker;
  }
}
