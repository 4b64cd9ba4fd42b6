import type { S3Client, S3ClientConfig } from '@aws-sdk/client-s3';
import {
  countSpec,
  type ObjectStoreOptions,
  objectStoreOptionSpecs,
  type ResolvedObjectStoreOptions,
  resolveObjectStoreOptions,
} from '@trove/core/backend';
import { MAX_PART_SIZE, MIB, MIN_PART_SIZE } from './upload/part-size.js';

type ChecksumMode = 'when_required' | 'when_supported';

/** What one part of a multipart upload did: sent now, or found on the server from an earlier try. */
export interface PartEvent {
  key: string;
  uploadId: string;
  partNumber: number;
  size: number;
  /** True when the part was already on the server (a resumed upload) and was not sent again. */
  reused: boolean;
}

export interface S3BackendOptions extends ObjectStoreOptions {
  bucket: string;
  /** AWS region; default from the SDK's chain, or `us-east-1` when `endpoint` is set. */
  region?: string;
  /** URL of an S3-compatible server (MinIO, R2, Ceph, moto…). */
  endpoint?: string;
  /** Path-style URLs (`endpoint/bucket/key`); default true when `endpoint` is set. */
  forcePathStyle?: boolean;
  /** When the SDK adds CRC checksums; default `when_required` with an `endpoint`, else `when_supported`. */
  checksums?: ChecksumMode;
  /** Minimum multipart part size in bytes (default 8 MiB); grows with the object. Also the single-PUT limit. */
  partSize?: number;
  /** Parts in flight per upload (default 8). */
  concurrency?: number;
  /** A ready client (tests, custom middleware); the options above that configure a client are then ignored. */
  client?: S3Client;
  /** Extra client settings merged over trove's (credentials, logger, requestHandler…). */
  clientConfig?: S3ClientConfig;
  /** Called for every part of every multipart upload (progress displays, tests). */
  onPart?: (event: PartEvent) => void;
}

/** Options after defaults; what the backend actually uses. */
export interface ResolvedOptions extends ResolvedObjectStoreOptions {
  bucket: string;
  endpoint: string | undefined;
  checksums: ChecksumMode;
  partSize: number;
  concurrency: number;
}

/** The options `trove.yaml` may set for `type: s3` (core owns `prefix`). */
export const OPTION_SPECS = objectStoreOptionSpecs('s3', {
  bucket: { type: 'string', required: true, description: 'Name of the S3 bucket.' },
  region: {
    type: 'string',
    description:
      'AWS region of the bucket (default: from the AWS SDK chain; us-east-1 with an endpoint).',
  },
  endpoint: {
    type: 'string',
    format: 'http-url',
    description: 'URL of an S3-compatible server, e.g. http://127.0.0.1:9000 for MinIO.',
  },
  forcePathStyle: {
    type: 'boolean',
    description: 'Use path-style URLs (default true when endpoint is set).',
  },
  checksums: {
    type: 'string',
    enum: ['when_required', 'when_supported'],
    description:
      'when_required or when_supported: when the SDK adds CRC checksums (default when_required with an endpoint).',
  },
  partSize: {
    type: 'number',
    integer: true,
    min: MIN_PART_SIZE,
    max: MAX_PART_SIZE,
    default: 8 * MIB,
    description:
      'Minimum multipart part size in bytes, from 5 MiB to 5 GiB (default 8 MiB); grows for large objects.',
  },
  concurrency: countSpec(8, 'Parts uploaded at once per object (default 8).'),
});

export function resolveOptions(options: S3BackendOptions): ResolvedOptions {
  const checksums = options.checksums ?? (options.endpoint ? 'when_required' : 'when_supported');
  const { given: o, shared } = resolveObjectStoreOptions('s3', OPTION_SPECS, {
    ...options,
    checksums,
  });
  return {
    bucket: o.bucket,
    endpoint: o.endpoint,
    checksums,
    partSize: o.partSize as number,
    concurrency: o.concurrency as number,
    ...shared,
  };
}
