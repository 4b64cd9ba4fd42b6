import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { startEmulator } from './emulator.js';

// Azurite (the Azure Storage emulator, npm `azurite`, a devDependency of this package) as the
// Blob service of the tests: one Node process on 127.0.0.1, in memory. Azurite 3.35.0 is the
// last release for Node 20; `--skipApiVersionCheck` is needed because @azure/storage-blob
// 12.32.0 sends a newer API version than it knows, and `--disableTelemetry` keeps it off the
// network.

/** The emulator's well-known development account (public, documented by Microsoft). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteServer {
  /** Blob endpoint: `http://127.0.0.1:<port>/devstoreaccount1`. */
  url: string;
  /** The development account's connection string for this endpoint. */
  connectionString: string;
  stop(): Promise<void>;
}

/** The connection string of the development account at `blobEndpoint`, optionally with another key. */
export function azuriteConnectionString(blobEndpoint: string, key = AZURITE_KEY): string {
  return (
    `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${key};` +
    `BlobEndpoint=${blobEndpoint};`
  );
}

function azuriteBin(): string {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve('azurite/package.json');
  const bin = join(dirname(pkg), 'dist', 'src', 'blob', 'main.js');
  if (!existsSync(bin)) throw new Error(`azurite is installed but ${bin} is missing`);
  return bin;
}

/**
 * Starts azurite-blob in memory on a free loopback port and waits until it answers. Throws when
 * it cannot start: tests that need Azure never skip silently.
 */
export async function startAzurite(): Promise<AzuriteServer> {
  const bin = azuriteBin();
  const emulator = await startEmulator({
    name: 'azurite-blob',
    command: (port) => [
      process.execPath,
      bin,
      '--silent',
      '--disableTelemetry',
      '--skipApiVersionCheck',
      '--inMemoryPersistence',
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      String(port),
    ],
    // Any HTTP answer (400 for a bare GET of the account) means it is listening.
    ready: async (url) => (await fetch(`${url}/${AZURITE_ACCOUNT}?comp=list`)).status > 0,
  });
  const url = `${emulator.url}/${AZURITE_ACCOUNT}`;
  return { url, connectionString: azuriteConnectionString(url), stop: () => emulator.stop() };
}

/** Creates a container with a unique name (`<label>-<10 hex>`) and returns the name. */
export async function createContainer(connectionString: string, label: string): Promise<string> {
  const { BlobServiceClient } = await import('@azure/storage-blob');
  const name = `${label}-${randomBytes(5).toString('hex')}`;
  await BlobServiceClient.fromConnectionString(connectionString).getContainerClient(name).create();
  return name;
}
