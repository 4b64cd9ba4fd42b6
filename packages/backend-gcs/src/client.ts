import { Storage, type StorageOptions } from '@google-cloud/storage';
import type { GcsBackendOptions, ResolvedOptions } from './options.js';

/**
 * The SDK client for the options. Credentials come only from the SDK's own chain (ADC, the key
 * file, workload identity); trove never reads or prints them. With a custom `apiEndpoint`
 * (an emulator, a private endpoint), requests are signed only when credentials are given
 * explicitly, so an emulator needs none and no token is ever fetched for it.
 */
export function createStorage(options: GcsBackendOptions, resolved: ResolvedOptions): Storage {
  const config: StorageOptions = {
    retryOptions: { autoRetry: resolved.maxAttempts > 1, maxRetries: resolved.maxAttempts - 1 },
  };
  if (options.projectId !== undefined) config.projectId = options.projectId;
  if (options.keyFilename !== undefined) config.keyFilename = options.keyFilename;
  if (options.credentials !== undefined) config.credentials = options.credentials;
  if (resolved.apiEndpoint !== undefined) {
    config.apiEndpoint = resolved.apiEndpoint;
    config.useAuthWithCustomEndpoint = usesAuth(options);
  }
  return new Storage(config);
}

/** Whether requests carry credentials: always on Google's endpoint, else only when given. */
export function usesAuth(options: GcsBackendOptions): boolean {
  if (options.apiEndpoint === undefined) return true;
  return options.keyFilename !== undefined;
}
