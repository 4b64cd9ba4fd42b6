/**
 * The app's only way to the server: GET /api/… as JSON. Every failure becomes an ApiError with
 * the server's TroveError code (or UNAVAILABLE when the server cannot be reached), so pages show
 * the code and message and never a stack.
 */
import type { ApiErrorBody } from './types.js';

export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly hint: string | undefined;
  readonly position: number | undefined;

  constructor(status: number, body: ApiErrorBody) {
    super(body.message);
    this.name = 'ApiError';
    this.status = status;
    this.code = body.code;
    this.hint = body.hint;
    this.position = body.position;
  }
}

type Query = Record<string, string | number | undefined | null>;

/** `/api/<path>?<query>` with empty values left out. */
export function apiUrl(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  }
  const qs = params.toString();
  return `/api/${path}${qs ? `?${qs}` : ''}`;
}

/** The URL of a run's file, for <img> and download links. */
export function fileUrl(run: string, path: string, download = false): string {
  return apiUrl(`runs/${encodeURIComponent(run)}/file`, { path, download: download ? 1 : '' });
}

/** Requests started before the app rendered, taken by the first request for the same URL. */
const early = new Map<string, Promise<Response>>();

/**
 * Starts a request the page is about to make, before the app has rendered (the page asks for it
 * only after its first paint): the answer is on its way while the script runs.
 */
export function prefetch(path: string, query?: Query): void {
  const url = apiUrl(path, query);
  const pending = fetch(url);
  pending.catch(() => {}); // the request that takes it sees the failure
  early.set(url, pending);
}

async function request(
  path: string,
  query: Query | undefined,
  signal?: AbortSignal,
): Promise<Response> {
  let res: Response;
  const url = apiUrl(path, query);
  const pending = early.get(url);
  early.delete(url);
  try {
    res = await (pending ?? fetch(url, { signal: signal ?? null }));
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError(0, {
      code: 'UNAVAILABLE',
      message: 'the trove ui server cannot be reached',
      hint: 'is `trove ui` still running?',
    });
  }
  if (res.ok) return res;
  const text = await res.text();
  let error: ApiErrorBody | undefined;
  try {
    error = (JSON.parse(text) as { error?: ApiErrorBody }).error;
  } catch {
    // not JSON: a proxy's page or a cut answer; the status is all there is
  }
  throw new ApiError(res.status, error ?? { code: 'UNAVAILABLE', message: `HTTP ${res.status}` });
}

export async function getJson<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
  const res = await request(path, query, signal);
  try {
    return (await res.json()) as T;
  } catch {
    if (signal?.aborted) throw new DOMException('aborted', 'AbortError');
    throw new ApiError(res.status, {
      code: 'CORRUPT',
      message: `the server's answer to /api/${path} is not JSON`,
    });
  }
}

/** A binary answer (the metrics' `format=f32`), as bytes. */
export async function getBinary(
  path: string,
  query?: Query,
  signal?: AbortSignal,
): Promise<ArrayBuffer> {
  return (await request(path, query, signal)).arrayBuffer();
}

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}
