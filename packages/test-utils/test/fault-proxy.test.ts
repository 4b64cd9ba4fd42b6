import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from '../src/fault-proxy.js';

// The proxy's upstream here is a plain Node HTTP server that records every request it handled
// completely (its method, path, body md5 and raw headers): that record is how a test tells
// "the server acted" from "the server never saw the request".

interface Handled {
  method: string;
  url: string;
  md5: string;
  rawHeaders: string[];
}

const BIG = randomBytes(256 * 1024);
let upstream: Server;
let upstreamUrl: string;
const handled: Handled[] = [];
const proxies: FaultProxy[] = [];

beforeAll(async () => {
  upstream = createServer((req, res) => {
    const hash = createHash('md5');
    req.on('data', (c: Buffer) => hash.update(c));
    req.on('end', () => {
      const md5 = hash.digest('hex');
      handled.push({
        method: req.method ?? '',
        url: req.url ?? '',
        md5,
        rawHeaders: req.rawHeaders,
      });
      if (req.url === '/big') {
        res.writeHead(200, { 'content-length': BIG.length });
        res.end(BIG);
        return;
      }
      if (req.url === '/session') {
        res.writeHead(200, { location: `${upstreamUrl}/upload?id=1`, 'content-length': 0 });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain', 'X-Echo-Md5': md5 });
      res.end(`${req.method} ${req.url} ${md5}`);
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
});

afterEach(async () => {
  await Promise.all(proxies.splice(0).map((p) => p.stop()));
  handled.length = 0;
});

afterAll(async () => {
  upstream.closeAllConnections();
  await new Promise<void>((r) => upstream.close(() => r()));
});

async function proxy(options: Omit<Parameters<typeof startFaultProxy>[0], 'upstream'>) {
  const p = await startFaultProxy({ upstream: upstreamUrl, ...options });
  proxies.push(p);
  return p;
}

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  rawHeaders: string[];
  body: Buffer;
}

/** One request; rejects with the socket error's code (`ECONNRESET`) or the stream's (`aborted`). */
function send(
  url: string,
  options: { method?: string; body?: Buffer; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    // What arrived before an error rides on it as `received`.
    const chunks: Buffer[] = [];
    const fail = (err: Error & { code?: string }) =>
      reject(Object.assign(err, { received: Buffer.concat(chunks) }));
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers });
    req.on('error', fail);
    req.on('response', (res) => {
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', fail);
      res.on('aborted', () => fail(Object.assign(new Error('aborted'), { code: 'aborted' })));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          rawHeaders: res.rawHeaders,
          body: Buffer.concat(chunks),
        }),
      );
    });
    req.end(options.body);
  });
}

async function outcome(url: string): Promise<string> {
  try {
    const a = await send(url, { method: 'PUT', body: Buffer.from('x'.repeat(100)) });
    return String(a.status);
  } catch (err) {
    return (err as { code?: string }).code ?? 'error';
  }
}

