/**
 * Uploads in child processes (upload-child.ts), and the seeded test files they send: what the
 * resume scenario and the backends' memory tests share.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';

const MIB = 1024 * 1024;
const CHILD = fileURLToPath(new URL('./upload-child.js', import.meta.url));

/** What the child uploads, and with which backend. */
export interface UploadJob {
  /** The backend package's built entry (an absolute path or a specifier the child resolves). */
  module: string;
  /** Its backend class (`S3Backend`, `GcsBackend`, `AzureBackend`). */
  className: string;
  /** The class's options (JSON), without the event callback. */
  options: Record<string, unknown>;
  /** The option that reports each part, chunk or block (`onPart`, `onChunk`, `onBlock`). */
  event: string;
  key: string;
  path: string;
  /** `stream` sends the file as a stream of 1 MiB chunks instead of `{ path }`. */
  mode?: 'file' | 'stream';
  writeOptions?: { md5?: string; ifNoneMatch?: '*'; ifMatch?: string };
  /** SIGKILL the child once this many pieces went over the wire. */
  killAfterSent?: number;
}

/** One part, chunk or block of an upload. */
export interface UploadPiece {
  /** Part number, block index or chunk offset. */
  id: number;
  size: number;
  /** True when an earlier attempt's piece was found on the service and not sent again. */
  reused: boolean;
  /** The upload it belongs to, where the backend names it (S3 upload id, Azure block prefix). */
  upload?: string;
}

export interface UploadRun {
  child: ChildProcess;
  pieces: UploadPiece[];
  /** The backend's own events, as it reported them. */
  events: Record<string, unknown>[];
  /** Resolves when the child exits, with its last JSON line. */
  result: Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    last: Record<string, unknown> | undefined;
    stderr: string;
  }>;
}

/** Starts an upload in its own Node process; `env` replaces the child's environment. */
export function runUpload(job: UploadJob, env: NodeJS.ProcessEnv = process.env): UploadRun {
  const child = spawn(process.execPath, [CHILD, JSON.stringify(job)], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pieces: UploadPiece[] = [];
  const events: Record<string, unknown>[] = [];
  let last: Record<string, unknown> | undefined;
  let buffered = '';
  let stderr = '';
  child.stdout?.on('data', (data: Buffer) => {
    buffered += data.toString();
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>;
      buffered = buffered.slice(nl + 1);
      if (line.piece) {
        pieces.push(line.piece as UploadPiece);
        events.push(line.event as Record<string, unknown>);
      } else last = line;
    }
  });
  child.stderr?.on('data', (data: Buffer) => {
    stderr += data.toString();
  });
  const result = new Promise<Awaited<UploadRun['result']>>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, last, stderr })),
  );
  return { child, pieces, events, result };
}

/** Bytes of the pieces that went over the wire. */
export function bytesSent(pieces: readonly UploadPiece[]): number {
  return pieces.filter((p) => !p.reused).reduce((n, p) => n + p.size, 0);
}

/** Writes `size` pseudo-random bytes (a seeded xorshift) to `path`; returns their md5. */
export async function writeTestFile(path: string, size: number, seed = 1): Promise<string> {
  const hash = createHash('md5');
  const out = createWriteStream(path);
  const block = Buffer.alloc(MIB);
  let x = seed >>> 0 || 1;
  for (let written = 0; written < size; written += block.length) {
    for (let i = 0; i < block.length; i += 4) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      block.writeUInt32LE(x >>> 0, i);
    }
    const part = block.subarray(0, Math.min(block.length, size - written));
    hash.update(part);
    if (!out.write(part)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
  return hash.digest('hex');
}

/** md5 (hex) of a local file, read as a stream. */
export async function md5OfFile(path: string): Promise<string> {
  return md5OfStream(createReadStream(path));
}

/** md5 (hex) of a stream, e.g. a `read()` body. */
export async function md5OfStream(stream: AsyncIterable<Uint8Array | string>): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of stream) hash.update(chunk);
  return hash.digest('hex');
}
