import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';

/**
 * A moto S3 server on 127.0.0.1 at a free port, for tests and benchmarks. moto_server is
 * installed with pip when missing; if it still cannot start, this throws: tests that need S3
 * never skip silently.
 */
export interface MotoServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

export interface StartMotoOptions {
  /** Extra environment for moto, e.g. `INITIAL_NO_AUTH_ACTION_COUNT` to turn on IAM auth. */
  env?: Record<string, string>;
}

const READY_TIMEOUT_MS = 60_000;

/** The moto_server command, installing `moto[server]` with pip when it is not on PATH. */
export function motoCommand(): string {
  const found = () => spawnSync('moto_server', ['--help'], { encoding: 'utf8' }).status === 0;
  if (found()) return 'moto_server';
  process.stderr.write(
    "[backend-s3 tests] moto_server not found: python3 -m pip install 'moto[server]'\n",
  );
  const pip = spawnSync('python3', ['-m', 'pip', 'install', '--quiet', 'moto[server]'], {
    stdio: 'inherit',
  });
  if (pip.status !== 0 || !found()) {
    throw new Error(
      "moto_server is not installed and `python3 -m pip install 'moto[server]'` failed; the S3 tests need it.",
    );
  }
  return 'moto_server';
}

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

export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  const command = motoCommand();
  let lastError: unknown;
  // The port may be taken between freePort() and moto binding it: try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = spawn(command, ['-H', '127.0.0.1', '-p', String(port)], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...options.env },
    });
    let tail = '';
    // moto logs every request on stderr: keep draining it, remember the end for errors.
    child.stderr?.on('data', (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-4000);
    });
    const url = `http://127.0.0.1:${port}`;
    try {
      await waitReady(url, child, () => tail);
      return { url, port, stop: () => stop(child) };
    } catch (err) {
      lastError = err;
      await stop(child);
    }
  }
  throw lastError;
}

async function waitReady(url: string, child: ChildProcess, tail: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`moto_server exited with ${child.exitCode}: ${tail()}`);
    try {
      const response = await fetch(`${url}/moto-api/`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto_server did not answer on ${url} within ${READY_TIMEOUT_MS} ms: ${tail()}`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
