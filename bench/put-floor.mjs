#!/usr/bin/env node
// bench/put-floor: what MinIO alone allows for many small objects. A bare loop of signed
// PutObjects, nothing else: each file of a tree read, its md5 taken, and sent under
// `files/md5/<xx>/<rest>` (the layout trove and DVC push to), `--concurrency` at a time, over
// Node's `http` with keep-alive, signed by the SDK's own SigV4 signer (UNSIGNED-PAYLOAD). No
// listing, no retries, no records. bench/sync.mjs runs it beside the tools, as the limit a push
// of the same files can approach and not pass on this machine.
// Usage: node bench/put-floor.mjs <endpoint> <bucket> <tree> [--concurrency 32]
import { createHash, createHmac, createSecretKey } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { option, REPO } from './lib.mjs';
import { MINIO_PASSWORD, MINIO_USER } from './servers.mjs';

const [endpoint, bucket, tree] = process.argv.slice(2);
const CONCURRENCY = Number(option('--concurrency', 32));
const origin = new URL(endpoint);
const { SignatureV4 } = createRequire(join(REPO, 'packages/backend-s3/package.json'))(
  '@smithy/signature-v4',
);

class Sha256 {
  constructor(secret) {
    this.hash =
      secret === undefined
        ? createHash('sha256')
        : createHmac('sha256', createSecretKey(Buffer.from(secret)));
  }
  update(data) {
    this.hash.update(data);
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}
const signer = new SignatureV4({
  credentials: { accessKeyId: MINIO_USER, secretAccessKey: MINIO_PASSWORD },
  region: 'us-east-1',
  service: 's3',
  sha256: Sha256,
  uriEscapePath: false,
  applyChecksum: false,
});
const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

const files = readdirSync(tree, { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile() && e.name !== '.done')
  .map((e) => join(e.parentPath, e.name));

async function put(file) {
  const body = readFileSync(file);
  const md5 = createHash('md5').update(body).digest('hex');
  const path = `/${bucket}/files/md5/${md5.slice(0, 2)}/${md5.slice(2)}`;
  const signed = await signer.sign({
    method: 'PUT',
    protocol: 'http:',
    hostname: origin.hostname,
    path,
    query: {},
    headers: {
      host: origin.host,
      'content-length': String(body.length),
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
    },
  });
  await new Promise((resolve, reject) => {
    const request = http.request(
      {
        method: 'PUT',
        host: origin.hostname,
        port: origin.port,
        path,
        headers: signed.headers,
        agent,
      },
      (response) => {
        response.resume();
        response.once('end', () =>
          response.statusCode === 200
            ? resolve()
            : reject(new Error(`PUT ${path}: HTTP ${response.statusCode}`)),
        );
      },
    );
    request.once('error', reject);
    request.end(body);
  });
}

let next = 0;
await Promise.all(
  Array.from({ length: CONCURRENCY }, async () => {
    while (next < files.length) await put(files[next++]);
  }),
);
agent.destroy();
console.log(JSON.stringify({ objects: files.length, concurrency: CONCURRENCY }));
