/**
 * The store as an Azure Blob Storage container (Azure, sovereign clouds through `endpoint`, or
 * Azurite): key `a/b/c` is the block blob `a/b/c` in the container; core adds the store's
 * `prefix` before keys get here.
 *
 * - Writes: a body of at most `blockSize` (8 MiB by default) is one Put Blob, hashed first and
 *   sent with its Content-MD5, so a wrong `md5` option fails before anything is sent and the
 *   service verifies what it received. Larger bodies are block uploads: blocks of
 *   `max(blockSize, ceil(size / 50,000))` rounded up to 1 MiB (Azure's limit is 50,000 blocks),
 *   each staged with its own Content-MD5 (checked by the service), from a pool of
 *   `concurrency + 1` buffers, so memory is bounded whatever the size; then one Put Block List
 *   sets the md5 of the whole body, computed in order while reading, as the blob's Content-MD5
 *   (stored, not verified, by the service). Nothing is visible before that commit. No CRC64 is
 *   sent (Azurite answers 500).
 * - Resume: a block upload of a local file keeps a journal (`UploadJournal` in `resumeDir`: the
 *   upload's block-id prefix and block size, for this file's size, mtime and inode). Started
 *   again, the same upload asks for the blob's uncommitted block list and stages only the blocks
 *   that are missing. Every upload has its own block-id prefix, because concurrent writers of
 *   one blob name share its uncommitted blocks. Azure drops uncommitted blocks after a week.
 * - Conditional writes: `ifNoneMatch: "*"` is `If-None-Match: *` on Put Blob and Put Block List
 *   (a loser gets 409 BlobAlreadyExists, PRECONDITION_FAILED here); `ifMatch` is `If-Match`
 *   (412 ConditionNotMet). Both are atomic on the service. Before a block upload the condition
 *   is checked once, so a write bound to fail sends nothing.
 * - Copy is server-side (Copy Blob From URL up to 256 MiB, asynchronous Copy Blob above) with
 *   a read SAS for the source; `deleteMany` sends Blob Batch requests of 256; `signedUrl` is a
 *   SAS (service SAS with the account key, user delegation SAS with Entra ID).
 * - Consistency: Blob Storage is strongly consistent; `list` sees every committed write.
 */
import {
  type CopyOptions,
  type DeclaredCapabilities,
  type ListOptions,
  type ObjectEntry,
  type ObjectStat,
  type OpOptions,
  type ReadOptions,
  type ReadResult,
  type SignedUrlOptions,
  type StorageBackend,
  TroveError,
  validateKey,
  validatePrefix,
  type WriteBody,
  type WriteManyOptions,
  type WriteManyResult,
  type WriteManySource,
  type WriteOptions,
} from '@trove/core/backend';
import { connect } from './client.js';
import { type AzureContext, endpointIdOf } from './context.js';
import { copyObject } from './copy.js';
import { deleteKeys } from './delete.js';
import { headObject } from './head.js';
import { listObjects } from './list.js';
import { rethrow } from './map-error.js';
import { type AzureBackendOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { readObject } from './read.js';
import { signUrl } from './signed-url.js';
import { writeObject } from './write.js';
import { writeManyObjects } from './write-many.js';

export class AzureBackend implements StorageBackend {
  readonly kind = 'azure';
  readonly capabilities: DeclaredCapabilities = Object.freeze({
    ifNoneMatch: true,
    ifMatch: true,
    serverSideCopy: true,
    rangeRead: true,
  });
  readonly container: string;
  readonly options: ResolvedOptions;
  readonly #input: AzureBackendOptions;
  #ctx: Promise<AzureContext> | undefined;

  constructor(options: AzureBackendOptions) {
    this.options = resolveOptions(options);
    this.container = this.options.container;
    this.#input = options;
  }

  async stat(key: string, options: OpOptions = {}): Promise<ObjectStat> {
    validateKey(key, this.kind);
    const stat = await this.#run(key, async (ctx) => headObject(ctx, key, options.signal));
    if (!stat)
      throw new TroveError('NOT_FOUND', `No object at ${key}.`, { backend: this.kind, key });
    return { key, size: stat.size, etag: stat.etag, lastModified: stat.lastModified };
  }

  async exists(key: string, options: OpOptions = {}): Promise<boolean> {
    validateKey(key, this.kind);
    return (await this.#run(key, (ctx) => headObject(ctx, key, options.signal))) !== undefined;
  }

  async read(key: string, options: ReadOptions = {}): Promise<ReadResult> {
    validateKey(key, this.kind);
    return this.#run(key, (ctx) => readObject(ctx, key, options));
  }

  async write(key: string, body: WriteBody, options: WriteOptions = {}): Promise<ObjectStat> {
    validateKey(key, this.kind);
    return this.#run(key, (ctx) => writeObject(ctx, key, body, options));
  }

  async copy(from: string, to: string, options: CopyOptions = {}): Promise<ObjectStat> {
    validateKey(from, this.kind);
    validateKey(to, this.kind);
    return this.#run(to, (ctx) => copyObject(ctx, from, to, options));
  }

  async delete(key: string, options: OpOptions = {}): Promise<void> {
    validateKey(key, this.kind);
    await this.#run(key, (ctx) => deleteKeys(ctx, [key], options.signal));
  }

  async deleteMany(keys: readonly string[], options: OpOptions = {}): Promise<void> {
    for (const key of keys) validateKey(key, this.kind);
    await this.#run(undefined, (ctx) => deleteKeys(ctx, keys, options.signal));
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<ObjectEntry> {
    validatePrefix(prefix, this.kind);
    const scope = { container: this.container, key: prefix === '' ? undefined : prefix };
    let ctx: AzureContext;
    try {
      ctx = await this.#context();
    } catch (err) {
      rethrow(err, scope);
    }
    try {
      yield* listObjects(ctx, prefix, options.startAfter, options.signal);
    } catch (err) {
      rethrow(err, scope);
    }
  }

  async writeMany(
    items: WriteManySource,
    options: WriteManyOptions = {},
  ): Promise<WriteManyResult> {
    return this.#run(undefined, (ctx) => writeManyObjects(ctx, items, options));
  }

  async signedUrl(key: string, options: SignedUrlOptions): Promise<URL> {
    validateKey(key, this.kind);
    return this.#run(key, (ctx) => signUrl(ctx, key, options));
  }

  async close(): Promise<void> {
    // The SDK's HTTP agent keeps no handles that outlive their requests.
  }

  /** The client, made on first use (an Entra ID credential is imported only then). */
  #context(): Promise<AzureContext> {
    this.#ctx ??= connect(this.#input, this.options).then((conn) => ({
      conn,
      options: this.options,
      endpointId: endpointIdOf(conn),
      onBlock: this.#input.onBlock,
    }));
    return this.#ctx;
  }

  async #run<T>(key: string | undefined, fn: (ctx: AzureContext) => Promise<T>): Promise<T> {
    try {
      return await fn(await this.#context());
    } catch (err) {
      rethrow(err, { container: this.container, key });
    }
  }
}

/** A backend for one container. @example createAzureBackend({ container: 'ml-artifacts', account: 'mlstore' }) */
export function createAzureBackend(options: AzureBackendOptions): AzureBackend {
  return new AzureBackend(options);
}
