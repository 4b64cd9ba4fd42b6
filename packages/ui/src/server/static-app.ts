/**
 * The browser app's files (`dist/web/`, built by Vite and shipped in the package): `index.html`
 * for every route the app knows, its assets by name, streamed from disk.
 */
import { createReadStream, statSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TroveError } from '@trove/core';
import { checkPath } from './params.js';

/** `dist/web/` beside this file's `dist/server/`. */
const APP_DIR = fileURLToPath(new URL('../web/', import.meta.url));

const APP_ROUTES = [
  /^\/$/,
  /^\/runs$/,
  /^\/compare$/,
  /^\/run\/[^/]+$/,
  /^\/lineage$/,
  /^\/models$/,
  /^\/models\/[^/]+$/,
];

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** Sends the app file for `pathname`, or throws NOT_FOUND. */
export function sendAppFile(res: ServerResponse, pathname: string, appDir = APP_DIR): void {
  const isRoute = APP_ROUTES.some((r) => r.test(pathname));
  const rel = isRoute ? 'index.html' : checkPath(pathname.slice(1), 'file');
  const file = join(appDir, rel);
  const stat = statSync(file, { throwIfNoEntry: false });
  if (!stat?.isFile()) {
    throw new TroveError(
      'NOT_FOUND',
      isRoute ? 'The web app is not built.' : `No file ${pathname} in the web app.`,
      isRoute ? { hint: 'Build it: pnpm -F @trove/ui build.' } : {},
    );
  }
  res.writeHead(200, {
    'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Length': stat.size,
    // Vite names assets by content: they never change under one name
    'Cache-Control': rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-store',
  });
  if (res.req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file).pipe(res);
}
