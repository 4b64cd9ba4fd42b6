/**
 * Moving objects at the service's limit. `sync` between two stores of one service at one endpoint copies objects on the server (S3
 * CopyObject/UploadPartCopy, GCS rewrite, Azure Copy From URL): both stores reach the service
 * through one counting proxy, and the bodies that pass it during the sync are a small fraction
 * of the objects' bytes (listings and records only). A store of the same service at another
 * endpoint is no copy origin: `copyFrom` answers `undefined` and the sync streams, md5-checked.
 * A large object is checked out in parallel ranges (`RANGE_PART`), counted as GETs at the proxy.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkout, Store, type SyncSummary, sync } from '@trove/core';
import type { StorageBackend } from '@trove/core/backend';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { md5Hex, randomBytes, readBytes } from '../helpers.js';
import type { FaultRates } from './faults.js';

const KIB = 1024;
/** Sizes of the objects synced: small, mid, and one above every backend's one-request size. */
const SIZES = [10 * KIB, 300 * KIB, 9 * KIB * KIB];
/**
 * Share of the objects' bytes the sync itself may move through the proxy: the listings of 256
 * prefixes on both sides, the store id and marks (~150 KiB on moto). Streaming moves them twice.
 */
const OVERHEAD_SHARE = 1 / 20;

export interface TransferTarget {
  /** Two buckets (or containers) of one service. */
  containers: readonly [string, string];
  /** The service's endpoint, and a counting proxy in front of it. */
  direct: string;
  proxy: {
    url: string;
    bodyBytes(): number;
    /** Used only to watch requests (a `match` that faults none). */
    setFaults(rates: FaultRates): void;
    stop(): Promise<void>;
  };
  /** A backend on `container` reached at `endpoint` (`direct` or the proxy's URL). */
  backend(endpoint: string, container: string): StorageBackend;
}

export interface TransferOptions {
  setup(): Promise<TransferTarget>;
}

/** Writes `SIZES` random objects into a store's content area; their md5s and total size. */
async function seed(store: Store): Promise<{ md5s: string[]; bytes: number }> {
  const md5s: string[] = [];
  for (const size of SIZES) {
    const bytes = randomBytes(size);
    const md5 = md5Hex(bytes);
    await store.objects.backend.write(store.objects.key(md5), bytes, { md5 });
    md5s.push(md5);
  }
  return { md5s, bytes: SIZES.reduce((a, b) => a + b, 0) };
}

async function expectHeld(store: Store, md5s: readonly string[]): Promise<void> {
  for (const md5 of md5s) {
    expect(md5Hex(await readBytes(store.objects.backend, store.objects.key(md5)))).toBe(md5);
  }
}

/**
 * The server-side copy scenarios on one service. `name` says which emulator, and what it lacks.
 *
 * @example
 * describeTransfers('s3 (moto)', { async setup() { … return { containers, direct, proxy, backend }; } });
 */
export function describeTransfers(name: string, options: TransferOptions): void {
  describe(`transfers on ${name}`, () => {
    let t: {
      source: StorageBackend;
      target: StorageBackend;
      /** The target's service at another endpoint (the emulator without the proxy). */
      elsewhere: StorageBackend;
      bodyBytes(): number;
      watch(match: FaultRates['match']): void;
      stop(): Promise<void>;
    };
    beforeAll(async () => {
      const { containers, direct, proxy, backend } = await options.setup();
      t = {
        source: backend(proxy.url, containers[0]),
        target: backend(proxy.url, containers[1]),
        elsewhere: backend(direct, containers[0]),
        bodyBytes: () => proxy.bodyBytes(),
        watch: (match) => proxy.setFaults(match ? { match } : {}),
        stop: () => proxy.stop(),
      };
    });
    afterAll(async () => {
      await t?.stop();
    });

    it('a sync between two stores copies the objects on the server: their bytes never pass through trove', async () => {
      const prefix = `server-copy-${md5Hex(randomBytes(8)).slice(0, 10)}`;
      const from = new Store({ name: 'a', meta: t.source, metaPrefix: prefix });
      const to = new Store({ name: 'b', meta: t.target, metaPrefix: prefix });
      const { md5s, bytes } = await seed(from);
      const before = t.bodyBytes();
      const summary: SyncSummary = await sync(from, to);
      const moved = t.bodyBytes() - before;
      expect(summary.objects).toBe(SIZES.length);
      expect(summary.bytes).toBe(bytes);
      expect(moved).toBeLessThan(bytes * OVERHEAD_SHARE);
      await expectHeld(to, md5s);
      // Create-only: a second sync finds them there and copies nothing.
      expect((await sync(from, to)).objects).toBe(0);
    });

    it('a store at another endpoint is no copy origin: the bytes stream, md5-checked', async () => {
      const prefix = `stream-copy-${md5Hex(randomBytes(8)).slice(0, 10)}`;
      const from = new Store({ name: 'c', meta: t.elsewhere, metaPrefix: prefix });
      const to = new Store({ name: 'b', meta: t.target, metaPrefix: prefix });
      const { md5s, bytes } = await seed(from);
      const first = md5s[0] as string;
      const copied = await t.target.copyFrom?.(
        t.elsewhere,
        from.objects.key(first),
        `${prefix}/probe`,
      );
      expect(copied).toBeUndefined();
      expect(await t.target.exists(`${prefix}/probe`)).toBe(false);
      const before = t.bodyBytes();
      expect((await sync(from, to)).objects).toBe(SIZES.length);
      // The target's writes carry every byte through the proxy.
      expect(t.bodyBytes() - before).toBeGreaterThanOrEqual(bytes);
      await expectHeld(to, md5s);
    });

    it('a 20 MiB object is checked out in 8 MiB ranges read at once: 3 GETs, the bytes right', async () => {
      const prefix = `ranges-${md5Hex(randomBytes(8)).slice(0, 10)}`;
      const { objects } = new Store({ name: 'b', meta: t.target, metaPrefix: prefix });
      const bytes = randomBytes(20 * KIB * KIB);
      const md5 = md5Hex(bytes);
      const key = objects.key(md5);
      await objects.backend.write(key, bytes, { md5 });
      const gets: string[] = [];
      t.watch(({ method, url }) => {
        if (method === 'GET' && decodeURIComponent(url).includes(key)) gets.push(url);
        return false;
      });
      const dir = mkdtempSync(join(tmpdir(), 'trove-ranges-'));
      try {
        await checkout(objects, md5, join(dir, 'model.bin'));
        expect(gets).toHaveLength(3);
        expect(md5Hex(readFileSync(join(dir, 'model.bin')))).toBe(md5);
      } finally {
        t.watch(undefined);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
