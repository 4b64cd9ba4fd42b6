// The storage servers the benches run on loopback (MinIO, Azurite, fake-gcs-server), each on a
// free port with its log in a file under the bench's work folder (a pipe could fill up while a
// bench sits in spawnSync, and the server would block on its next log line).
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort, REPO } from './lib.mjs';

/** Starts `command`, logging to `<workDir>/<name>.log`, and waits until `ready(url)` is true. */
async function startServer({ name, workDir, command, args, env, url, ready }) {
  mkdirSync(workDir, { recursive: true });
  const log = openSync(join(workDir, `${name}.log`), 'w');
  const child = spawn(command, args, {
    stdio: ['ignore', log, log],
    env: { ...process.env, ...env },
  });
  closeSync(log);
  // A bench that dies on an error still stops its server (a second run would find it there).
  process.once('exit', () => child.kill('SIGTERM'));
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`${name} exited; see ${workDir}/${name}.log`);
    if (await ready(url).catch(() => false)) {
      return { url, pid: child.pid, stop: () => child.kill('SIGTERM') };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${name} did not start`);
}

/** A program built with `go install`: on PATH or in Go's bin folder; built when `install`. */
function goBinary(name, module, install = false) {
  if (spawnSync('sh', ['-c', `command -v ${name}`]).status === 0) return name;
  const gopath = spawnSync('go', ['env', 'GOPATH'], { encoding: 'utf8' }).stdout?.trim();
  const candidate = join((gopath || join(homedir(), 'go')).split(':')[0], 'bin', name);
  if (!existsSync(candidate) && install) {
    process.stderr.write(`installing ${module}\n`);
    spawnSync('go', ['install', module], { stdio: 'inherit' });
  }
  if (existsSync(candidate)) return candidate;
  throw new Error(`${name} not found: go install ${module}`);
}

export const MINIO_USER = 'trovebench';
export const MINIO_PASSWORD = 'trovebench-secret';

/** The MinIO program: on PATH or in Go's bin folder. */
export function minioBinary() {
  return goBinary('minio', 'github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c');
}

/** MinIO with its data under `<workDir>/data` (build: toolchain.md, 10–16 min once). */
export async function startMinio(workDir) {
  const port = await freePort();
  const consolePort = await freePort();
  mkdirSync(join(workDir, 'data'), { recursive: true });
  return startServer({
    name: 'minio',
    workDir,
    command: minioBinary(),
    args: [
      'server',
      join(workDir, 'data'),
      '--address',
      `127.0.0.1:${port}`,
      '--console-address',
      `127.0.0.1:${consolePort}`,
    ],
    env: { MINIO_ROOT_USER: MINIO_USER, MINIO_ROOT_PASSWORD: MINIO_PASSWORD },
    url: `http://127.0.0.1:${port}`,
    ready: async (url) => (await fetch(`${url}/minio/health/ready`)).ok,
  });
}

/** Credentials for a process talking to `startMinio`'s server (no proxy CA, no profile). */
export function minioEnv() {
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: MINIO_USER,
    AWS_SECRET_ACCESS_KEY: MINIO_PASSWORD,
    AWS_REGION: 'us-east-1',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  delete env.AWS_CA_BUNDLE;
  delete env.AWS_PROFILE;
  return env;
}

/** Creates `bucket` on a MinIO at `url` with the S3 SDK of the backend package. */
export async function createMinioBucket(url, bucket) {
  const sdk = createRequire(join(REPO, 'packages/backend-s3/package.json'))('@aws-sdk/client-s3');
  const client = new sdk.S3Client({
    endpoint: url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: MINIO_USER, secretAccessKey: MINIO_PASSWORD },
  });
  await client.send(new sdk.CreateBucketCommand({ Bucket: bucket }));
  client.destroy();
}

export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const fromTestUtils = createRequire(join(REPO, 'packages/test-utils/package.json'));

/** Azurite's version (the devDependency of test-utils the benches run). */
export function azuriteVersion() {
  return fromTestUtils('azurite/package.json').version;
}

/** Azurite (blob only, in memory) on 127.0.0.1; `url` is the account's blob endpoint. */
export async function startAzurite(workDir) {
  const port = await freePort();
  const main = join(
    dirname(fromTestUtils.resolve('azurite/package.json')),
    'dist/src/blob/main.js',
  );
  const server = await startServer({
    name: 'azurite',
    workDir,
    command: process.execPath,
    args: [
      main,
      '--silent',
      '--disableTelemetry',
      '--skipApiVersionCheck',
      '--inMemoryPersistence',
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      String(port),
    ],
    url: `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`,
    ready: async (url) => (await fetch(`${url}?comp=list`)).status > 0,
  });
  const connectionString = `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${server.url};`;
  return { ...server, connectionString };
}

/** Creates `container` on Azurite with the SDK of the backend package. */
export async function createAzuriteContainer(connectionString, container) {
  const { BlobServiceClient } = createRequire(join(REPO, 'packages/backend-azure/package.json'))(
    '@azure/storage-blob',
  );
  await BlobServiceClient.fromConnectionString(connectionString)
    .getContainerClient(container)
    .create();
}

/** fake-gcs-server v1.56.1 on 127.0.0.1, objects on disk under `<workDir>/fake-gcs`. */
export async function startFakeGcs(workDir) {
  const port = await freePort();
  const root = join(workDir, 'fake-gcs');
  mkdirSync(root, { recursive: true });
  const server = await startServer({
    name: 'fake-gcs',
    workDir,
    command: goBinary('fake-gcs-server', 'github.com/fsouza/fake-gcs-server@v1.56.1', true),
    args: [
      '-scheme',
      'http',
      '-host',
      '127.0.0.1',
      '-port',
      String(port),
      '-public-host',
      `127.0.0.1:${port}`,
      '-backend',
      'filesystem',
      '-filesystem-root',
      root,
      '-log-level',
      'error',
    ],
    url: `http://127.0.0.1:${port}`,
    ready: async (url) => (await fetch(`${url}/storage/v1/b?project=bench`)).ok,
  });
  return { ...server, root };
}

/** Creates `bucket` on fake-gcs-server through its JSON API. */
export async function createFakeGcsBucket(url, bucket) {
  const response = await fetch(`${url}/storage/v1/b?project=bench`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: bucket }),
  });
  if (!response.ok) throw new Error(`creating bucket ${bucket}: HTTP ${response.status}`);
}
