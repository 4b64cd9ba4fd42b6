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
import { checkFinished, OtherBytesStored, otherBytesError, runSession } from './session.js';
import { bytesChunks, type ChunkSource, fileChunks, streamChunks } from './source.js';

/** What a resume journal keeps for a GCS upload: the session, which is all GCS needs. */
interface SessionState {
  uri: string;
}

/**
 * A body larger than one chunk through a resumable session, chunk by chunk, two chunks in memory
 * at most. A large local file's session is kept in a journal (when resume is on), so a later
 * attempt (another process, after a kill) continues it; bytes and streams are not journaled.
 *
 * A finished object that holds other bytes than were read (`OtherBytesStored`) is deleted and
 * the upload starts over once in a new session, where the body can be read again (a file,
 * bytes). fake-gcs-server 1.56.1 needs it: asking a session where it stands finalises the
 * session with what an earlier attempt sent (its issue #2354), so every resume after a kill
 * published a truncated object there; GCS answers that question without finalising.
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
  const session: Session = {};
  const attempt = async (): Promise<ObjectStat> => {
    session.uri = await createSession(
      ctx,
      uploadTarget(key, options),
      source.size ?? options.size,
      options.signal,
    );
    const { resource, md5 } = await runSession(ctx, {
      ...sessionRun(key, session.uri, source, options),
      persisted: 0,
    });
    return { ...toStat(key, resource), md5 };
  };
  try {
    return await startingOverOnce(ctx, session, body.kind === 'bytes', attempt);
  } catch (err) {
    if (session.uri !== undefined) await cancelSession(ctx, session.uri);
    if (err instanceof OtherBytesStored) throw otherBytesError(err, 'The bytes given');
    throw err;
  } finally {
    await source.close().catch(() => {});
  }
}

/** The session an upload is using, once it has one. */
interface Session {
  uri?: string | undefined;
}

/**
 * Runs `attempt`; when the service stored other bytes, cancels its session and, if the body can
 * be read again, runs a fresh attempt once (`fresh` true: nothing of the earlier one is reused).
 */
async function startingOverOnce<T>(
  ctx: GcsContext,
  session: Session,
  rereadable: boolean,
  attempt: (fresh: boolean) => Promise<T>,
): Promise<T> {
  try {
    return await attempt(false);
  } catch (err) {
    if (!(err instanceof OtherBytesStored) || !rereadable) throw err;
    if (session.uri !== undefined) await cancelSession(ctx, session.uri);
    session.uri = undefined;
    return attempt(true);
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
  const session: Session = {};
  const attempt = async (fresh: boolean): Promise<ObjectStat> => {
    let persisted = 0;
    // A fresh attempt reuses nothing: the earlier session is what held other bytes.
    const earlier = fresh ? undefined : journal?.resumable(version);
    const stale = journal?.previous?.state;
    // Another version of the file: its session goes, and this one starts over.
    if (!fresh && stale && !earlier) await cancelSession(ctx, stale.uri);
    if (earlier) {
      const status = await querySession(ctx, earlier.uri, size, options.signal);
      if (status?.done) {
        // The earlier attempt finished; its answer was lost. Check it holds this file.
        const whole = await md5OfSource(source);
        await checkFinished(ctx, key, status.resource, whole);
        await journal?.finish();
        return { ...toStat(key, status.resource), md5: whole };
      }
      if (status) {
        session.uri = earlier.uri;
        persisted = status.persisted;
      }
    }
    if (session.uri === undefined) {
      session.uri = await createSession(ctx, uploadTarget(key, options), size, options.signal);
      await journal?.save(version, { uri: session.uri }).catch(() => {});
    }
    const { resource, md5 } = await runSession(ctx, {
      ...sessionRun(key, session.uri, source, options),
      persisted,
      hint,
    });
    await journal?.finish();
    return { ...toStat(key, resource), md5 };
  };
  try {
    return await startingOverOnce(ctx, session, true, attempt);
  } catch (err) {
    const { uri } = session;
    const keep =
      journal !== undefined &&
      uri !== undefined &&
      !(err instanceof OtherBytesStored) &&
      !isAbortError(err) &&
      mapGcsError(err, { bucket: ctx.bucket.name, key }).retryable;
    if (keep) await journal.release();
    else {
      if (uri !== undefined) await cancelSession(ctx, uri);
      await journal?.finish();
    }
    if (err instanceof OtherBytesStored) throw otherBytesError(err, path);
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
