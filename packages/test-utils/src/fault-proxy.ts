import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { seededRandom } from './seeded-random.js';

// A proxy on 127.0.0.1 that sits between a client (trove, an SDK) and an emulator and breaks
// some of the requests the way a network does: it resets the connection while the request is
// being sent (the server never acts), resets it after the server answered (the server acted,
// the client never learns it), answers 503, or delays. Requests are HTTP/1.1: the proxy needs
// their boundaries to fault one request of a keep-alive connection, so Node's own parser reads
// them and the proxy forwards each one as it came (raw header names and order kept, so signed
// requests stay valid). Faults are drawn from a seeded generator, three draws a request, so the
// same seed and the same order of requests give the same faults. It only ever talks to loopback.

/** Probabilities per request (0…1), drawn in this order: 503, reset mid-request, reset mid-answer. */
export interface FaultRates {
  /** Answer `503 Service Unavailable` without forwarding. */
  status503?: number;
  /** Forward a part of the request (none of a body-less one), then reset: the server never acts. */
  resetMidRequest?: number;
  /**
   * Forward the whole request, wait for the answer, then reset the connection before the
   * answer or after a part of its body: the server acted, the client does not know.
   */
  resetMidAnswer?: number;
  /** Probability that a request waits `delayMs` before anything else happens to it. */
  delay?: number;
  /** How long a delayed request waits (default 100 ms). */
  delayMs?: number;
  /** Which requests these rates apply to (default: the proxy's `match`, else all). */
  match?: (request: ProxiedRequest) => boolean;
}

/** What a `match` sees of a request: its method, its path and query, its headers. */
export interface ProxiedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

/** What the proxy did, by kind. */
export interface FaultCounts {
  /** Requests received. */
  requests: number;
  /** Requests forwarded whole to the upstream (mid-answer resets included). */
  forwarded: number;
  status503: number;
  resetMidRequest: number;
  resetMidAnswer: number;
  /** Mid-answer resets that came after some bytes of the answer's body. */
  resetMidBody: number;
  delayed: number;
  /** Requests the upstream failed (the client's connection is reset then too). */
  upstreamErrors: number;
}

export interface FaultProxyOptions {
  /** The emulator, `http://127.0.0.1:<port>` (loopback only). */
  upstream: string;
  /** Seeds the fault draws. */
  seed: number;
  /** Fault rates at start (default none: a plain proxy until `setFaults`). */
  faults?: FaultRates;
  /** Which requests may be faulted (default all); the others are always forwarded. */
  match?: (request: ProxiedRequest) => boolean;
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: give this to the client instead of the upstream's URL. */
  readonly url: string;
  readonly port: number;
  /** A copy of the counters. */
  counts(): FaultCounts;
  /** Body bytes forwarded unfaulted so far, both ways. */
  bodyBytes(): number;
  /** Changes the rates from the next request on. */
  setFaults(faults: FaultRates): void;
  stop(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
/** Request headers that belong to one hop, not to the request: never forwarded. */
const HOP_REQUEST = new Set(['connection', 'keep-alive', 'expect', 'proxy-connection', 'upgrade']);
/** Answer headers the proxy's own server sets for its hop. */
const HOP_ANSWER = new Set(['connection', 'keep-alive', 'transfer-encoding']);

/**
 * Starts a fault proxy on a free port of 127.0.0.1 in front of `upstream`.
 *
 * @example
 * const proxy = await startFaultProxy({ upstream: moto.url, seed: 7 });
 * proxy.setFaults({ resetMidRequest: 0.05, resetMidAnswer: 0.05 });
 * // … point the S3 client at proxy.url …
 * console.log(proxy.counts());
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const upstream = new URL(options.upstream);
  if (upstream.protocol !== 'http:' || !LOOPBACK.has(upstream.hostname)) {
    throw new Error(`The fault proxy forwards to http on loopback only, not ${options.upstream}.`);
  }
  const random = seededRandom(options.seed);
  let faults: FaultRates = { ...options.faults };
  const counts: FaultCounts = {
    requests: 0,
    forwarded: 0,
    status503: 0,
    resetMidRequest: 0,
    resetMidAnswer: 0,
    resetMidBody: 0,
    delayed: 0,
    upstreamErrors: 0,
  };
  /** Body bytes forwarded unfaulted, both ways (requests to upstream, answers to the client). */
  let bodyBytes = 0;
  // One connection per forwarded request: moto closes every connection after its answer, and a
  // reused socket the upstream closed would be a fault the proxy did not choose.
  const agent = new Agent({ keepAlive: false });
  let own = '';

  const forward = (req: IncomingMessage) =>
    request({
      host: upstream.hostname,
      port: upstream.port,
      method: req.method,
      path: req.url,
      agent,
      headers: keepHeaders(req.rawHeaders, HOP_REQUEST),
    });

  const passAnswer = (upRes: IncomingMessage, res: ServerResponse) => {
    const headers = keepHeaders(upRes.rawHeaders, HOP_ANSWER).map((v, i) =>
      // A session URL (GCS resumable uploads) names the server: keep the client on the proxy.
      i % 2 === 1 ? v.split(upstream.host).join(own) : v,
    );
    res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, headers);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    counts.requests++;
    // A reset connection errors its streams; that is the point, not a failure of the proxy.
    req.on('error', () => {});
    res.on('error', () => {});
    const [kindDraw, delayDraw, cutDraw] = [random(), random(), random()];
    const match = faults.match ?? options.match;
    const eligible =
      match?.({ method: req.method ?? '', url: req.url ?? '', headers: req.headers }) ?? true;
    const kind = eligible ? pickKind(faults, kindDraw) : 'none';
    const act = () => {
      if (kind === 'status503') return answer503(req, res, counts);
      if (kind === 'resetMidRequest') return resetMidRequest(req, forward(req), cutDraw, counts);
      const upReq = forward(req);
      upReq.on('error', () => {
        counts.upstreamErrors++;
        reset(req.socket);
      });
      upReq.on('response', (upRes) => {
        counts.forwarded++;
        upRes.on('error', () => reset(req.socket));
        if (kind === 'resetMidAnswer')
          return resetMidAnswer(upRes, res, cutDraw, counts, passAnswer);
        passAnswer(upRes, res);
        upRes.pipe(res);
        upRes.on('data', (chunk: Buffer) => {
          bodyBytes += chunk.length;
        });
      });
      req.pipe(upReq);
      req.on('data', (chunk: Buffer) => {
        bodyBytes += chunk.length;
      });
    };
    if (eligible && delayDraw < (faults.delay ?? 0)) {
      counts.delayed++;
      setTimeout(act, faults.delayMs ?? 100);
    } else act();
  };

