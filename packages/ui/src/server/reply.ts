/**
 * Answers: JSON bodies, errors as `{ error: { code, message, hint?, position? } }` with the
 * TroveError's code and an HTTP status by code, and the headers every answer carries. No stack
 * trace ever leaves the server: an error that is not a TroveError is answered as INTERNAL.
 */
import type { ServerResponse } from 'node:http';
import { isTroveError } from '@trove/core';

/** The headers of every answer (API.md, "Rules every route keeps"). */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** Sends `value` as JSON (no body for HEAD). */
export function sendJson(res: ServerResponse, value: unknown, status = 200): void {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': body.length,
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

interface ErrorBody {
  error: { code: string; message: string; hint?: string; position?: number };
}

/** The JSON and HTTP status an error is answered with. */
function errorReply(err: unknown): { status: number; body: ErrorBody } {
  if (!isTroveError(err)) {
    return {
      status: 500,
      body: { error: { code: 'INTERNAL', message: 'The server met an unexpected error.' } },
    };
  }
  const { code, message, hint } = err;
  // a bad filter or order-by says where (core's FilterError: the 1-based column)
  const position = (err as { column?: unknown }).column;
  return {
    status: statusOf(code),
    body: {
      error: {
        code,
        message,
        ...(hint ? { hint } : {}),
        ...(typeof position === 'number' ? { position } : {}),
      },
    },
  };
}

function statusOf(code: string): number {
  if (code === 'NOT_FOUND') return 404;
  // a run id prefix that names several runs is the asker's to make longer
  if (code.startsWith('INVALID_') || code === 'AMBIGUOUS') return 400;
  if (code === 'UNAVAILABLE') return 503;
  if (code === 'PERMISSION_DENIED') return 403;
  return 500;
}

/** Answers an error, or ends an answer already under way (its headers are sent). */
export function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const { status, body } = errorReply(err);
  sendJson(res, body, status);
}
