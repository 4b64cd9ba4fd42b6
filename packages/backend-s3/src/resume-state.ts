import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * What a multipart upload of a local file needs to be continued by another process: which
 * upload on which server, and which version of the file it was for. One small JSON file per
 * (server, bucket, key, local path), so a second upload of the same file to the same key finds
 * it; when the file changed meanwhile (size, mtime, inode), the old upload is aborted instead.
 */
export interface ResumeState {
  version: 1;
  endpoint: string;
  bucket: string;
  key: string;
  path: string;
  size: number;
  mtimeMs: number;
  ino: number;
  partSize: number;
  /** The upload declares CRC32 part checksums with `when_supported`; a resume must match it. */
  checksums: 'when_required' | 'when_supported';
  uploadId: string;
  md5?: string;
  createdAt: string;
}

/** The identity of a file upload; everything else in the state must match to resume it. */
export interface UploadIdentity {
  endpoint: string;
  bucket: string;
  key: string;
  path: string;
}

export function stateFile(dir: string, id: UploadIdentity): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([id.endpoint, id.bucket, id.key, id.path]))
    .digest('hex');
  return join(dir, `${digest.slice(0, 40)}.json`);
}

/** The saved state, or undefined when there is none or it cannot be read (then it is ignored). */
export async function loadState(file: string): Promise<ResumeState | undefined> {
  try {
    const state = JSON.parse(await readFile(file, 'utf8')) as ResumeState;
    return state.version === 1 && typeof state.uploadId === 'string' ? state : undefined;
  } catch {
    return undefined;
  }
}

/** Writes the state atomically (temp file + rename), so a kill mid-write leaves the old one or none. */
export async function saveState(file: string, state: ResumeState): Promise<void> {
  await mkdir(join(file, '..'), { recursive: true, mode: 0o700 });
  const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, `${JSON.stringify(state)}\n`, { mode: 0o600 });
  await rename(temp, file);
}

export async function deleteState(file: string): Promise<void> {
  await unlink(file).catch(() => {});
}
