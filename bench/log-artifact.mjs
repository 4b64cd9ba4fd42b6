#!/usr/bin/env node
// bench/log-artifact: trove logging into the embedded local store, side by side with the physical
// limits (md5sum, cp) and the peer (real `dvc add`) on the same data, round-robin, in one run.
// Usage: node bench/log-artifact.mjs [--rounds 3] [--skip-5g]
// Needs: a build (pnpm build), dvc on PATH, ~12 GiB free disk. Writes its section of bench/RESULTS.md.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  machine,
  REPO,
  randomFile,
  randomTree,
  roundRobin,
  TROVE,
  timed,
  wall,
  writeSection,
} from './lib.mjs';

const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf('--rounds') + 1] || 3) || 3;
const skip5g = args.includes('--skip-5g');
const WORK = join(REPO, 'bench/.work');

function makeData() {
  return {
    big: randomFile('big-1g.bin', 1 << 30),
    small: randomTree('small-100k', { folders: 100, files: 1000, size: 1024 }),
    huge: skip5g ? undefined : randomFile('big-5g.bin', 5 * 2 ** 30),
  };
}

/** A fresh project folder with the data linked in (hardlinks: same inode, no copy). */
function freshProject(name, { dvc = false, source }) {
  const dir = join(WORK, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  if (dvc) {
    spawnSync('git', ['init', '-q'], { cwd: dir });
    spawnSync('dvc', ['init', '-q'], { cwd: dir, env: { ...process.env, DVC_NO_ANALYTICS: '1' } });
    spawnSync('dvc', ['config', 'core.analytics', 'false'], { cwd: dir });
  } else {
    mkdirSync(join(dir, '.trove'));
  }
  spawnSync('cp', ['-al', source, join(dir, 'input')]);
  return dir;
}

const env = { DVC_NO_ANALYTICS: '1', DVC_IGNORE_UPDATES: '1', CI: '1' };
const { big, small, huge } = makeData();
rmSync(WORK, { recursive: true, force: true });
mkdirSync(WORK, { recursive: true });

process.stderr.write('\n1 GiB file\n');
const bigResults = await roundRobin(
  [
    { name: 'md5sum', run: () => timed(`md5sum ${big} >/dev/null`) },
    {
      name: 'cp',
      prepare: () => rmSync(join(WORK, 'cp.bin'), { force: true }),
      run: () => timed(`cp ${big} ${join(WORK, 'cp.bin')}`),
    },
    {
      name: 'trove add',
      prepare: () => freshProject('trove-big', { source: big }),
      run: () => timed(`node ${TROVE} add input -q`, { cwd: join(WORK, 'trove-big'), env }),
    },
    {
      name: 'dvc add',
      prepare: () => freshProject('dvc-big', { dvc: true, source: big }),
      run: () => timed('dvc add -q input', { cwd: join(WORK, 'dvc-big'), env }),
    },
  ],
  rounds,
);
rmSync(join(WORK, 'cp.bin'), { force: true });

process.stderr.write('\n100,000 files of 1 KiB\n');
const smallResults = await roundRobin(
  [
    {
      name: 'cp -r',
      prepare: () => rmSync(join(WORK, 'cp-small'), { recursive: true, force: true }),
      run: () => timed(`cp -r ${small} ${join(WORK, 'cp-small')}`),
    },
    {
      name: 'md5sum (xargs -P2)',
      run: () => timed(`find ${small} -type f -print0 | xargs -0 -P2 -n1000 md5sum >/dev/null`),
    },
    {
      name: 'trove add',
      prepare: () => freshProject('trove-small', { source: small }),
      run: () => timed(`node ${TROVE} add input -q`, { cwd: join(WORK, 'trove-small'), env }),
    },
    {
      name: 'trove add (unchanged, again)',
      run: () => wall(`node ${TROVE} add input -q`, { cwd: join(WORK, 'trove-small'), env }),
    },
    {
      name: 'dvc add',
      prepare: () => freshProject('dvc-small', { dvc: true, source: small }),
      run: () => timed('dvc add -q input', { cwd: join(WORK, 'dvc-small'), env }),
    },
    {
      name: 'dvc add (unchanged, again)',
      run: () => wall('dvc add -q input', { cwd: join(WORK, 'dvc-small'), env }),
    },
  ],
  Math.min(rounds, 3),
);
rmSync(join(WORK, 'cp-small'), { recursive: true, force: true });

let hugeRow = '';
if (!skip5g) {
  process.stderr.write('\n5 GiB file (peak RSS)\n');
  freshProject('trove-huge', { source: huge });
  const r = timed(`node ${TROVE} add input -q`, { cwd: join(WORK, 'trove-huge'), env });
  hugeRow = `| trove add, 5 GiB file | ${r.seconds.toFixed(2)} s | **${r.rssMiB.toFixed(0)} MiB** peak RSS (target ≤ 200 MiB) |`;
}
rmSync(WORK, { recursive: true, force: true });

const f = (x) => x.toFixed(2);
const ratio = (a, b) => (a / b).toFixed(2);
const b = bigResults;
const s = smallResults;
const md = `
## log-artifact (local store) — \`node bench/log-artifact.mjs\`

${machine()}. Medians of ${rounds} round-robin rounds (${Math.min(rounds, 3)} for the small files), wall time of the whole
command (process start-up included), warm page cache, each trove/dvc round in a fresh project with an empty store.

**1 GiB random file**

| command | median s [min–max] | vs md5sum |
|---|---|---|
| \`md5sum\` (the hashing limit) | ${f(b.md5sum.seconds)} [${f(b.md5sum.min)}–${f(b.md5sum.max)}] | 1.00× |
| \`cp\` (the copy limit, no hash) | ${f(b.cp.seconds)} [${f(b.cp.min)}–${f(b.cp.max)}] | ${ratio(b.cp.seconds, b.md5sum.seconds)}× |
| **\`trove add\`** (hash + store + .dvc + run records) | ${f(b['trove add'].seconds)} [${f(b['trove add'].min)}–${f(b['trove add'].max)}] | **${ratio(b['trove add'].seconds, b.md5sum.seconds)}×** (target ≤ 1.15×) |
| \`dvc add\` | ${f(b['dvc add'].seconds)} [${f(b['dvc add'].min)}–${f(b['dvc add'].max)}] | ${ratio(b['dvc add'].seconds, b.md5sum.seconds)}× |

Peak RSS: trove ${b['trove add'].rssMiB.toFixed(0)} MiB, dvc ${b['dvc add'].rssMiB.toFixed(0)} MiB.

**100,000 files of 1 KiB in 100 folders**

| command | median s [min–max] | |
|---|---|---|
| \`cp -r\` (no hashing) | ${f(s['cp -r'].seconds)} [${f(s['cp -r'].min)}–${f(s['cp -r'].max)}] | 1.00× |
| \`md5sum\` via \`xargs -P2\` | ${f(s['md5sum (xargs -P2)'].seconds)} | ${ratio(s['md5sum (xargs -P2)'].seconds, s['cp -r'].seconds)}× cp -r |
| **\`trove add\`** | ${f(s['trove add'].seconds)} [${f(s['trove add'].min)}–${f(s['trove add'].max)}] | **${ratio(s['trove add'].seconds, s['cp -r'].seconds)}× cp -r** (target ≤ 1.5×); **${ratio(s['dvc add'].seconds, s['trove add'].seconds)}× faster than dvc add** (target ≥ 5×) |
| \`dvc add\` | ${f(s['dvc add'].seconds)} [${f(s['dvc add'].min)}–${f(s['dvc add'].max)}] | |
| **\`trove add\` again, tree unchanged** | **${f(s['trove add (unchanged, again)'].seconds)}** | target ≤ 1 s (no file re-read) |
| \`dvc add\` again, tree unchanged | ${f(s['dvc add (unchanged, again)'].seconds)} | |

${hugeRow ? `| command | wall | memory |\n|---|---|---|\n${hugeRow}` : ''}

The small-file rows swing widely with ext4's slowdown when many files are created soon after many were deleted (perf-limits.md §1); round-robin exposes every command to it alike, so compare medians.
`;
writeSection('log-artifact', md);
process.stdout.write(md);
