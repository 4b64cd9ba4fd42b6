import { isAbortError, isNetworkError } from '@trove/core/backend';
import { withRetries as retrying } from '@trove/object-store';
import type { GcsContext } from './context.js';

/**
 * Requests the SDK does not make the way trove needs them (uploads: one-request uploads with a
 * declared md5, and resumable sessions driven chunk by chunk so that a later process can resume
 * them), sent with Node's fetch and the SDK's credentials.
 */

/** A non-2xx answer of the JSON API, shaped like the SDK's ApiError (`code` is the status). */
export class GcsHttpError extends Error {
  readonly code: number;
  readonly reason: string | undefined;
  constructor(status: number, message: string, reason?: string) {
    super(message);
    this.name = 'GcsHttpError';
    this.code = status;
    this.reason = reason;
  }
}

/** Reads a failed response's body into a GcsHttpError (the JSON API's `{error:{message}}`). */
export async function httpError(response: Response, what: string): Promise<GcsHttpError> {
  return errorOf(response.status, await response.text().catch(() => ''), what);
}

/** A GcsHttpError from a failed answer's status and body text. */
export function errorOf(status: number, text: string, what: string): GcsHttpError {
  let message = text.trim().slice(0, 500);
  let reason: string | undefined;
  try {
    const parsed = JSON.parse(text) as {
      error?: { message?: string; errors?: { reason?: string }[] } | string;
    };
    if (typeof parsed.error === 'object') {
      message = parsed.error.message ?? message;
      reason = parsed.error.errors?.[0]?.reason;
    } else if (typeof parsed.error === 'string') message = parsed.error;
  } catch {
    // not JSON: keep the text
  }
  return new GcsHttpError(status, `${what}: HTTP ${status}${message ? ` ${message}` : ''}`, reason);
}

/** The headers that authenticate a request (none for an emulator). */
export async function authHeaders(ctx: GcsContext): Promise<Record<string, string>> {
  if (!ctx.auth) return {};
  const headers = await ctx.storage.authClient.getRequestHeaders();
  return { ...(headers as Record<string, string>) };
}

/** The JSON API URL of object `key` in the context's bucket. */
export function objectUrl(ctx: GcsContext, key: string): string {
  return `${ctx.apiBase}/storage/v1/b/${encodeURIComponent(ctx.bucket.name)}/o/${encodeURIComponent(key)}`;
}

/** A fetch with the SDK's credentials added. */
export async function gcsFetch(
  ctx: GcsContext,
  url: string,
  init: RequestInit & { headers?: Record<string, string> },
): Promise<Response> {
  return fetch(url, { ...init, headers: { ...(await authHeaders(ctx)), ...init.headers } });
}

/** Whether a failure of a request is worth another attempt: 408/429/5xx and lost connections. */
export function isRetryable(err: unknown): boolean {
  if (isAbortError(err)) return false;
  if (err instanceof GcsHttpError) return err.code === 408 || err.code === 429 || err.code >= 500;
  return isNetworkError(err) || (err instanceof TypeError && err.message === 'fetch failed');
}

/** The shared retry loop (`@trove/object-store`'s `withRetries`) with GCS's retryable errors. */
export function withRetries<T>(
  maxAttempts: number,
  attempt: (n: number) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  return retrying(maxAttempts, isRetryable, attempt, signal);
}

/** `?a=b&…` for defined values. */
export function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) search.set(name, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
