import { type MotoServer, startMoto } from '@trove/test-utils/moto';
import { ensurePythonVenv } from '@trove/test-utils/python-venv';
import type { TestProject } from 'vitest/node';

// One moto for the project (each test file makes its own bucket) and the real Delta readers
// from PyPI, pinned (toolchain.md): delta-rs, polars (which reads Delta through delta-rs),
// DuckDB over the snapshot's Parquet files, pyarrow to hand rows over.
export const READER_PACKAGES = [
  'deltalake==1.6.6',
  'polars==1.44.2',
  'duckdb==2.0.0',
  'pyarrow==26.0.1',
];

let moto: MotoServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  const [server, python] = await Promise.all([
    startMoto(),
    ensurePythonVenv('delta-venv', READER_PACKAGES, 'deltalake, polars, duckdb, pyarrow'),
  ]);
  moto = server;
  project.provide('s3Endpoint', server.url);
  project.provide('deltaPython', python);
}

export async function teardown(): Promise<void> {
  await moto?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    s3Endpoint: string;
    deltaPython: string;
  }
}
