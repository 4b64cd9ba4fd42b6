import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ChunkEvent, GcsBackendOptions } from '../src/index.js';
import { MIB } from './helpers.js';

/** The fixture runs the built package (dist), as an application would. */
const FIXTURE = fileURLToPath(new URL('./fixtures/upload.mjs', import.meta.url));

export interface UploadJob {
  endpoint: string;
  bucket: string;
  key: string;
  path: string;
  options?: Partial<GcsBackendOptions>;
  writeOptions?: { md5?: string; ifNoneMatch?: '*' };
  killAfterSent?: number;
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  chunks: ChunkEvent[];
  last: Record<string, unknown> | undefined;
  stderr: string;
}

/** Runs the upload fixture in its own Node process; resolves when it exits. */
export function runUpload(job: UploadJob): Promise<ChildResult> {
  // STORAGE_EMULATOR_HOST would override apiEndpoint in the SDK: never pass it on.
  const env = { ...process.env };
  delete env.STORAGE_EMULATOR_HOST;
  const child = spawn(process.execPath, [FIXTURE, JSON.stringify(job)], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: ChunkEvent[] = [];
  let last: Record<string, unknown> | undefined;
  let buffered = '';
  let stderr = '';
  child.stdout.on('data', (data: Buffer) => {
    buffered += data.toString();
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>;
      buffered = buffered.slice(nl + 1);
      if (line.chunk) chunks.push(line.chunk as ChunkEvent);
      else last = line;
    }
  });
  child.stderr.on('data', (data: Buffer) => {
    stderr += data.toString();
  });
  return new Promise((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, chunks, last, stderr })),
  );
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
    if (!out.write(part)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error) => (err ? reject(err) : resolve())),
  );
  return hash.digest('hex');
}

/** Bytes of the chunks that went over the wire. */
export function bytesSent(chunks: readonly ChunkEvent[]): number {
  return chunks.filter((c) => c.kind === 'sent').reduce((n, c) => n + c.size, 0);
}
