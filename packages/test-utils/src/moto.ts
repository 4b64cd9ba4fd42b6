import { randomBytes } from 'node:crypto';
import { commandOrPipInstall, type Emulator, startEmulator } from './emulator.js';

// moto (https://github.com/getmoto/moto) as the S3 server of the tests: one Python process on
// 127.0.0.1 that honours conditional writes, multipart uploads and ListObjectsV2 paging as S3
// does, with no accounts: any credentials are accepted unless IAM auth is turned on.

/** A moto S3 server on 127.0.0.1; `stop()` ends it. */
export type MotoServer = Emulator;

export interface StartMotoOptions {
  /** Extra environment for moto, e.g. `INITIAL_NO_AUTH_ACTION_COUNT` to turn on IAM auth. */
  env?: Record<string, string>;
}

/** Test credentials and region for the AWS SDK (in the test process or a child's environment). */
export const MOTO_ENV = {
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_REGION: 'us-east-1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
} as const;

/**
 * Starts moto_server on a free loopback port, installing `moto[server]` with pip when it is
 * missing. Throws if it cannot start: tests that need S3 never skip silently.
 */
export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  const command = commandOrPipInstall('moto_server', 'moto[server]');
  return startEmulator({
    name: 'moto_server',
    command: (port) => [command, '-H', '127.0.0.1', '-p', String(port)],
    ...(options.env ? { env: options.env } : {}),
    ready: async (url) => (await fetch(`${url}/moto-api/`)).ok,
  });
}

/** Creates a bucket with a unique name (`<label>-<10 hex>`) on moto and returns the name. */
export async function createBucket(endpoint: string, label: string): Promise<string> {
  const name = `${label}-${randomBytes(5).toString('hex')}`;
  // Path-style, unsigned: moto accepts it unless IAM auth is on.
  const response = await fetch(`${endpoint}/${name}`, { method: 'PUT' });
  if (!response.ok) {
    throw new Error(
      `creating bucket ${name} on ${endpoint}: HTTP ${response.status} ${await response.text()}`,
    );
  }
  return name;
}

/**
 * The environment for a child process (node, aws, dvc) that talks to moto: this process's, plus
 * the test credentials, minus a proxy CA bundle and a named profile that would override them.
 */
export function motoChildEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...MOTO_ENV, ...extra };
  delete env.AWS_CA_BUNDLE;
  delete env.AWS_PROFILE;
  return env;
}
