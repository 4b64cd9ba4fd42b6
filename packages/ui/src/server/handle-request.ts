/**
 * Every request, in order: the `Host` check (DNS rebinding: a page of another origin that
 * resolves its name to 127.0.0.1 is refused before anything is read), GET/HEAD only, every path
 * and id checked, then the route. Errors are JSON with the TroveError's code, never a trace.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Store, TroveError } from '@trove/core';
import { checkAllPaths, checkPath } from './params.js';
import { SECURITY_HEADERS, sendError, sendJson } from './reply.js';
import { ROUTES, STREAMED } from './routes.js';
import { sendAppFile } from './static-app.js';

export interface HandlerOptions {
  store: Store;
  /** The `Host` values accepted (`127.0.0.1:8080`, `localhost:8080`). */
  hosts: () => ReadonlySet<string>;
  version: string;
  appDir?: string;
  /** Told when a request starts and when its answer is done. */
  busy?: (delta: 1 | -1) => void;
}

export function requestHandler(options: HandlerOptions) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    options.busy?.(1);
    res.once('close', () => options.busy?.(-1));
    handle(options, req, res).catch((err: unknown) => sendError(res, err));
  };
}

async function handle(options: HandlerOptions, req: IncomingMessage, res: ServerResponse) {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  if (!options.hosts().has((req.headers.host ?? '').toLowerCase())) {
    throw new TroveError(
      'PERMISSION_DENIED',
      `This server does not answer for host ${JSON.stringify(req.headers.host ?? '')}.`,
      {
        hint: 'Open the address trove ui printed.',
      },
    );
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    sendJson(
      res,
      {
        error: { code: 'METHOD_NOT_ALLOWED', message: 'trove ui is read-only: GET and HEAD only.' },
      },
      405,
    );
    return;
  }
  const raw = req.url ?? '/';
  const rawPath = raw.split('?')[0] ?? '/';
  // before URL parsing, which would quietly resolve `..` and `%2e%2e` away
  const segments = rawPath.split('/').slice(1).map(decodeSegment);
  const url = new URL(raw, 'http://trove.invalid');
  if (segments[0] !== 'api') {
    for (const s of segments) if (s !== '') checkPath(s, 'path segment');
    sendAppFile(res, url.pathname, options.appDir);
    return;
  }
  res.setHeader('Cache-Control', 'no-store');
  checkAllPaths(url, segments.slice(1));
  const rest = segments.slice(1).join('/');
  for (const [pattern, handler] of ROUTES) {
    const m = pattern.exec(rest);
    if (!m) continue;
    const result = await handler({
      store: options.store,
      url,
      args: m.slice(1),
      req,
      res,
      version: options.version,
    });
    if (result !== STREAMED) sendJson(res, result);
    return;
  }
  throw new TroveError('NOT_FOUND', `No API route /api/${rest}.`);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new TroveError('INVALID_PATH', `A path segment is not valid URL encoding: ${segment}`);
  }
}
