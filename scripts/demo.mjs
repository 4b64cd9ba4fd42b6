// The quickstart demo: a tiny "training" pipeline logged with trove on the embedded local store,
// then a second run that uses its model, then the CLI showing what was recorded.
// Runs in ./demo-project (recreated each time).
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withRun } from '@trove/core';

const repo = fileURLToPath(new URL('..', import.meta.url));
const cwd = join(repo, 'demo-project');
rmSync(cwd, { recursive: true, force: true });
mkdirSync(join(cwd, 'data/images'), { recursive: true });
const trove = (...args) => {
  console.log(`\n$ trove ${args.join(' ')}`);
  const r = spawnSync(process.execPath, [join(repo, 'packages/cli/dist/bin.js'), ...args], {
    cwd,
    stdio: 'inherit',
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
};
trove('init');

// A dataset: a folder of files.
for (let i = 0; i < 20; i++) writeFileSync(join(cwd, `data/images/${i}.png`), `image ${i}`);
writeFileSync(join(cwd, 'data/labels.csv'), 'id,label\n0,cat\n1,dog\n');

// Run 1: "train" — params, metrics per step, a checkpoint per step, the final model.
// (Plain JavaScript on Node 20 has no `await using`; `withRun` ends the run, `failed` if it throws.)
await withRun({ cwd, name: 'train', params: { lr: 0.001, epochs: 3 } }, async (run) => {
  // `dvc: true`: write data.dvc as `dvc add` would (by default only inside a DVC repository).
  await run.logArtifact('data', {
    type: 'dataset',
    name: 'pets',
    desc: 'Cats and dogs',
    dvc: true,
  });
  for (let epoch = 0; epoch < 3; epoch++) {
    run.logMetric('train/loss', 1 / (epoch + 1));
    writeFileSync(join(cwd, 'model.pt'), `weights after epoch ${epoch}`);
    await run.logArtifact('model.pt', { type: 'model', name: 'checkpoint', step: epoch });
    await run.nextStep();
  }
  await run.logArtifact('model.pt', {
    type: 'model',
    name: 'mymodel',
    desc: 'Fine-tuned Resnet50',
    labels: ['resnet', 'imagenet'],
    meta: { framework: 'pytorch' },
    dvc: true,
  });
  console.log(`\nrun ${run.id} logged ${Object.keys(run.artifacts).length} artifacts`);
});

// Run 2: "evaluate" — uses the newest "mymodel" (a reflink or copy, md5-checked) and records the input.
await withRun({ cwd, name: 'evaluate' }, async (run) => {
  const used = await run.useArtifact('mymodel', { to: 'eval/model.pt' });
  console.log(
    `run ${run.id} used ${used.name} (${used.md5}) via ${Object.keys(used.links).join(', ')}`,
  );
  run.logMetric('accuracy', 0.93);
});

trove('runs', 'ls');
// The store is the database: runs by MLflow's filter grammar (plus or/parentheses), and SQL.
trove(
  'runs',
  'search',
  'metrics.accuracy > 0.9 or params.lr < 0.01',
  '--columns',
  'name',
  'status',
  'params.lr',
  'metrics.accuracy',
);
trove('sql', 'SELECT name, type, count(*) AS n FROM artifacts GROUP BY name, type ORDER BY name');
trove('ls');
trove('lineage', 'mymodel');
trove('verify');
console.log(
  `\nEverything is in ${join(cwd, '.trove')}; model.pt.dvc and data.dvc are what \`dvc add\` would write.`,
);
