import {
  AnonymousCredential,
  BlobServiceClient,
  type ContainerClient,
  type StoragePipelineOptions,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import { TroveError } from '@trove/core/backend';
import type { AzureBackendOptions, ResolvedOptions } from './options.js';

/** How the backend reaches its container, and what it can sign URLs with. */
export interface Connection {
  container: ContainerClient;
  /** Present when the account key is known (connection string, `AZURE_STORAGE_KEY`): service SAS. */
  sharedKey: StorageSharedKeyCredential | undefined;
  /** Present with Entra ID (`DefaultAzureCredential`): user delegation SAS. */
  token: TokenCredential | undefined;
  /** A SAS the client already carries (`sasToken`), reused for copy sources. */
  sasToken: string | undefined;
}

/** An Entra ID credential (`@azure/core-auth`'s TokenCredential, without depending on it). */
interface TokenCredential {
  getToken(
    scopes: string | string[],
    options?: object,
  ): Promise<{ token: string; expiresOnTimestamp: number } | null>;
}

const IDENTITY_PACKAGE = '@azure/identity';

/**
 * The client, from the first of: an injected container client; a connection string (option or
 * `AZURE_STORAGE_CONNECTION_STRING`); a SAS token (option or `AZURE_STORAGE_SAS_TOKEN`); an
 * account key in `AZURE_STORAGE_KEY`; else `DefaultAzureCredential` from `@azure/identity`,
 * an optional dependency imported only then. Secrets are read here and never put in messages.
 */
export async function connect(
  options: AzureBackendOptions,
  resolved: ResolvedOptions,
): Promise<Connection> {
  const pipeline: StoragePipelineOptions = {
    retryOptions: {
      maxTries: resolved.maxAttempts,
      retryDelayInMs: 500,
      maxRetryDelayInMs: 16_000,
    },
    userAgentOptions: { userAgentPrefix: 'trove' },
    ...options.pipelineOptions,
  };
  if (options.containerClient) {
    const credential = options.containerClient.credential;
    return {
      container: options.containerClient,
      sharedKey: credential instanceof StorageSharedKeyCredential ? credential : undefined,
      token: undefined,
      sasToken: undefined,
    };
  }
  const env = process.env;
  const connectionString =
    options.connectionString ?? nonEmpty(env.AZURE_STORAGE_CONNECTION_STRING);
  if (connectionString) {
    let service: BlobServiceClient;
    try {
      service = BlobServiceClient.fromConnectionString(connectionString, pipeline);
    } catch {
      throw new TroveError('INVALID_CONFIG', 'The Azure connection string cannot be parsed.', {
        backend: 'azure',
        hint: 'Copy it whole from the portal ("Access keys"); trove never prints it.',
      });
    }
    const credential = service.credential;
    const sas = /(?:^|;)SharedAccessSignature=([^;]+)/i.exec(connectionString)?.[1];
    return {
      container: service.getContainerClient(resolved.container),
      sharedKey: credential instanceof StorageSharedKeyCredential ? credential : undefined,
      token: undefined,
      sasToken: sas,
    };
  }
  const url = serviceUrl(options);
  const sasToken = (options.sasToken ?? nonEmpty(env.AZURE_STORAGE_SAS_TOKEN))?.replace(/^\?/, '');
  if (sasToken) {
    const service = new BlobServiceClient(
      `${url}?${sasToken}`,
      new AnonymousCredential(),
      pipeline,
    );
    return {
      container: service.getContainerClient(resolved.container),
      sharedKey: undefined,
      token: undefined,
      sasToken,
    };
  }
  const accountKey = nonEmpty(env.AZURE_STORAGE_KEY);
  const account = options.account ?? nonEmpty(env.AZURE_STORAGE_ACCOUNT);
  if (accountKey && account) {
    const sharedKey = new StorageSharedKeyCredential(account, accountKey);
    const service = new BlobServiceClient(url, sharedKey, pipeline);
    return {
      container: service.getContainerClient(resolved.container),
      sharedKey,
      token: undefined,
      sasToken: undefined,
    };
  }
  const token = await defaultCredential();
  const service = new BlobServiceClient(url, token, pipeline);
  return {
    container: service.getContainerClient(resolved.container),
    sharedKey: undefined,
    token,
    sasToken: undefined,
  };
}

/** `endpoint`, else `https://<account>.blob.core.windows.net`; INVALID_CONFIG when neither is known. */
function serviceUrl(options: AzureBackendOptions): string {
  if (options.endpoint) return options.endpoint.replace(/\/+$/, '');
  const account = options.account ?? nonEmpty(process.env.AZURE_STORAGE_ACCOUNT);
  if (!account) {
    throw new TroveError('INVALID_CONFIG', 'No Azure storage account is configured.', {
      backend: 'azure',
      hint: 'Set "account:" (or "endpoint:") in trove.yaml, or AZURE_STORAGE_CONNECTION_STRING in the environment.',
    });
  }
  return `https://${account}.blob.core.windows.net`;
}

async function defaultCredential(): Promise<TokenCredential> {
  let identity: { DefaultAzureCredential: new () => TokenCredential };
  try {
    identity = (await import(IDENTITY_PACKAGE)) as typeof identity;
  } catch {
    throw new TroveError(
      'BACKEND_NOT_INSTALLED',
      `No Azure credentials were given and ${IDENTITY_PACKAGE} is not installed.`,
      {
        backend: 'azure',
        hint:
          `Install ${IDENTITY_PACKAGE} (npm i ${IDENTITY_PACKAGE}) to sign in with Entra ID ` +
          '(az login, managed identity, workload identity), or set AZURE_STORAGE_CONNECTION_STRING ' +
          'or AZURE_STORAGE_SAS_TOKEN.',
      },
    );
  }
  return new identity.DefaultAzureCredential();
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
