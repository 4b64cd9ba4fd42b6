import { fileURLToPath } from 'node:url';
import { expectNoLostAliasMoves, expectNoLostRegistrations } from '@trove/conformance';
import { troveProject } from '@trove/test-utils';
import { createContainer } from '@trove/test-utils/azurite';
import { type FaultProxy, startFaultProxy } from '@trove/test-utils/fault-proxy';
import { createGcsBucket } from '@trove/test-utils/gcs';
import { describe, expect, it } from 'vitest';
import { type CloudEmulators, proxiedClouds, useCloudEmulators } from './cloud-emulators.js';

/**
 * The registry's "no lost update" (issue 12): 8 processes × 50 registrations of one model, each
 * followed by an alias move, on every backend whose emulator has atomic conditional writes.
 * S3 is not here: moto's conditional writes are not atomic under concurrency, so S3 is checked
 * on MinIO by bench/registry-minio.mjs, outside the test line. The smaller fault case below does
 * run on moto too (4 writers of small documents; see its name). Aliases on artifacts (issue 23)
 * are one document per artifact name, moved the same way: 8 processes × 20 moves, local and the
 * same two emulators.
 */

// The workers resolve @trove/backend-<type> from here: the CLI package depends on them all.
const CLI_DIR = fileURLToPath(new URL('..', import.meta.url));
const WRITERS = 8;
const EACH = 50;
const ALIAS_MOVES = 20;

const project = (trove?: string) => troveProject('trove-registry-contention-', trove);

let emulators: CloudEmulators;

useCloudEmulators((started) => {
  emulators = started;
});

/** The stores the contention runs on: a project using each (the bucket or container fresh). */
const CONTENDED: Array<{
  name: string;
  where(tag: string): Promise<{ cwd: string; env: NodeJS.ProcessEnv }>;
}> = [
  { name: 'the local store', where: async () => ({ cwd: project(), env: {} }) },
  {
    name: 'GCS (fake-gcs-server)',
    async where(tag) {
      const bucket = await createGcsBucket(emulators.fake.url, tag);
      return {
        cwd: project(
          `store: team\nstores:\n  team: { type: gcs, bucket: ${bucket}, apiEndpoint: "${emulators.fake.url}", projectId: test, prefix: trove }\n`,
        ),
        // STORAGE_EMULATOR_HOST would override apiEndpoint in the SDK.
        env: { STORAGE_EMULATOR_HOST: '' },
      };
    },
  },
  {
    name: 'Azure (Azurite)',
    async where(tag) {
      const container = await createContainer(emulators.azurite.connectionString, tag);
      return {
        cwd: project(
          `store: team\nstores:\n  team: { type: azure, container: ${container}, prefix: trove }\n`,
        ),
        // Credentials come from the environment, never from trove.yaml.
        env: { AZURE_STORAGE_CONNECTION_STRING: emulators.azurite.connectionString },
      };
    },
  },
];

describe('the registry loses no registration and no alias move with 8 processes × 50', () => {
  for (const store of CONTENDED) {
    it(`on ${store.name}`, async () => {
      const r = await expectNoLostRegistrations({
        ...(await store.where('registry')),
        resolveFrom: [CLI_DIR],
        writers: WRITERS,
        each: EACH,
      });
      expect(r.versions).toBe(WRITERS * EACH);
    });
  }
});

/**
 * Issue 18: 4 processes register versions of one model while a fault proxy (seeded) resets 10%
 * of the requests, half while they are sent and half after the emulator acted. Every
 * registration must give exactly one version, the one its caller was told.
 */
describe('the registry gives exactly one version per registration with 10% of requests reset, 4 processes', () => {
  for (const [index, cloud] of proxiedClouds(() => emulators).entries()) {
    // moto's If-Match is not atomic under concurrent writers (emulators.md, measured with 8 MiB
    // bodies); a registry document is a few KiB and lost updates have not been seen with 4 writers.
    const gap = cloud.name.startsWith('s3')
      ? " (its If-Match is not atomic under load: a loss here may be moto's)"
      : '';
    it(`on ${cloud.name}${gap}`, async () => {
      let proxy: FaultProxy | undefined;
      try {
        proxy = await startFaultProxy({
          upstream: cloud.upstream(),
          seed: 1840 + index,
          ...(cloud.faultable ? { match: cloud.faultable } : {}),
        });
        const r = await expectNoLostRegistrations({
          cwd: project(`store: team\nstores:\n  team: ${await cloud.store(proxy.url)}\n`),
          resolveFrom: [CLI_DIR],
          env: { STORAGE_EMULATOR_HOST: '', ...cloud.env(proxy.url) },
          writers: 4,
          each: 10,
          faults: proxy,
        });
        expect(r.versions).toBe(40);
      } finally {
        await proxy?.stop();
      }
    });
  }
});

describe('artifact aliases lose no move with 8 processes × 20 moves of one name', () => {
  for (const store of CONTENDED) {
    it(`on ${store.name}`, async () => {
      const r = await expectNoLostAliasMoves({
        ...(await store.where('aliases')),
        resolveFrom: [CLI_DIR],
        writers: WRITERS,
        each: ALIAS_MOVES,
      });
      // Each move of a writer's own alias, and every other one of the shared alias.
      expect(r.moves).toBe(WRITERS * ALIAS_MOVES + WRITERS * (ALIAS_MOVES / 2));
    });
  }
});