  const server = createServer({ keepAliveTimeout: 5_000 }, handle);
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  own = `127.0.0.1:${port}`;
  return {
    url: `http://${own}`,
    port,
    counts: () => ({ ...counts }),
    bodyBytes: () => bodyBytes,
    setFaults: (next) => {
      faults = { ...next };
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}

type Kind = 'none' | 'status503' | 'resetMidRequest' | 'resetMidAnswer';

function pickKind(faults: FaultRates, draw: number): Kind {
  let edge = 0;
  for (const kind of ['status503', 'resetMidRequest', 'resetMidAnswer'] as const) {
    edge += faults[kind] ?? 0;
    if (draw < edge) return kind;
  }
  return 'none';
}

/** Raw headers (`[name, value, …]`) without the hop-by-hop ones. */
function keepHeaders(raw: string[], drop: Set<string>): string[] {
  const kept: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as string;
    if (!drop.has(name.toLowerCase())) kept.push(name, raw[i + 1] as string);
  }
  return kept;
}

/** A TCP reset (RST), not a clean close: what the client sees as ECONNRESET. */
function reset(socket: Socket): void {
  if (!socket.destroyed) socket.resetAndDestroy();
}

function answer503(req: IncomingMessage, res: ServerResponse, counts: FaultCounts): void {
  counts.status503++;
  req.resume();
  req.on('end', () => {
    res.writeHead(503, { 'content-type': 'text/plain', 'retry-after': '0' });
    res.end('Service Unavailable (fault proxy)\n');
  });
}

/** Sends the upstream a part of the body (`cut` of its declared length), then resets both ends. */
function resetMidRequest(
  req: IncomingMessage,
  upReq: ReturnType<typeof request>,
  cut: number,
  counts: FaultCounts,
): void {
  counts.resetMidRequest++;
  upReq.on('error', () => {});
  const length = Number(req.headers['content-length'] ?? 0);
  let left = Math.floor(cut * length);
  const stop = () => {
    upReq.destroy();
    reset(req.socket);
  };
  if (left === 0) {
    stop();
    return;
  }
  req.on('data', (chunk: Buffer) => {
    if (left <= 0) return;
    const part = chunk.subarray(0, left);
    left -= part.length;
    upReq.write(part);
    if (left <= 0) stop();
  });
}

/**
 * The upstream answered (it acted): reset before any byte of the answer, or, for half of the
 * draws of an answer with a body, after the head and a part of the body.
 */
function resetMidAnswer(
  upRes: IncomingMessage,
  res: ServerResponse,
  cut: number,
  counts: FaultCounts,
  passAnswer: (upRes: IncomingMessage, res: ServerResponse) => void,
): void {
  counts.resetMidAnswer++;
  const length = Number(upRes.headers['content-length'] ?? Number.NaN);
  const socket = res.socket as Socket;
  if (cut < 0.5 || !(length > 1)) {
    upRes.resume();
    upRes.on('end', () => reset(socket));
    return;
  }
  counts.resetMidBody++;
  passAnswer(upRes, res);
  let left = Math.max(1, Math.floor((cut - 0.5) * 2 * length));
  upRes.on('data', (chunk: Buffer) => {
    if (left <= 0) return;
    const part = chunk.subarray(0, left);
    left -= part.length;
    if (left > 0) return void res.write(part);
    res.write(part, () => {
      upRes.destroy();
      // Let loopback deliver the part before the reset discards what is still queued.
      setTimeout(() => reset(socket), 5);
    });
  });
  upRes.on('end', () => {
    if (left > 0) reset(socket);
  });
}