describe('fault proxy', () => {
  it('forwards requests and answers unchanged when no fault is set', async () => {
    const p = await proxy({ seed: 1 });
    const body = randomBytes(100_000);
    const a = await send(`${p.url}/put/a?x=1`, {
      method: 'PUT',
      body,
      headers: { 'X-Amz-Thing': 'kept', 'Content-Length': String(body.length) },
    });
    expect(a.status).toBe(200);
    const md5 = createHash('md5').update(body).digest('hex');
    expect(a.body.toString()).toBe(`PUT /put/a?x=1 ${md5}`);
    expect(a.rawHeaders).toContain('X-Echo-Md5');
    expect(handled).toHaveLength(1);
    // Header names reach the server as the client wrote them (signatures depend on them).
    expect(handled[0]?.rawHeaders).toContain('X-Amz-Thing');
    const big = await send(`${p.url}/big`);
    expect(big.body.equals(BIG)).toBe(true);
    expect(p.counts()).toMatchObject({ requests: 2, forwarded: 2, resetMidRequest: 0 });
  });

  it('resets mid-request: the client gets ECONNRESET and the server never handled it', async () => {
    const p = await proxy({ seed: 2, faults: { resetMidRequest: 1 } });
    await expect(send(`${p.url}/a`, { method: 'PUT', body: BIG })).rejects.toMatchObject({
      code: 'ECONNRESET',
    });
    await expect(send(`${p.url}/b`)).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(handled).toEqual([]);
    expect(p.counts()).toMatchObject({ requests: 2, resetMidRequest: 2, forwarded: 0 });
  });

  it('resets mid-answer: the server handled the request, the client gets an error', async () => {
    const p = await proxy({ seed: 3, faults: { resetMidAnswer: 1 } });
    const codes: string[] = [];
    for (let i = 0; i < 12; i++) {
      codes.push(
        await send(`${p.url}/big`).then(
          () => 'ok',
          (err: { code?: string }) => err.code ?? 'error',
        ),
      );
    }
    expect(codes.every((c) => c === 'ECONNRESET' || c === 'aborted')).toBe(true);
    expect(handled).toHaveLength(12);
    const counts = p.counts();
    expect(counts).toMatchObject({ requests: 12, forwarded: 12, resetMidAnswer: 12 });
    // Both kinds of cut happen: before the answer, and inside its body.
    expect(counts.resetMidBody).toBeGreaterThan(0);
    expect(counts.resetMidBody).toBeLessThan(12);
  });

  it('a cut inside the body delivers a strict prefix of it', async () => {
    const p = await proxy({ seed: 4, faults: { resetMidAnswer: 1 } });
    let prefixes = 0;
    for (let i = 0; i < 10; i++) {
      try {
        await send(`${p.url}/big`);
      } catch (err) {
        const got = (err as { received?: Buffer }).received;
        if (got && got.length > 0) {
          prefixes++;
          expect(got.length).toBeLessThan(BIG.length);
          expect(got.equals(BIG.subarray(0, got.length))).toBe(true);
        }
      }
    }
    expect(prefixes).toBeGreaterThan(0);
  });

  it('answers 503 without forwarding', async () => {
    const p = await proxy({ seed: 5, faults: { status503: 1 } });
    const a = await send(`${p.url}/x`, { method: 'POST', body: Buffer.from('hello') });
    expect(a.status).toBe(503);
    expect(handled).toEqual([]);
    expect(p.counts()).toMatchObject({ requests: 1, status503: 1, forwarded: 0 });
  });

  it('delays and then forwards', async () => {
    const p = await proxy({ seed: 6, faults: { delay: 1, delayMs: 20 } });
    const a = await send(`${p.url}/slow`);
    expect(a.status).toBe(200);
    expect(p.counts()).toMatchObject({ delayed: 1, forwarded: 1 });
  });

  it('draws the same faults for the same seed, other faults for another seed', async () => {
    const faults = { status503: 0.2, resetMidRequest: 0.2, resetMidAnswer: 0.2 };
    const sequence = async (seed: number) => {
      const p = await proxy({ seed, faults });
      const out: string[] = [];
      for (let i = 0; i < 40; i++) out.push(await outcome(`${p.url}/r${i}`));
      return { out, counts: p.counts() };
    };
    const first = await sequence(42);
    const again = await sequence(42);
    const other = await sequence(43);
    expect(again.out).toEqual(first.out);
    expect(again.counts).toEqual(first.counts);
    expect(other.out).not.toEqual(first.out);
    expect(first.counts.requests).toBe(40);
    const faulted =
      first.counts.status503 + first.counts.resetMidRequest + first.counts.resetMidAnswer;
    expect(first.out.filter((o) => o !== '200')).toHaveLength(faulted);
    expect(faulted).toBeGreaterThan(0);
  });

  it('faults only the requests `match` selects, and rates change with setFaults', async () => {
    const p = await proxy({
      seed: 7,
      faults: { resetMidRequest: 1 },
      match: ({ method }) => method === 'PUT',
    });
    expect((await send(`${p.url}/get`)).status).toBe(200);
    expect(await outcome(`${p.url}/put`)).toBe('ECONNRESET');
    p.setFaults({});
    expect(await outcome(`${p.url}/put`)).toBe('200');
    p.setFaults({ resetMidRequest: 1, match: ({ url }) => url.includes('broken') });
    expect(await outcome(`${p.url}/put`)).toBe('200');
    expect(await outcome(`${p.url}/broken`)).toBe('ECONNRESET');
    expect(p.counts()).toMatchObject({ requests: 5, resetMidRequest: 2, forwarded: 3 });
  });

  it('keeps the client on the proxy when an answer names the server (session URLs)', async () => {
    const p = await proxy({ seed: 8 });
    const a = await send(`${p.url}/session`, { method: 'POST' });
    expect(a.headers.location).toBe(`${p.url}/upload?id=1`);
  });

  it('refuses an upstream that is not on loopback', async () => {
    await expect(startFaultProxy({ upstream: 'http://example.com:80', seed: 1 })).rejects.toThrow(
      /loopback only/,
    );
    await expect(startFaultProxy({ upstream: 'https://127.0.0.1:1', seed: 1 })).rejects.toThrow(
      /loopback only/,
    );
  });
});
