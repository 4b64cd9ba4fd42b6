import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AzureBackendOptions, BlockEvent } from '../src/index.js';
import { MIB } from './helpers.js';

/** The fixture runs the built package (dist), as an application would. */
const FIXTURE = fileURLToPath(new URL('./fixtures/upload.mjs', import.meta.url));

export interface UploadJob {
  connectionString: string;
  container: string;
  key: string;
  path: string;
  mode?: 'file' | 'stream';
  options?: Partial<AzureBackendOptions>;
  writeOptions?: Record<string, unknown>;
}

interface ChildResult {
  code: number | null;
  last: Record<string, unknown> | undefined;
  stderr: string;
}

export interface ChildRun {
  child: ChildProcess;
  blocks: BlockEvent[];
  /** Resolves when the child exits, with its last JSON line. */
  result: Promise<ChildResult>;
}

/** Starts the upload fixture in its own Node process. */
export function runUpload(job: UploadJob): ChildRun {
  const child = spawn(process.execPath, [FIXTURE, JSON.stringify(job)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const blocks: BlockEvent[] = [];
  let last: Record<string, unknown> | undefined;
  let buffered = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    let nl = buffered.indexOf('\n');
    while (nl >= 0) {
      const line = JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>;
      buffered = buffered.slice(nl + 1);
      if (line.block) blocks.push(line.block as BlockEvent);
      else last = line;
      nl = buffered.indexOf('\n');
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const result = new Promise<ChildResult>((resolve) =>
    child.once('close', (code) => resolve({ code, last, stderr })),
  );
  return { child, blocks, result };
}

/** Writes `size` pseudo-random bytes (a fast, seeded sequence) to `path`; returns their md5. */
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
    const chunk = block.subarray(0, Math.min(block.length, size - written));
    hash.update(chunk);
    if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) =>
    out.end((err?: Error | null) => (err ? reject(err) : resolve())),
  );
  return hash.digest('hex');
}

export async function md5OfFile(path: string): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export async function md5OfStream(stream: AsyncIterable<Uint8Array>): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of stream) hash.update(chunk);
  return hash.digest('hex');
}
