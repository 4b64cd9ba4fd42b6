#!/usr/bin/env node
// bench/live: trove's Live against real DVCLive on the same call sequences, side by side, and
// the bytes compared: (a) N metrics × S steps with nextStep() each step, (b) C logMetric calls
// without steps. Wall time of the whole process (start-up included) and peak RSS.
// Usage: node bench/live.mjs [--steps 10000] [--metrics 10] [--calls 1000000] [--py-steps S]
//   [--py-calls C]   (dvclive at a smaller scale on a busy host: its rate is per step/call)
// Needs: a build (pnpm build) and the test venv (~/.cache/trove-test/live-venv, made by the
// core Live tests). Writes its section of bench/RESULTS.md.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { loadAverages, machine, REPO, timed, writeSection } from './lib.mjs';

const args = process.argv.slice(2);
const arg = (k, d) => Number(args[args.indexOf(k) + 1] || d) || d;
const STEPS = arg('--steps', 10_000);
const METRICS = arg('--metrics', 10);
const CALLS = arg('--calls', 1_000_000);
const PY_STEPS = arg('--py-steps', STEPS);
const PY_CALLS = arg('--py-calls', CALLS);
// The host's load average (1, 5, 15 min) when the bench starts: absolute times depend on it.
const LOAD = loadAverages(', ');
const PY = join(homedir(), '.cache/trove-test/live-venv/bin/python');
const LIVE = join(REPO, 'packages/live/dist/index.js');
// Outside the repository: DVCLive runs `dvc init` at the root of the Git repo it finds.
const WORK = join(tmpdir(), 'trove-bench-live');

const tsSteps = (steps) => `
import { Live, float } from ${JSON.stringify(LIVE)};
const live = new Live({ saveDvcExp: false });
for (let s = 0; s < ${steps}; s++) {
  for (let j = 0; j < ${METRICS}; j++) live.logMetric('m' + j, float((s * 10 + j) / 7));
  await live.nextStep();
}
await live.end();`;
const pySteps = (steps) => `
from dvclive import Live
live = Live(save_dvc_exp=False)
for s in range(${steps}):
    for j in range(${METRICS}):
        live.log_metric('m' + str(j), (s * 10 + j) / 7)
    live.next_step()
live.end()`;
const tsCalls = (calls) => `
import { Live, float } from ${JSON.stringify(LIVE)};
const live = new Live({ saveDvcExp: false });
const t = performance.now();
for (let i = 0; i < ${calls}; i++) live.logMetric('loss', float(i / 3));
console.log('CALLS_S', (performance.now() - t) / 1000);
await live.end();`;
const pyCalls = (calls) => `
import time
from dvclive import Live
live = Live(save_dvc_exp=False)
t = time.perf_counter()
for i in range(${calls}):
    live.log_metric('loss', i / 3)
print('CALLS_S', time.perf_counter() - t)
live.end()`;

