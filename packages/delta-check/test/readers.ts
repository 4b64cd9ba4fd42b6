import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buffer } from 'node:stream/consumers';
import { fileURLToPath } from 'node:url';
import type { DeltaTable, Row, Snapshot } from '@trove/delta';
import { MOTO_ENV } from '@trove/test-utils/moto';

/** What read_delta.py prints: each reader's column types and rows. */
export interface ReaderOutput {
  version: number;
  /** `transaction_version(appId)` per asked app id. */
  app_txns: Record<string, number | null>;
  files: string[];
  /** delta-rs's `get_add_actions(flatten=True)`: the statistics as it parsed them. */
  add_actions: Row[];
  deltalake: { types: Record<string, string>; rows: Row[] };
  polars: { types: Record<string, string>; rows: Row[] };
  duckdb?: { types: Record<string, string>; rows: Row[] };
}

const SCRIPT = fileURLToPath(new URL('./read_delta.py', import.meta.url));

/** What read_delta.py reads from one table. */
export interface ReaderJob {
  uri: string;
  storage_options?: Record<string, string>;
  duckdb_files?: string[];
  app_ids?: string[];
}

/** delta-rs's storage options for a bucket on moto at `endpoint`. */
export function motoStorageOptions(endpoint: string): Record<string, string> {
  return {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ALLOW_HTTP: 'true',
    AWS_S3_ALLOW_UNSAFE_RENAME: 'true',
    AWS_ACCESS_KEY_ID: MOTO_ENV.AWS_ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: MOTO_ENV.AWS_SECRET_ACCESS_KEY,
    AWS_REGION: MOTO_ENV.AWS_REGION,
  };
}

/** Runs the real readers (deltalake, polars, duckdb) on a table. */
export function readWithPython(python: string, job: ReaderJob): Promise<ReaderOutput> {
  return runReadDelta<ReaderOutput>(python, job);
}

/** The real readers on several tables, in one Python start (its imports cost seconds). */
export async function readTablesWithPython(
  python: string,
  jobs: readonly ReaderJob[],
): Promise<ReaderOutput[]> {
  return (await runReadDelta<{ tables: ReaderOutput[] }>(python, { tables: jobs })).tables;
}

function runReadDelta<T>(python: string, job: unknown): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(python, [SCRIPT, JSON.stringify(job)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err = (err + c.toString()).slice(-4000);
    });
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as T)
        : reject(new Error(`read_delta.py: ${code}\n${err}`)),
    );
  });
}

/** Local copies of a snapshot's data files (DuckDB has no Delta or S3 extension here: no network). */
export async function copySnapshotFiles(
  table: DeltaTable,
  snapshot: Snapshot,
  dir: string,
): Promise<string[]> {
  return Promise.all(
    snapshot.files.map(async (f, i) => {
      const path = join(dir, `${i}.parquet`);
      await writeFile(
        path,
        await buffer((await table.storage.read(`${table.prefix}${f.path}`)).body),
      );
      return path;
    }),
  );
}

/** Rows as the readers print them: timestamps in µs, NaN as a string, sorted by `key`. */
export function asReaderRows(rows: readonly Row[], key: string): Row[] {
  const plain = (v: unknown): unknown => {
    if (v instanceof Date) return v.getTime() * 1000;
    if (typeof v === 'bigint') return Number(v);
    if (typeof v === 'number' && Number.isNaN(v)) return 'NaN';
    if (v === Number.POSITIVE_INFINITY) return 'Infinity';
    if (v === Number.NEGATIVE_INFINITY) return '-Infinity';
    if (Array.isArray(v)) return v.map(plain);
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
    return v ?? null;
  };
  return rows
    .map((r) => plain(r) as Row)
    .sort((a, b) => String(a[key]).localeCompare(String(b[key])));
}
