/**
 * `startUi`: the web app's server, node:http on 127.0.0.1 unless a host is given, read-only over
 * one opened store. It answers only the address it serves (API.md's rules) and closes when
 * `close()` is called or `signal` aborts.
 */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { prepareMetricSeries, type Store, TroveError } from '@trove/core';
import { requestHandler } from './handle-request.js';

export interface UiOptions {
  /** An opened store (`openStore`); the caller closes it. */
  store: Store;
  /** Default 127.0.0.1. Anything else is reachable from other machines: the CLI warns. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Aborting it closes the server. */
  signal?: AbortSignal;
  /** Where the built web app is (default: the package's `dist/web/`). */
  appDir?: string;
}

export interface UiServer {
  /** `http://127.0.0.1:<port>/` */
  url: string;
  /**
   * Settles when the metric summaries the charts are drawn from are made: in the background,
   * after the first answer and between requests, so that the first compare view is quick and no
   * page waits for it. Never rejects: a store that cannot be read shows it in the answers.
   */
  prepared: Promise<void>;
  close(): Promise<void>;
}

const DEFAULT_HOST = '127.0.0.1';

const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  }
).version;

/**
 * Serves the app over `store` until closed.
 *
 * @example
 * const ui = await startUi({ store: await openStore() });
 * console.log(ui.url);
 */
export async function startUi(options: UiOptions): Promise<UiServer> {
  const { store, host = DEFAULT_HOST, port = 0, signal } = options;
  if (!(Number.isSafeInteger(port) && port >= 0 && port <= 65535)) {
    throw new TroveError('INVALID_ARGUMENT', `The port must be 0–65535, not ${port}.`);
  }
  if (typeof host !== 'string' || host === '' || /[\s/@]/.test(host)) {
    throw new TroveError('INVALID_ARGUMENT', `Not a host to listen on: ${JSON.stringify(host)}.`);
  }
  let hosts: ReadonlySet<string> = new Set();
  const quiet = quietTracker();
  const server = createServer(
    requestHandler({
      store,
      hosts: () => hosts,
      version: VERSION,
      busy: quiet.busy,
      ...(options.appDir ? { appDir: options.appDir } : {}),
    }),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new TroveError(
          err.code === 'EADDRINUSE' ? 'CONFLICT' : 'INVALID_ARGUMENT',
          `Cannot listen on ${host}:${port}: ${err.code ?? err.message}.`,
          { cause: err, ...(err.code === 'EADDRINUSE' ? { hint: 'Choose another --port.' } : {}) },
        ),
      ),
    );
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  hosts = new Set(servedNames(host).map((h) => `${h}:${bound}`.toLowerCase()));
  const stopPreparing = new AbortController();
  // After the first answer (the page is up), between requests: never in a page's way.
  const prepared = quiet
    .firstDone()
    .then(() =>
      stopPreparing.signal.aborted
        ? undefined
        : prepareMetricSeries(store, { signal: stopPreparing.signal, before: quiet.idle }),
    )
    .catch(() => {
      // the same read fails again, and is answered as JSON, when a chart asks
    });
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      stopPreparing.abort();
      quiet.release();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      // the caller closes the store next: the warm-up stops first
      await prepared;
    })();
    return closing;
  };
  if (signal) {
    if (signal.aborted) await close();
    else signal.addEventListener('abort', () => void close(), { once: true });
  }
  return { url: `http://${shown}:${bound}/`, prepared, close };
}

/** Requests in flight: when the first is done, and when none is. */
function quietTracker() {
  let inFlight = 0;
  let done = false;
  let waiting: Array<() => void> = [];
  let first!: () => void;
  const firstDone = new Promise<void>((resolve) => {
    first = resolve;
  });
  const wake = () => {
    for (const resolve of waiting) resolve();
    waiting = [];
  };
  return {
    busy(delta: 1 | -1) {
      inFlight += delta;
      if (delta < 0 && !done) {
        done = true;
        first();
      }
      if (inFlight === 0) wake();
    },
    firstDone: () => firstDone,
    idle: () =>
      inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiting.push(resolve)),
    /** Lets everything waiting go (the server is closing). */
    release() {
      first();
      inFlight = 0;
      wake();
    },
  };
}

/**
 * The names a browser may reach the server by: the host itself, `localhost` on loopback, and on
 * a wildcard bind (0.0.0.0, ::) this machine's name and interface addresses. Any other name
 * (a page's own domain resolved to this address: DNS rebinding) is refused.
 */
function servedNames(host: string): string[] {
  const bracket = (h: string) => (h.includes(':') ? `[${h}]` : h);
  if (host === '0.0.0.0' || host === '::') {
    const addresses = Object.values(networkInterfaces()).flatMap((list) =>
      (list ?? []).map((i) => bracket(i.address)),
    );
    return [bracket(host), hostname(), 'localhost', ...addresses];
  }
  const loopback = host === '127.0.0.1' || host === 'localhost' || host === '::1';
  return [bracket(host), ...(loopback ? ['localhost', '127.0.0.1', '[::1]'] : [])];
}
