import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshBackend, leftovers } from './helpers.js';

const CHILD = fileURLToPath(new URL('./fixtures/race-child.mjs', import.meta.url));
const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));

interface Racer {
  child: ChildProcess;
  ready: Promise<void>;
  result: Promise<Record<string, unknown>>;
}

function startRacer(args: string[]): Racer {
  const child = spawn(process.execPath, [CHILD, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let markReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  child.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (out.startsWith('ready\n')) markReady();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const result = new Promise<Record<string, unknown>>((resolve, reject) => {
    child.on('exit', (code) => {
      const line = out.split('\n').filter(Boolean).at(-1) ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line));
      else reject(new Error(`racer exited with ${code}: ${err || out}`));
    });
  });
  return { child, ready, result };
}

/** Starts all racers, waits until each has loaded the package, then lets them go at once. */
async function race(argsList: string[][]): Promise<Record<string, unknown>[]> {
  const racers = argsList.map(startRacer);
  await Promise.all(racers.map((r) => r.ready));
  for (const r of racers) r.child.stdin?.write('go\n');
  return Promise.all(racers.map((r) => r.result));
}

describe('conditional writes across processes', () => {
  beforeAll(() => {
    // The racers load the built package; a missing build is a failure, not a skip.
    expect(
      existsSync(DIST),
      `build first: npx tsc -b packages/backend-local (${DIST} is missing)`,
    ).toBe(true);
  });

  it('6 processes race ifNoneMatch on one key: exactly one wins', async () => {
    const backend = freshBackend();
    for (let round = 0; round < 3; round++) {
      const key = `race/round-${round}`;
      const results = await race(
        Array.from({ length: 6 }, (_, i) => [backend.root, key, 'create', String(i)]),
      );
      const winners = results.filter((r) => r.won === true);
      expect(winners).toHaveLength(1);
      expect(results.filter((r) => r.won === false).map((r) => r.code)).toEqual(
        Array(5).fill('PRECONDITION_FAILED'),
      );
      const stored = readFileSync(join(backend.root, key), 'utf8');
      expect(stored).toBe(`writer ${winners[0]?.id} `.repeat(5000));
    }
    expect(leftovers(backend.root)).toEqual([]);
  });

  it('4 processes increment a counter with ifMatch retries: no update is lost', async () => {
    const backend = freshBackend();
    await backend.write('counter', '0');
    const perProcess = 25;
    const results = await race(
      Array.from({ length: 4 }, () => [backend.root, 'counter', 'increment', String(perProcess)]),
    );
    expect(readFileSync(join(backend.root, 'counter'), 'utf8')).toBe(String(4 * perProcess));
    // The processes did contend (otherwise this proves little); every conflict was retried.
    const conflicts = results.reduce((n, r) => n + Number(r.conflicts), 0);
    expect(conflicts).toBeGreaterThan(0);
    expect(leftovers(backend.root)).toEqual([]);
  });
});
