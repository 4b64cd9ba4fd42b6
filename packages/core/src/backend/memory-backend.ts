/**
 * An in-memory backend: for tests and for checking the conformance suite itself. Objects live
 * in a Map; conditional writes are atomic because JavaScript runs one callback at a time.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { TroveError } from '../errors.js';
import { checkWriteConditions, notFound } from './backend-errors.js';
import { bodyChunks } from './body.js';
import type {
  CopyOptions,
  DeclaredCapabilities,
  ListOptions,
  ObjectEntry,
  ObjectStat,
  ReadOptions,
  ReadResult,
  StorageBackend,
  WriteBody,
  WriteOptions,
} from './contract.js';
import { compareKeys, validateKey, validatePrefix } from './keys.js';

interface Entry {
  bytes: Buffer;
  stat: ObjectStat;
}

export interface MemoryBackendOptions {
  kind?: string;
}

export class MemoryBackend implements StorageBackend {
  readonly kind: string;
  readonly capabilities: DeclaredCapabilities = Object.freeze({
    ifNoneMatch: true,
    ifMatch: true,
    serverSideCopy: true,
    rangeRead: true,
  });
  readonly #objects = new Map<string, Entry>();

  constructor(options: MemoryBackendOptions = {}) {
    this.kind = options.kind ?? 'memory';
  }

  #get(key: string): Entry {
    validateKey(key, this.kind);
    const entry = this.#objects.get(key);
    if (!entry) throw notFound(this.kind, key);
    return entry;
  }

  async stat(key: string): Promise<ObjectStat> {
    return { ...this.#get(key).stat };
  }

  async exists(key: string): Promise<boolean> {
    validateKey(key, this.kind);
    return this.#objects.has(key);
  }

  async read(key: string, options: ReadOptions = {}): Promise<ReadResult> {
    const entry = this.#get(key);
    let bytes = entry.bytes;
    if (options.range) {
      const { start, end = bytes.length } = options.range;
      bytes = bytes.subarray(start, Math.min(end, bytes.length));
    }
    return {
      stat: { ...entry.stat },
      body: Readable.from([Buffer.from(bytes)], { objectMode: false }),
    };
  }

  #checkConditions(key: string, options: { ifNoneMatch?: '*'; ifMatch?: string }): void {
    checkWriteConditions(this.kind, key, this.#objects.get(key)?.stat.etag, options);
  }

  #put(key: string, bytes: Buffer, md5: string): ObjectStat {
    const stat: ObjectStat = {
      key,
      size: bytes.length,
      etag: `"${md5}-${randomUUID().slice(0, 8)}"`,
      lastModified: new Date(),
      md5,
    };
    this.#objects.set(key, { bytes, stat });
    return { ...stat };
  }

  async write(key: string, body: WriteBody, options: WriteOptions = {}): Promise<ObjectStat> {
    validateKey(key, this.kind);
    this.#checkConditions(key, options);
    const chunks: Buffer[] = [];
    const hash = createHash('md5');
    let total = 0;
    for await (const chunk of bodyChunks(body)) {
      options.signal?.throwIfAborted();
      const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      chunks.push(Buffer.from(buf));
      hash.update(buf);
      total += buf.length;
      options.onProgress?.(total);
    }
    const md5 = hash.digest('hex');
    if (options.md5 !== undefined && options.md5 !== md5) {
      throw new TroveError(
        'CORRUPT',
        `Bytes written to ${key} have md5 ${md5}, not ${options.md5}.`,
        {
          backend: this.kind,
          key,
        },
      );
    }
    // Checked again after the body was consumed: another writer may have won meanwhile.
    this.#checkConditions(key, options);
    return this.#put(key, Buffer.concat(chunks), md5);
  }

  async copy(from: string, to: string, options: CopyOptions = {}): Promise<ObjectStat> {
    const source = this.#get(from);
    validateKey(to, this.kind);
    this.#checkConditions(to, options);
    return this.#put(to, source.bytes, source.stat.md5 ?? '');
  }

  async rename(from: string, to: string, options: CopyOptions = {}): Promise<ObjectStat> {
    const stat = await this.copy(from, to, options);
    this.#objects.delete(from);
    return stat;
  }

  async delete(key: string): Promise<void> {
    validateKey(key, this.kind);
    this.#objects.delete(key);
  }

  async deleteMany(keys: readonly string[]): Promise<void> {
    for (const key of keys) validateKey(key, this.kind);
    for (const key of keys) this.#objects.delete(key);
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ObjectEntry> {
    validatePrefix(prefix, this.kind);
    const keys = [...this.#objects.keys()]
      .filter((k) => k.startsWith(prefix))
      .filter((k) => options.startAfter === undefined || compareKeys(k, options.startAfter) > 0)
      .sort(compareKeys);
    for (const key of keys) {
      const entry = this.#objects.get(key);
      if (entry) yield { ...entry.stat };
    }
  }
}

export function createMemoryBackend(options?: MemoryBackendOptions): MemoryBackend {
  return new MemoryBackend(options);
}
