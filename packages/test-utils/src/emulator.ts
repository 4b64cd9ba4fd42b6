import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// What every emulator starter shares (moto, fake-gcs-server, Azurite): a free loopback port, a
// child process whose stderr tail explains a failed start, a readiness probe, and a stop that
// always ends the process.

/** A server started for tests on 127.0.0.1. */
export interface Emulator {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

export interface StartEmulatorOptions {
  /** Names the emulator in errors. */
  name: string;
  /** The command and its arguments for a given port. */
  command: (port: number) => [string, ...string[]];
  /** Extra environment for the process. */
  env?: Record<string, string>;
  /** Resolves true when the server at `url` answers as ready. */
  ready: (url: string) => Promise<boolean>;
  readyTimeoutMs?: number;
}

/** A free TCP port on 127.0.0.1 (free when asked: a starter retries if it is taken meanwhile). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the emulator on a free port and waits until `ready` says so. Throws with the end of its
 * stderr when it exits or does not become ready: tests that need it never skip silently.
 */
export async function startEmulator(options: StartEmulatorOptions): Promise<Emulator> {
  const timeout = options.readyTimeoutMs ?? 60_000;
  let lastError: unknown;
  // The port may be taken between freePort() and the emulator binding it: try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const [command, ...args] = options.command(port);
    // Emulators log every request on stderr. It goes to a file, not a pipe: a test that blocks
    // its event loop (spawnSync of a CLI talking to the emulator) cannot drain a pipe, and an
    // emulator blocked on a full pipe never answers (moto hung a `trove verify` that way).
    const logDir = mkdtempSync(join(tmpdir(), 'trove-emulator-'));
    const logFd = openSync(join(logDir, 'stderr.log'), 'w');
    const child = spawn(command, args, {
      stdio: ['ignore', 'ignore', logFd],
      env: { ...process.env, ...options.env },
    });
    closeSync(logFd);
    const tail = () => readTail(join(logDir, 'stderr.log'));
    const stop = async () => {
      await stopProcess(child);
      rmSync(logDir, { recursive: true, force: true });
    };
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitReady(options, url, child, timeout, tail);
      return { url, port, stop };
    } catch (err) {
      lastError = err;
      await stop();
    }
  }
  throw lastError;
}

async function waitReady(
  options: StartEmulatorOptions,
  url: string,
  child: ChildProcess,
  timeout: number,
  tail: () => string,
): Promise<void> {
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${options.name} exited with ${child.exitCode}: ${tail()}`);
    try {
      if (await options.ready(url)) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${options.name} did not answer on ${url} within ${timeout} ms: ${tail()}`);
}

/** The last 4,000 bytes of a log file ('' when it cannot be read). */
function readTail(path: string): string {
  try {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      const length = Math.min(size, 4000);
      const bytes = Buffer.alloc(length);
      readSync(fd, bytes, 0, length, size - length);
      return bytes.toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return '';
  }
}

/** SIGTERM, then SIGKILL after 5 s; resolves when the process has exited. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/**
 * `command` if `command --help` runs, else installs `pipPackage` with pip first. Throws when it
 * still cannot run.
 */
export function commandOrPipInstall(command: string, pipPackage: string): string {
  const found = () => spawnSync(command, ['--help'], { encoding: 'utf8' }).status === 0;
  if (found()) return command;
  process.stderr.write(
    `[test-utils] ${command} not found: python3 -m pip install '${pipPackage}'\n`,
  );
  const pip = spawnSync('python3', ['-m', 'pip', 'install', '--quiet', pipPackage], {
    stdio: 'inherit',
  });
  if (pip.status !== 0 || !found()) {
    throw new Error(
      `${command} is not installed and \`python3 -m pip install '${pipPackage}'\` failed; the tests need it.`,
    );
  }
  return command;
}
