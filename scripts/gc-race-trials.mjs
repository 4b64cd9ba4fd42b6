#!/usr/bin/env node
// `trove gc` racing writers, 20 trials a case (issue 18's "Done when"): (a) adds of new folders,
// (b) re-adds of folders whose objects are old orphans, (c) registrations of an old orphan's md5,
// each with `--grace 0 --force` and with the default grace on the local store (objects aged with
// utimes), and on S3 (moto; it cannot backdate objects, so "old" is older than a 1 s grace).
// After each case: no writer exited 0 over a missing object, every gc exited 0, `trove verify`
// clean. The racing logic is packages/cli/test/gc-race.test.ts, run here through vitest with a
// report file (so it is written once); the table goes into bench/RESULTS.md ("gc races").
// Needs `pnpm build` first and moto_server (the test line's S3). Not part of the test line.
//
//   node scripts/gc-race-trials.mjs [--trials 20]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { machine, REPO, writeSection } from '../bench/lib.mjs';

const { values } = parseArgs({ options: { trials: { type: 'string', default: '20' } } });
const report = join(mkdtempSync(join(tmpdir(), 'trove-gc-race-')), 'report.jsonl');
const loadStart = loadavg();
const started = Date.now();
const run = spawnSync(
  'pnpm',
  ['exec', 'vitest', 'run', '--project', 'cli', 'packages/cli/test/gc-race.test.ts'],
  {
    cwd: REPO,
    stdio: 'inherit',
    env: {
      ...process.env,
      TROVE_GC_RACE_REPORT: report,
      TROVE_GC_RACE_TRIALS: values.trials,
    },
  },
);
if (run.status === null) console.error('gc-race-trials: vitest ended by', run.signal ?? run.error);
const minutes = ((Date.now() - started) / 60_000).toFixed(1);
const loadEnd = loadavg();
let lines = [];
try {
  lines = readFileSync(report, 'utf8').trim().split('\n').filter(Boolean).map(JSON.parse);
} catch {
  // no case got as far as its report: the table says so
}

const what = {
  add: 'adds of new folders',
  readd: 're-adds of old orphans',
  register: "registrations of an old orphan's md5",
};
const load = (xs) => xs.map((x) => x.toFixed(1)).join(' / ');
const rows = lines.map((l) => {
  const safe = l.dangling === 0 && l.gcFailed === 0 && l.verifyProblems === 0 && l.unclear === 0;
  return `| ${l.store} | ${what[l.writer] ?? l.writer} | ${l.grace} | ${l.trials} | ${l.exit0} | ${l.refused} | ${l.unclear} | ${l.dangling} | ${l.gcRuns} (${l.gcFailed} failed) | ${l.verifyProblems === 0 && l.verifyCode === 0 ? 'clean' : `${l.verifyProblems} problems, exit ${l.verifyCode}`} | ${l.seconds.toFixed(0)} s | ${l.loadBefore.toFixed(1)} → ${l.loadAfter.toFixed(1)} | ${safe ? 'yes' : '**NO**'} |`;
});
writeSection(
  'gc-races',
  `## gc races — \`node scripts/gc-race-trials.mjs --trials ${values.trials}\`

${machine()}; 2 cores shared with other work. Load average (1 / 5 / 15 min) ${load(loadStart)} at
the start, ${load(loadEnd)} at the end; ${minutes} min in all; vitest exit ${run.status}.
Each case: ${values.trials} writers, ten a round, each started at a random moment (within 0.9 s)
of the round's gc, which runs again and again until the round's writers are done
(packages/cli/test/gc-race.test.ts). *exit 0*: writers that succeeded; *refused*: writers that
failed with one \`trove: error [CODE]\` line (a registration whose object gc removed first);
*dangling*: registrations that exited 0 although their object or a file of its manifest is gone.

| store | writers | gc | trials | exit 0 | refused | unclear failures | dangling | gc runs | verify | time | load (1 min) | safe |
|---|---|---|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n') || '| (no case reported) |||||||||||||'}
`,
);
console.log(`gc-race-trials: ${lines.length} cases reported; vitest exit ${run.status}`);
process.exit(run.status ?? 1);
