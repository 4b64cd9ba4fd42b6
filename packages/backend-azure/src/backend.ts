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
import { ObjectStoreBackend } from '@trove/object-store';
import { uploadLeftovers } from './cleanup.js';
import { connect } from './client.js';
import { type AzureContext, endpointIdOf } from './context.js';
import { copyFromStore, copyObject } from './copy.js';
import { deleteKeys } from './delete.js';
import { headObject } from './head.js';
import { listObjects } from './list.js';
import { BACKEND, mapAzureError } from './map-error.js';
import { type AzureBackendOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { putBlob } from './put.js';
import { readObject } from './read.js';
import { signUrl } from './signed-url.js';
import { uploadBody } from './upload/upload.js';

/** A container as a trove store: Azure's primitives on core's object-store base. */
export class AzureBackend extends ObjectStoreBackend {
  readonly container: string;
  readonly options: ResolvedOptions;

  constructor(input: AzureBackendOptions) {
    const options = resolveOptions(input);
    let made: Promise<AzureContext> | undefined;
    /** The client, made on first use (an Entra ID credential is imported only then). */
    const ctx = (): Promise<AzureContext> => {
      made ??= connect(input, options).then((conn) => ({
        conn,
        options,
        endpointId: endpointIdOf(conn),
        onBlock: input.onBlock,
      }));
      return made;
    };
    super({
      kind: BACKEND,
      capabilities: { ifNoneMatch: true, ifMatch: true, serverSideCopy: true, rangeRead: true },
      mapError: (err, key) => mapAzureError(err, { container: options.container, key }),
      head: async (key, signal) => headObject(await ctx(), key, signal),
      read: async (key, o) => readObject(await ctx(), key, o),
      oneRequestMax: options.blockSize,
      put: async (key, bytes, md5, o) => putBlob(await ctx(), key, bytes, md5, o),
      upload: async (key, body, o) => uploadBody(await ctx(), key, body, o),
      copy: async (from, to, o) => copyObject(await ctx(), from, to, o),
      // Copy From URL reads any blob of the service by a SAS: every Azure store is a copy origin,
      // and `copyFromStore` checks that both are on one service (one Azurite, or Azure's cloud).
      copyOrigin: { service: BACKEND, container: options.container },
      copyFrom: async (source, from, to, o) =>
        copyFromStore(await ctx(), source.backend, from, to, o),
      delete: async (keys, signal) => deleteKeys(await ctx(), keys, signal),
      list: async function* (prefix, startAfter, signal) {
        yield* listObjects(await ctx(), prefix, startAfter, signal);
      },
      signedUrl: async (key, o) => signUrl(await ctx(), key, o),
      // The bytes buffered at once are bounded by `blockSize × concurrency`.
      writeMany: {
        objectConcurrency: options.objectConcurrency,
        bufferBudget: options.blockSize * options.concurrency,
      },
      leftovers: async () => uploadLeftovers(await ctx()),
      // The SDK's HTTP agent keeps no handles that outlive their requests.
    });
    this.container = options.container;
    this.options = options;
  }
}

/** A backend for one container. @example createAzureBackend({ container: 'ml-artifacts', account: 'mlstore' }) */
export function createAzureBackend(options: AzureBackendOptions): AzureBackend {
  return new AzureBackend(options);
}
