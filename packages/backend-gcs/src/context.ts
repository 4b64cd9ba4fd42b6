import type { Bucket, Storage } from '@google-cloud/storage';
import type { ChunkEvent, ResolvedOptions } from './options.js';

/** What the backend's helpers share: the client, the bucket and the resolved options. */
export interface GcsContext {
  readonly storage: Storage;
  readonly bucket: Bucket;
  readonly options: ResolvedOptions;
  /** Base URL of the JSON API, without a trailing slash (`https://storage.googleapis.com`). */
  readonly apiBase: string;
  /** Identifies the server in resume journals. */
  readonly endpointId: string;
  /** Whether upload requests carry the SDK's credentials. */
  readonly auth: boolean;
  readonly onChunk: ((event: ChunkEvent) => void) | undefined;
  /** Set once the bucket is known to exist, so a 404 on a lookup can only mean the object. */
  readonly seen: { bucket: boolean };
}

/** The stat fields of an object resource (JSON API `objects` resource). */
export interface ObjectResource {
  name?: string;
  size?: string | number;
  generation?: string | number;
  md5Hash?: string;
  updated?: string;
}
