import { generateKeyPairSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { UploadJob } from '@trove/conformance';
import { fileTempDir } from '@trove/test-utils';
import { GcsBackend, type GcsBackendOptions } from '../src/index.js';

export const MIB = 1024 * 1024;

/**
 * A service-account key made here, for signing URLs locally (fake-gcs-server does not verify
 * signatures). With an `apiEndpoint` and no `keyFilename`, requests stay unauthenticated, so no
 * token is ever asked for.
 */
export const FAKE_SERVICE_ACCOUNT = {
  client_email: 'trove-test@test.iam.gserviceaccount.com',
  private_key: generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString(),
};

/** A backend on the emulator; resume journals go to one temp folder per test file. */
export function newBackend(
  apiEndpoint: string,
  bucket: string,
  extra: Partial<GcsBackendOptions> = {},
): GcsBackend {
  const sharedResumeDir = fileTempDir('trove-gcs-resume-');
  return new GcsBackend({
    bucket,
    apiEndpoint,
    projectId: 'test',
    credentials: FAKE_SERVICE_ACCOUNT,
    resumeDir: sharedResumeDir,
    maxAttempts: 2,
    ...extra,
  });
}

/** A job for @trove/conformance's upload child: the built GcsBackend against `apiEndpoint`. */
export function uploadJob(
  apiEndpoint: string,
  job: Omit<UploadJob, 'module' | 'className' | 'event' | 'options'> & {
    bucket: string;
    options?: Partial<GcsBackendOptions>;
  },
): UploadJob {
  const { bucket, options, ...rest } = job;
  return {
    module: fileURLToPath(new URL('../dist/index.js', import.meta.url)),
    className: 'GcsBackend',
    event: 'onChunk',
    options: { bucket, apiEndpoint, projectId: 'test', ...options },
    ...rest,
  };
}

/** A child's environment: STORAGE_EMULATOR_HOST would override apiEndpoint in the SDK. */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.STORAGE_EMULATOR_HOST;
  return env;
}
