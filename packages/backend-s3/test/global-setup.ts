import { type MotoServer, startMoto } from '@trove/test-utils/moto';
import type { TestProject } from 'vitest/node';

let moto: MotoServer | undefined;

/** One moto for the whole project; each test file makes its own bucket(s) on it. */
export async function setup(project: TestProject): Promise<void> {
  moto = await startMoto();
  project.provide('s3Endpoint', moto.url);
}

export async function teardown(): Promise<void> {
  await moto?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    s3Endpoint: string;
  }
}
