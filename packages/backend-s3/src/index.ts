import { type BackendFactory, defineBackend, withPathsFrom } from '@trove/core/backend';
import { S3Backend } from './backend.js';
import { OPTION_SPECS, type S3BackendOptions } from './options.js';

export { createS3Backend, S3Backend } from './backend.js';
export type { PartEvent, S3BackendOptions } from './options.js';

/** The options of a `type: s3` store in `trove.yaml` (core handles `type` and `prefix`). */
export type S3StoreOptions = Omit<S3BackendOptions, 'client' | 'clientConfig' | 'onPart'>;

/**
 * `type: s3` in `trove.yaml`:
 * `{ type: s3, bucket: ml-artifacts, region: eu-west-1, prefix: trove }`, or for MinIO/R2/Ceph
 * `{ type: s3, bucket: b, endpoint: http://127.0.0.1:9000 }`.
 */
const factory: BackendFactory<S3StoreOptions> = defineBackend<S3StoreOptions>({
  kind: 's3',
  options: OPTION_SPECS,
  create: (options, context) => new S3Backend(withPathsFrom(context.root, options, ['resumeDir'])),
});

export default factory;
