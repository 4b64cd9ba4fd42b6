import {
  type BlobClient,
  BlobSASPermissions,
  BlobServiceClient,
  type UserDelegationKey,
} from '@azure/storage-blob';
import { TroveError } from '@trove/core/backend';
import type { AzureContext } from './context.js';

/** How long a user delegation key is asked for; SAS expiries beyond it get a key of their own. */
const DELEGATION_KEY_MS = 6 * 60 * 60 * 1000;
/** Clock skew allowed for: a SAS starts this much in the past. */
const SKEW_MS = 5 * 60 * 1000;

const delegationKeys = new WeakMap<object, { key: UserDelegationKey; until: number }>();

/**
 * A SAS URL for one blob: a service SAS signed with the account key when it is known, a user
 * delegation SAS with Entra ID. Signing is local, except for fetching a user delegation key.
 * `internal`: the URL goes only to the service (a copy source), so a client that has nothing
 * but its own SAS may use that; a URL handed out never carries the user's own SAS.
 */
export async function sasUrl(
  ctx: AzureContext,
  blob: BlobClient,
  permissions: string,
  expiresInSeconds: number,
  internal = false,
): Promise<string> {
  const now = Date.now();
  const expiresOn = new Date(now + expiresInSeconds * 1000);
  const startsOn = new Date(now - SKEW_MS);
  const options = { permissions: BlobSASPermissions.parse(permissions), expiresOn, startsOn };
  if (ctx.conn.sharedKey) return blob.generateSasUrl(options);
  if (ctx.conn.token) {
    const key = await delegationKey(ctx, expiresOn.getTime());
    return blob.generateUserDelegationSasUrl(options, key);
  }
  if (internal && ctx.conn.sasToken) return blob.url;
  throw new TroveError('INVALID_CONFIG', 'These Azure credentials cannot sign URLs.', {
    backend: 'azure',
    hint: 'Signing needs the account key (a connection string with AccountKey) or Entra ID; a SAS cannot sign others.',
  });
}

async function delegationKey(ctx: AzureContext, until: number): Promise<UserDelegationKey> {
  const cached = delegationKeys.get(ctx.conn);
  if (cached && cached.until >= until) return cached.key;
  const token = ctx.conn.token;
  if (!token) throw new Error('no token credential');
  const url = new URL(ctx.conn.container.url);
  url.pathname = url.pathname.replace(/\/[^/]*\/?$/, '') || '/';
  const service = new BlobServiceClient(url.toString(), token);
  const start = new Date(Date.now() - SKEW_MS);
  const end = new Date(Math.max(until, Date.now() + DELEGATION_KEY_MS));
  const key = await service.getUserDelegationKey(start, end);
  delegationKeys.set(ctx.conn, { key, until: end.getTime() });
  return key;
}
