// `trove add` and `trove get` of a 2,000-file folder and a 200 MiB file on S3 (moto), GCS
// (fake-gcs-server) and Azure (Azurite), each behind the fault proxy resetting 10% of the
// requests: the CLI test packages/cli/test/faults.test.ts with its large file at 200 MiB
// instead of the test line's 64 MiB. Prints vitest's report (each case's time).
//   node bench/faults-large-file.mjs
import { spawnSync } from 'node:child_process';
import { REPO } from './lib.mjs';

const r = spawnSync(
  'pnpm',
  ['exec', 'vitest', 'run', '--project', 'cli', 'packages/cli/test/faults.test.ts'],
  {
    cwd: REPO,
    stdio: 'inherit',
    env: { ...process.env, TROVE_BENCH_LARGE_MIB: process.env.TROVE_BENCH_LARGE_MIB ?? '200' },
  },
);
process.exit(r.status ?? 1);
