import type { ContainerClient, StoragePipelineOptions } from '@azure/storage-blob';
import {
  countSpec,
  invalidOption,
  type ObjectStoreOptions,
  objectStoreOptionSpecs,
  type ResolvedObjectStoreOptions,
  resolveObjectStoreOptions,
} from '@trove/core/backend';

export const MIB = 1024 * 1024;
/** Azure's limits for block blobs: 50,000 blocks, each at most 4,000 MiB. */
export const MAX_BLOCKS = 50_000;
const MAX_BLOCK_SIZE = 4000 * MIB;
const MIN_BLOCK_SIZE = 1 * MIB;

/** What one block of a block upload did: staged now, or found uncommitted from an earlier try. */
export interface BlockEvent {
  key: string;
  /** The upload's block-id prefix (one per upload; a resumed upload keeps its own). */
  uploadId: string;
  index: number;
  size: number;
  /** True when the block was already staged on the server (a resumed upload) and not sent again. */
  reused: boolean;
}

export interface AzureBackendOptions extends ObjectStoreOptions {
  /** Blob container name (3–63 lowercase letters, digits and hyphens). */
  container: string;
  /** Storage account name; the endpoint is then `https://<account>.blob.core.windows.net`. */
  account?: string;
  /**
   * A connection string (default: `AZURE_STORAGE_CONNECTION_STRING`). Takes precedence over
   * `account`/`endpoint`/`sasToken`.
   */
  connectionString?: string;
  /** A SAS token for the account or container (default: `AZURE_STORAGE_SAS_TOKEN`). */
  sasToken?: string;
  /** Blob service URL: Azurite (`http://127.0.0.1:10000/devstoreaccount1`), sovereign clouds. */
  endpoint?: string;
  /** Minimum block size in bytes (default 8 MiB); grows for large blobs. Also the single-request limit. */
  blockSize?: number;
  /** Blocks in flight per upload (default 8). */
  concurrency?: number;
  /**
   * Largest blob copied with one synchronous Copy Blob From URL (default and maximum 256 MiB,
   * Azure's limit); larger ones use an asynchronous Copy Blob.
   */
  syncCopyLimit?: number;
  /** A ready container client (tests, custom pipelines); the credential options are then ignored. */
  containerClient?: ContainerClient;
  /** Extra pipeline options (proxy, user agent, …) merged over trove's. */
  pipelineOptions?: StoragePipelineOptions;
  /** Called for every block of every block upload (progress displays, tests). */
  onBlock?: (event: BlockEvent) => void;
}

/** Options after defaults; what the backend actually uses. */
export interface ResolvedOptions extends ResolvedObjectStoreOptions {
  container: string;
  blockSize: number;
  concurrency: number;
  syncCopyLimit: number;
}

/** Copy Blob From URL's limit. */
const MAX_SYNC_COPY = 256 * MIB;

/** The options `trove.yaml` may set for `type: azure` (core owns `prefix`). */
export const OPTION_SPECS = objectStoreOptionSpecs('azure', {
  container: { type: 'string', required: true, description: 'Name of the blob container.' },
  account: {
    type: 'string',
    description: 'Storage account name (the endpoint is https://<account>.blob.core.windows.net).',
  },
  connectionString: {
    type: 'string',
    description:
      'Connection string; better left to the AZURE_STORAGE_CONNECTION_STRING environment variable.',
  },
  sasToken: {
    type: 'string',
    description: 'SAS token; better left to the AZURE_STORAGE_SAS_TOKEN environment variable.',
  },
  endpoint: {
    type: 'string',
    format: 'http-url',
    description:
      'Blob service URL, e.g. http://127.0.0.1:10000/devstoreaccount1 for Azurite, or a sovereign cloud.',
  },
  blockSize: {
    type: 'number',
    integer: true,
    min: MIN_BLOCK_SIZE,
    max: MAX_BLOCK_SIZE,
    default: 8 * MIB,
    description:
      'Minimum block size in bytes, at least 1 MiB (default 8 MiB); grows for large blobs.',
  },
  concurrency: countSpec(8, 'Blocks uploaded at once per blob (default 8).'),
});

/** Azure's container naming rule (the `$root`/`$web` special containers included). */
const CONTAINER_NAME = /^(?:\$root|\$web|[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62})$/;

export function resolveOptions(options: AzureBackendOptions): ResolvedOptions {
  const { given: o, shared } = resolveObjectStoreOptions('azure', OPTION_SPECS, options);
  const invalid = (name: string, why: string) => invalidOption('azure', OPTION_SPECS, name, why);
  if (!CONTAINER_NAME.test(o.container)) {
    throw invalid(
      'container',
      `must be 3–63 lowercase letters, digits and single hyphens, not ${JSON.stringify(o.container)}.`,
    );
  }
  const syncCopyLimit = o.syncCopyLimit ?? MAX_SYNC_COPY;
  if (!Number.isInteger(syncCopyLimit) || syncCopyLimit < 1)
    throw invalid('syncCopyLimit', `must be a whole number of at least 1, not ${syncCopyLimit}.`);
  return {
    container: o.container,
    blockSize: o.blockSize as number,
    concurrency: o.concurrency as number,
    ...shared,
    syncCopyLimit: Math.min(MAX_SYNC_COPY, syncCopyLimit),
  };
}

/** The block size for a blob of `size` bytes: at least `min`, enough for 50,000 blocks, whole MiB. */
export function blockSizeFor(size: number, min: number): number {
  const needed = Math.ceil(size / MAX_BLOCKS);
  if (needed <= min) return min;
  return Math.min(MAX_BLOCK_SIZE, Math.ceil(needed / MIB) * MIB);
}
