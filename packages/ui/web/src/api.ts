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

export async function getJson<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
  let res: Response;
  try {
    res = await fetch(apiUrl(path, query), { signal: signal ?? null });
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new ApiError(0, {
      code: 'UNAVAILABLE',
      message: 'the trove ui server cannot be reached',
      hint: 'is `trove ui` still running?',
    });
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    throw new ApiError(res.status, {
      code: res.ok ? 'CORRUPT' : 'UNAVAILABLE',
      message: `the server answered ${res.status} with something that is not JSON`,
    });
  }
  if (!res.ok) {
    const error = (body as { error?: ApiErrorBody } | null)?.error;
    throw new ApiError(res.status, error ?? { code: 'UNAVAILABLE', message: `HTTP ${res.status}` });
  }
  return body as T;
}

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}