function project(name) {
  const dir = join(WORK, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

function run(name, lang, code) {
  const cwd = project(name);
  const script = join(WORK, `${name}.${lang === 'ts' ? 'mjs' : 'py'}`);
  writeFileSync(script, code);
  const cmd = lang === 'ts' ? `node ${script}` : `DVC_NO_ANALYTICS=1 ${PY} ${script}`;
  const r = timed(cmd, { cwd });
  const calls = /CALLS_S ([\d.e-]+)/.exec(r.stdout);
  return { ...r, cwd, callSeconds: calls ? Number(calls[1]) : undefined };
}

function tree(dir) {
  const out = {};
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  walk(join(dir, 'dvclive'));
  out['dvc.yaml'] = readFileSync(join(dir, 'dvc.yaml'), 'utf8');
  return out;
}

function sameBytes(a, b) {
  const ta = tree(a);
  const tb = tree(b);
  const keys = Object.keys(ta).sort();
  return (
    JSON.stringify(keys) === JSON.stringify(Object.keys(tb).sort()) &&
    keys.every((k) => ta[k] === tb[k])
  );
}

const size = (dir) => statSync(join(dir, 'dvclive/metrics.json')).size;

console.log(
  `steps: trove ${STEPS}, dvclive ${PY_STEPS}; calls: trove ${CALLS}, dvclive ${PY_CALLS}`,
);
const tStep = run('ts-steps', 'ts', tsSteps(STEPS));
console.log('trove steps', tStep.seconds, 's', tStep.rssMiB.toFixed(0), 'MiB');
const pStep = run('py-steps', 'py', pySteps(PY_STEPS));
console.log('dvclive steps', pStep.seconds, 's', pStep.rssMiB.toFixed(0), 'MiB');
let stepBytes = 'not compared (different step counts)';
if (PY_STEPS === STEPS) stepBytes = sameBytes(tStep.cwd, pStep.cwd) ? 'identical' : 'DIFFERENT';
else {
  const same = run('ts-steps-small', 'ts', tsSteps(PY_STEPS));
  stepBytes = sameBytes(same.cwd, pStep.cwd) ? `identical (at ${PY_STEPS} steps)` : 'DIFFERENT';
}
const tCall = run('ts-calls', 'ts', tsCalls(CALLS));
console.log('trove calls', tCall.seconds, 's', tCall.callSeconds, 's in calls');
const pCall = run('py-calls', 'py', pyCalls(PY_CALLS));
console.log('dvclive calls', pCall.seconds, 's', pCall.callSeconds, 's in calls');
let callBytes = 'not compared (different call counts)';
if (PY_CALLS === CALLS) callBytes = sameBytes(tCall.cwd, pCall.cwd) ? 'identical' : 'DIFFERENT';
else {
  const same = run('ts-calls-small', 'ts', tsCalls(PY_CALLS));
  callBytes = sameBytes(same.cwd, pCall.cwd) ? `identical (at ${PY_CALLS} calls)` : 'DIFFERENT';
}
void size;

const perStep = (r, n) => ((r.seconds / n) * 1000).toFixed(3);
const rate = (n, s) => Math.round(n / s).toLocaleString('en');
const md = `## live — \`node bench/live.mjs ${args.join(' ')}\`

${machine()}. One run each, wall time of the whole process (start-up included); a shared host
(2 cores, others' builds and tests may run beside it: load average ${LOAD} at the start), so
absolute numbers are noisy — the ratios are what to read. DVCLive 3.49 runs with DVC 3.64.0 from the test venv
(the DVC version above is the one on the PATH). DVCLive runs fewer steps and calls (its cost is
per step and per call, so its rate does not depend on the count); the bytes are compared at
DVCLive's count. The 1,000,000-call case's whole-process time and peak RSS are the trove run's:
its events are handed to the run in slices of 100,000 values and saved in the background. Event
files are appended as segments: the first save writes \`<name>.plx\`, each later one only its new
rows as a create-only \`<name>.plx.000001\`, … (object stores cannot append; the file was
rewritten whole on every save before, and this case peaked at 410 MiB).

| case | trove | DVCLive 3.49 | trove speed-up |
|---|---|---|---|
| ${METRICS} metrics × steps with \`nextStep()\` (ms per step) | ${perStep(tStep, STEPS)} (${STEPS} steps, ${tStep.seconds} s) | ${perStep(pStep, PY_STEPS)} (${PY_STEPS} steps, ${pStep.seconds} s) | **${(pStep.seconds / PY_STEPS / (tStep.seconds / STEPS)).toFixed(0)}×** (target ≥ 20×) |
| \`logMetric\` calls without steps (calls/s, the calls alone) | ${rate(CALLS, tCall.callSeconds)} (${CALLS}) | ${rate(PY_CALLS, pCall.callSeconds)} (${PY_CALLS}) | **${(PY_CALLS / pCall.callSeconds ? CALLS / tCall.callSeconds / (PY_CALLS / pCall.callSeconds) : 0).toFixed(0)}×** (target ≥ 1,000,000/s) |
| the same, whole process incl. \`end()\` (s) | ${tCall.seconds} | ${pCall.seconds} | |
| peak RSS, steps / calls (MiB) | ${tStep.rssMiB.toFixed(0)} / ${tCall.rssMiB.toFixed(0)} | ${pStep.rssMiB.toFixed(0)} / ${pCall.rssMiB.toFixed(0)} | target ≤ 200 |

Output bytes (\`dvclive/\` and \`dvc.yaml\`): steps ${stepBytes}; calls ${callBytes}.
`;
writeSection('live', md);
console.log(md);
