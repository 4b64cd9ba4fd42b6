import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * Every cloud backend has the same files for the same roles (STYLE.md, "Layers"): its SDK's
 * primitives, one a file, on core's `defineObjectStore`, and its resumable engine in `upload/`.
 * A file outside these roles is named here with the reason it exists.
 */
const PACKAGES = fileURLToPath(new URL('../..', import.meta.url));

const ROLES = [
  'index.ts', // the factory trove.yaml loads, and the public exports
  'backend.ts', // the primitives handed to defineObjectStore
  'client.ts', // the SDK client, credentials from the SDK's chain
  'context.ts', // what the primitives share
  'options.ts', // option specs with defaults and ranges
  'map-error.ts', // the service's own error codes
  'head.ts',
  'read.ts',
  'put.ts',
  'copy.ts',
  'delete.ts',
  'list.ts',
  'signed-url.ts',
  'cleanup.ts', // what `trove gc` sweeps (core's journal sweep)
  'upload/upload.ts', // the resumable engine
  'upload/requests.ts', // its requests to the service
  'upload/source.ts', // the body as parts, chunks or blocks with bounded memory
];

const EXTRAS: Record<string, Record<string, string>> = {
  s3: {
    'upload/part-size.ts': 'part sizes under the 10,000-part limit, growing for streams',
    'retry.ts': "the client's retries: every transient error its attempts, no client-wide quota",
    'http.ts': "GetObject through Node's http, signed by the SDK's signer: a third of its CPU",
  },
  gcs: {
    'http.ts': 'the JSON API requests the SDK does not make as trove needs (uploads, media reads)',
    'stat.ts': 'an object resource as a stat: the generation is the etag',
    'upload/session.ts': 'driving one resumable session chunk by chunk',
  },
  azure: { 'sas.ts': 'SAS signing shared by signedUrl and copy sources' },
};

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = relative(dir, join(entry.parentPath, entry.name));
    if (entry.isFile() && path.endsWith('.ts') && !path.endsWith('.test.ts')) out.push(path);
  }
  return out.sort();
}

describe('the cloud backends have one file shape', () => {
  for (const kind of ['s3', 'gcs', 'azure']) {
    it(`backend-${kind}/src holds one file per role, and only named extras`, () => {
      const files = sources(join(PACKAGES, `backend-${kind}`, 'src'));
      expect(files).toEqual([...ROLES, ...Object.keys(EXTRAS[kind] ?? {})].sort());
    });
  }
});
