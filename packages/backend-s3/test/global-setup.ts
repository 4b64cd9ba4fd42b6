import { type MotoServer, startMoto } from '@trove/test-utils/moto';
import { ensureDvcVenv } from '@trove/test-utils/python-venv';
import type { TestProject } from 'vitest/node';

let moto: MotoServer | undefined;

/** One moto for the whole project; each test file makes its own bucket(s) on it. */
export async function setup(project: TestProject): Promise<void> {
  const [server, dvc] = await Promise.all([
    startMoto(),
    ensureDvcVenv('s3-venv', ['dvc==3.67.1', 'dvc-s3==3.3.0'], 'dvc_s3'),
  ]);
  moto = server;
  project.provide('s3Endpoint', server.url);
  project.provide('s3Dvc', dvc);
}

export async function teardown(): Promise<void> {
  await moto?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    s3Endpoint: string;
    s3Dvc: string;
  }
}
