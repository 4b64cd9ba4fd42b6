import { fileURLToPath } from 'node:url';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import type { UploadJob } from '@trove/conformance';
import { fileTempDir } from '@trove/test-utils';
import { AzureBackend, type AzureBackendOptions } from '../src/index.js';

export const MIB = 1024 * 1024;

/** A client for test set-up and assertions, independent of the backend under test. */
export function testContainer(connectionString: string, container: string): ContainerClient {
  return BlobServiceClient.fromConnectionString(connectionString).getContainerClient(container);
}

/** A backend on Azurite; resume journals go to one temp folder per test file unless `extra` says. */
export function newBackend(
  connectionString: string,
  container: string,
  extra: Partial<AzureBackendOptions> = {},
): AzureBackend {
  const sharedResumeDir = fileTempDir('trove-azure-resume-');
  return new AzureBackend({ container, connectionString, resumeDir: sharedResumeDir, ...extra });
}

/** Uncommitted block ids of a blob (none when it has none or does not exist). */
export async function uncommitted(client: ContainerClient, key: string): Promise<string[]> {
  try {
    const list = await client.getBlockBlobClient(key).getBlockList('uncommitted');
    return (list.uncommittedBlocks ?? []).map((b) => b.name);
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return [];
    throw err;
  }
}

/** The backend part of a job for @trove/conformance's upload child: the built AzureBackend. */
export function uploadJob(
  connectionString: string,
  container: string,
  options: Partial<AzureBackendOptions> = {},
): Pick<UploadJob, 'module' | 'className' | 'event' | 'options'> {
  return {
    module: fileURLToPath(new URL('../dist/index.js', import.meta.url)),
    className: 'AzureBackend',
    event: 'onBlock',
    options: { container, connectionString, ...options },
  };
}
