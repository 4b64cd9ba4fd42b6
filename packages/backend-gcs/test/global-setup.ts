import { type FakeGcs, startFakeGcs, venvBin } from '@trove/test-utils/gcs';
import type { TestProject } from 'vitest/node';

let fake: FakeGcs | undefined;

/**
 * One fake-gcs-server for the whole project (each test file makes its own buckets on it), and
 * the Python tools installed up front so no test times out installing them.
 */
export async function setup(project: TestProject): Promise<void> {
  venvBin('gcp-storage-emulator');
  venvBin('dvc');
  fake = await startFakeGcs();
  project.provide('gcsEndpoint', fake.url);
}

export async function teardown(): Promise<void> {
  await fake?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    gcsEndpoint: string;
  }
}
