import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BackendCapabilities, capabilitiesOf, type StorageBackend } from '@trove/core/backend';
import { expect, it } from 'vitest';
import { listKeys } from './helpers.js';

export interface ConformanceOptions {
  /** Makes a fresh backend; called once per test (and once up front to read its capabilities). */
  create: () => StorageBackend | Promise<StorageBackend>;
  /**
   * Capabilities to assume instead of the backend's own, e.g. `{ ifMatch: false }` against an
   * emulator without conditional writes. Turning one off is reported as its own test.
   */
  capabilityOverrides?: Partial<BackendCapabilities>;
  /**
   * Called after each test with that test's backend (before `close()`). Without it, the suite
   * deletes everything under the test's key prefix instead.
   */
  cleanup?: (backend: StorageBackend) => Promise<void>;
  /** Per-test timeout in ms (default 60 000; the large-object and 1,100-key cases get 4×). */
  timeout?: number;
}

/** What one conformance test gets: its own backend and key prefix. */
export interface CaseContext {
  readonly backend: StorageBackend;
  /** `conformance/<random>/`: every key a test uses starts with it. */
  readonly prefix: string;
  /** `prefix + name`. */
  key(name: string): string;
  /** A fresh local folder, removed after the test (for `{ path }` bodies and materialize). */
  tempDir(): Promise<string>;
}

/** How case files register their tests. */
export interface CaseSuite {
  /** Capabilities in force: the backend's own with `capabilityOverrides` applied. */
  readonly capabilities: BackendCapabilities;
  /** Capabilities the backend itself declares. */
  readonly declared: BackendCapabilities;
  /** Registers a test that runs against a fresh backend under a fresh prefix. */
  test(name: string, fn: (c: CaseContext) => Promise<void>, options?: { slow?: boolean }): void;
}

/** Concurrency the suite uses when it writes many objects. */
export const SUITE_CONCURRENCY = 16;

export function createCaseSuite(
  options: ConformanceOptions,
  declared: BackendCapabilities,
): CaseSuite {
  const capabilities = { ...declared, ...options.capabilityOverrides };
  const timeout = options.timeout ?? 60_000;
  return {
    capabilities,
    declared,
    test(name, fn, testOptions = {}) {
      it(name, () => runCase(options, fn), testOptions.slow ? timeout * 4 : timeout);
    },
  };
}

async function runCase(
  options: ConformanceOptions,
  fn: (c: CaseContext) => Promise<void>,
): Promise<void> {
  const backend = await options.create();
  const prefix = `conformance/${randomBytes(6).toString('hex')}/`;
  const temps: string[] = [];
  const context: CaseContext = {
    backend,
    prefix,
    key: (name) => prefix + name,
    async tempDir() {
      const dir = await mkdtemp(join(tmpdir(), 'trove-conformance-'));
      temps.push(dir);
      return dir;
    },
  };
  let failure: { error: unknown } | undefined;
  try {
    await fn(context);
  } catch (error) {
    failure = { error };
  }
  try {
    await Promise.all(temps.map((dir) => rm(dir, { recursive: true, force: true })));
    await disposeBackend(backend, options, prefix);
  } catch (error) {
    // A failing test's own error says more than a cleanup error it may have caused.
    failure ??= { error };
  }
  if (failure) throw failure.error;
}

/** Runs the user's cleanup (or sweeps the prefix), then closes the backend. */
export async function disposeBackend(
  backend: StorageBackend,
  options: ConformanceOptions,
  prefix: string | undefined,
): Promise<void> {
  try {
    if (options.cleanup) {
      await options.cleanup(backend);
    } else if (prefix !== undefined) {
      await backend.deleteMany(await listKeys(backend, prefix));
    }
  } finally {
    await backend.close?.();
  }
}

type OptionalMethod = 'rename' | 'writeMany' | 'materialize' | 'signedUrl';

/**
 * Registers the cases of an optional capability when it is on. When it is off, registers one
 * test saying so instead of skipping silently: the method must then be absent (or, when only
 * `capabilityOverrides` turned it off, the override is what the test reports).
 */
export function whenCapable(
  suite: CaseSuite,
  capability: keyof BackendCapabilities,
  method: OptionalMethod | undefined,
  register: () => void,
): void {
  if (suite.capabilities[capability]) {
    register();
    return;
  }
  if (suite.declared[capability]) {
    suite.test(
      `${capability}: turned off by capabilityOverrides, its cases do not run`,
      async (c) => {
        expect(capabilitiesOf(c.backend)[capability]).toBe(true);
        expect(suite.capabilities[capability]).toBe(false);
      },
    );
    return;
  }
  const what = method ? `, so backend.${method} is absent` : '';
  suite.test(`capabilities.${capability} is false${what}`, async (c) => {
    expect(capabilitiesOf(c.backend)[capability]).toBe(false);
    if (method) expect(c.backend[method]).toBeUndefined();
  });
}
