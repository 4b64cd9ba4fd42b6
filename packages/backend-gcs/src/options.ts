import type { Storage, StorageOptions } from '@google-cloud/storage';
import {
  countSpec,
  type ObjectStoreOptions,
  objectStoreOptionSpecs,
  type ResolvedObjectStoreOptions,
  resolveObjectStoreOptions,
} from '@trove/core/backend';

const KIB = 1024;
const MIB = 1024 * KIB;
/** Every chunk of a resumable upload but the last must be a multiple of this (GCS's rule). */
const CHUNK_QUANTUM = 256 * KIB;

/** What one chunk of a resumable upload did (progress displays, tests). */
export interface ChunkEvent {
  key: string;
  /** Offset of the chunk's first byte in the object. */
  offset: number;
  size: number;
  /**
   * `sent`: the chunk went over the wire now; `resumed`: an earlier attempt's session already
   * held the bytes up to `offset + size`, and they were not sent again.
   */
  kind: 'sent' | 'resumed';
}

export interface GcsBackendOptions extends ObjectStoreOptions {
  bucket: string;
  /** Google Cloud project (default: from the SDK's credential chain). */
  projectId?: string;
  /**
   * URL of the JSON API (`http://127.0.0.1:4443` for fake-gcs-server, a Private Service Connect
   * endpoint…). With it, requests carry credentials only when `keyFilename` or `credentials` is set.
   */
  apiEndpoint?: string;
  /** A service-account key file (default: Application Default Credentials). */
  keyFilename?: string;
  /** Credentials as an object (a service-account key), for programs; never from trove.yaml. */
  credentials?: StorageOptions['credentials'];
  /**
   * Bytes per request of a resumable upload (default 16 MiB, rounded up to 256 KiB). Also the
   * size up to which a body goes in one request. Two chunks are buffered at most per upload.
   */
  chunkSize?: number;
  /** Requests in flight for `deleteMany` (default 16). */
  concurrency?: number;
  /** A ready client (tests, custom settings); the options that configure a client are then ignored. */
  storage?: Storage;
  /** Called for every chunk of every resumable upload. */
  onChunk?: (event: ChunkEvent) => void;
}

/** Options after defaults; what the backend actually uses. */
export interface ResolvedOptions extends ResolvedObjectStoreOptions {
  bucket: string;
  apiEndpoint: string | undefined;
  chunkSize: number;
  concurrency: number;
}

/** The options `trove.yaml` may set for `type: gcs` (core owns `prefix`). */
export const OPTION_SPECS = objectStoreOptionSpecs('gcs', {
  bucket: { type: 'string', required: true, description: 'Name of the GCS bucket.' },
  projectId: {
    type: 'string',
    description: 'Google Cloud project (default: from the credentials).',
  },
  apiEndpoint: {
    type: 'string',
    format: 'http-url',
    description:
      'URL of the GCS JSON API, e.g. http://127.0.0.1:4443 for fake-gcs-server (default: storage.googleapis.com).',
  },
  keyFilename: {
    type: 'string',
    description:
      'Service-account key file (default: Application Default Credentials: GOOGLE_APPLICATION_CREDENTIALS, gcloud, the metadata server).',
  },
  chunkSize: {
    type: 'number',
    integer: true,
    min: 1,
    default: 16 * MIB,
    description:
      'Bytes per request of a resumable upload, a multiple of 256 KiB (default 16 MiB); smaller bodies go in one request.',
  },
  concurrency: countSpec(16, 'Deletes in flight at once (default 16).'),
});

export function resolveOptions(options: GcsBackendOptions): ResolvedOptions {
  const { given: o, shared } = resolveObjectStoreOptions('gcs', OPTION_SPECS, options);
  return {
    bucket: o.bucket,
    apiEndpoint: o.apiEndpoint?.replace(/\/+$/, ''),
    chunkSize: Math.ceil((o.chunkSize as number) / CHUNK_QUANTUM) * CHUNK_QUANTUM,
    concurrency: o.concurrency as number,
    ...shared,
  };
}
