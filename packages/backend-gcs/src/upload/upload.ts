import { createHash } from 'node:crypto';
import {
  isAbortError,
  type ObjectStat,
  UploadJournal,
  type WriteOptions,
} from '@trove/core/backend';
import type { UploadBody } from '@trove/object-store';
import type { GcsContext } from '../context.js';
import { BACKEND, mapGcsError } from '../map-error.js';
import { toStat } from '../stat.js';
import { cancelSession, createSession, querySession, uploadTarget } from './requests.js';
import { checkFinished, runSession } from './session.js';
import { bytesChunks, type ChunkSource, fileChunks, streamChunks } from './source.js';

/** What a resume journal keeps for a GCS upload: the session, which is all GCS needs. */
interface SessionState {
  uri: string;
}

/**
 * A body larger than one chunk through a resumable session, chunk by chunk, two chunks in memory
 * at most. A large local file's session is kept in a journal (when resume is on), so a later
 * attempt (another process, after a kill) continues it; bytes and streams are not journaled.
 */
export async function uploadBody(
  ctx: GcsContext,
  key: string,
  body: UploadBody,
  options: WriteOptions,
): Promise<ObjectStat> {
  if (body.kind === 'file') return uploadFile(ctx, key, body, options);
  const chunk = ctx.options.chunkSize;
  const source =
    body.kind === 'bytes'
      ? bytesChunks(body.bytes, chunk)
      : streamChunks(body.rest, chunk, body.head);
  let uri: string | undefined;
  try {
    uri = await createSession(
      ctx,
      uploadTarget(key, options),
      source.size ?? options.size,
      options.signal,
    );
    const { resource, md5 } = await runSession(ctx, {
      ...sessionRun(key, uri, source, options),
      persisted: 0,
    });
    return { ...toStat(key, resource), md5 };
  } catch (err) {
    if (uri !== undefined) await cancelSession(ctx, uri);
    throw err;
  } finally {
    await source.close().catch(() => {});
  }
}

async function uploadFile(
  ctx: GcsContext,
  key: string,
  file: Extract<UploadBody, { kind: 'file' }>,
  options: WriteOptions,
): Promise<ObjectStat> {
  const { path, size, version } = file;
  const journal = ctx.options.resume
    ? await UploadJournal.acquire<SessionState>(ctx.options.resumeDir, {
        backend: BACKEND,
        endpoint: ctx.endpointId,
        container: ctx.bucket.name,
        key,
        path,
      })
    : undefined;
  const hint = `Did ${path} change while it was uploaded?`;
  const source = await fileChunks(path, size, ctx.options.chunkSize);
  let uri: string | undefined;
  try {
    let persisted = 0;
    const earlier = journal?.resumable(version);
    const stale = journal?.previous?.state;
    // Another version of the file: its session goes, and this one starts over.
    if (stale && !earlier) await cancelSession(ctx, stale.uri);
    if (earlier) {
      const status = await querySession(ctx, earlier.uri, size, options.signal);
      if (status?.done) {
        // The earlier attempt finished; its answer was lost. Check it holds this file.
        const whole = await md5OfSource(source);
        await checkFinished(ctx, key, status.resource, whole, hint);
        await journal?.finish();
        return { ...toStat(key, status.resource), md5: whole };
      }
      if (status) {
        uri = earlier.uri;
        persisted = status.persisted;
      }
    }
    if (uri === undefined) {
      uri = await createSession(ctx, uploadTarget(key, options), size, options.signal);
      await journal?.save(version, { uri }).catch(() => {});
    }
    const { resource, md5 } = await runSession(ctx, {
      ...sessionRun(key, uri, source, options),
      persisted,
      hint,
    });
    await journal?.finish();
    return { ...toStat(key, resource), md5 };
  } catch (err) {
    const keep =
      journal !== undefined &&
      uri !== undefined &&
      !isAbortError(err) &&
      mapGcsError(err, { bucket: ctx.bucket.name, key }).retryable;
    if (keep) await journal.release();
    else {
      if (uri !== undefined) await cancelSession(ctx, uri);
      await journal?.finish();
    }
    throw err;
  } finally {
    await source.close();
  }
}

function sessionRun(key: string, uri: string, source: ChunkSource, options: WriteOptions) {
  return {
    key,
    uri,
    source,
    md5: options.md5,
    contentType: options.contentType,
    signal: options.signal,
    onProgress: options.onProgress,
  };
}

async function md5OfSource(source: ChunkSource): Promise<string> {
  const hash = createHash('md5');
  for (let offset = 0; ; ) {
    const chunk = await source.at(offset);
    hash.update(chunk.bytes);
    offset += chunk.bytes.length;
    if (chunk.last) return hash.digest('hex');
  }
}
