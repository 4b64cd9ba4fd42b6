import { type AzuriteServer, startAzurite } from '@trove/test-utils/azurite';
import { ensureDvcVenv } from '@trove/test-utils/python-venv';
import type { TestProject } from 'vitest/node';

let azurite: AzuriteServer | undefined;

/** One Azurite for the whole project (each test file makes its own containers), and dvc's venv. */
export async function setup(project: TestProject): Promise<void> {
  const [server, dvc] = await Promise.all([
    startAzurite(),
    ensureDvcVenv('azure-venv', ['dvc==3.67.1', 'dvc-azure==3.1.1'], 'dvc_azure'),
  ]);
  azurite = server;
  project.provide('azureBlobEndpoint', server.url);
  project.provide('azureConnectionString', server.connectionString);
  project.provide('azureDvc', dvc);
}

export async function teardown(): Promise<void> {
  await azurite?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    azureBlobEndpoint: string;
    azureConnectionString: string;
    azureDvc: string;
  }
}
