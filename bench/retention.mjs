#!/usr/bin/env node
// bench/retention: `trove gc --policy` on a local store of 10,000 artifacts (issue 23). The
// generator writes the run folders straight into the store (100 runs of 100 artifacts: run.json,
// artifacts.json, lineage.jsonl) and each artifact's bytes as a content object, logged over the
// last 90 days: checkpoints `ckpt-0` … `ckpt-9` (80%), models (10%), datasets (10%). Each run
// reads two checkpoints of the run before; 20 checkpoints are registered as model versions (5 of
// them with a registry alias) and 20 have an artifact alias. Policies: checkpoints keep the
// newest 5 of each name and expire after 30 days; datasets expire after 60 days.
// The dry run and the real run must list the same artifacts and objects, and no aliased,
// registered or input checkpoint may lose its bytes.
// Usage: node bench/retention.mjs [--artifacts 10000]
// Needs: a build (pnpm build). Writes its section of bench/RESULTS.md.
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadAverages, machine, REPO, TROVE, wall, writeSection } from './lib.mjs';

const args = process.argv.slice(2);
const TOTAL = Number(args[args.indexOf('--artifacts') + 1] || 10_000);
const PER_RUN = 100;
const RUNS = TOTAL / PER_RUN;
const DAY = 86_400_000;
const dist = (p) => import(pathToFileURL(join(REPO, 'packages/core/dist', p)).href);
const core = await dist('index.js');
const { setArtifactAlias } = await dist('registry/artifact-aliases.js');
const { ModelRegistry } = await dist('registry/model-registry.js');

const project = join(tmpdir(), 'trove-bench-retention', `a${TOTAL}`);
rmSync(project, { recursive: true, force: true });
mkdirSync(join(project, '.trove'), { recursive: true });
writeFileSync(
  join(project, 'trove.yaml'),
  'retention:\n  - match: { type: checkpoint }\n    keep: { last: 5 }\n    ttl: 30d\n  - match: { type: dataset }\n    ttl: 60d\n',
);
const store = await core.openStore({ cwd: project });
const now = Date.now();
const md5 = (text) => createHash('md5').update(text).digest('hex');
const t0 = performance.now();
const checkpoints = [];
for (let r = 0; r < RUNS; r++) {
  const id = (BigInt(now - (RUNS - r) * 60_000) * 2n ** 80n + BigInt(r))
    .toString(16)
    .padStart(32, '0');
  const start = new Date(now - (RUNS - r) * ((90 * DAY) / RUNS));
  const artifacts = {};
  const lineage = [];
  const row = (name, kind, path, isInput, hash) => ({
    name,
    kind,
    path,
    isInput,
    isRef: false,
    run: id,
    connection: 'default',
    summary: { hash: `md5:${hash}`, md5: hash, size: 24 },
    timestamp: start.toISOString(),
  });
  for (const prev of checkpoints.slice(-2)) {
    lineage.push(row(prev.name, 'checkpoint', `runs:/${prev.runId}/${prev.path}`, true, prev.md5));
  }
  for (let a = 0; a < PER_RUN; a++) {
    const i = r * PER_RUN + a;
    const type = i % 10 < 8 ? 'checkpoint' : i % 10 === 8 ? 'model' : 'dataset';
    const name = type === 'checkpoint' ? `ckpt-${i % 10}` : `${type}-${i % 7}`;
    const text = `artifact ${i} of the retention bench\n`;
    const hash = md5(text);
    const dir = join(project, '.trove/files/md5', hash.slice(0, 2));
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, hash.slice(2)), text);
    const path = `outputs/${name}/${a}.bin`;
    const loggedAt = new Date(start.getTime() + a * 1000).toISOString();
    artifacts[path] = {
      path,
      name,
      type,
      md5: hash,
      size: text.length,
      isdir: false,
      cached: true,
      source: `${a}.bin`,
      loggedAt,
    };
    lineage.push(row(name, type, path, false, hash));
    if (type === 'checkpoint') checkpoints.push({ runId: id, path, name, md5: hash });
  }
  const record = {
    id,
    name: `run-${r}`,
    status: 'completed',
    startTime: start.toISOString(),
    endTime: start.toISOString(),
    params: {},
    summary: {},
    tags: {},
    host: { hostname: 'bench', user: 'bench', platform: 'linux', node: process.version },
    root: project,
  };
  await store.writeJson(store.runKey(id, 'run.json'), record);
  await store.writeJson(store.runKey(id, 'artifacts.json'), artifacts);
  await store.meta.write(
    store.runKey(id, 'lineage.jsonl'),
    `${lineage.map((l) => JSON.stringify(l)).join('\n')}\n`,
  );
}
// 20 registered versions (every 5th with an alias) and 20 artifact aliases, on old checkpoints.
const registry = new ModelRegistry(store);
const registered = checkpoints.filter((_, i) => i % 97 === 1).slice(0, 20);
for (const [i, c] of registered.entries()) {
  const v = await registry.createVersion('bench-model', {
    source: `runs:/${c.runId}/${c.path}`,
    md5: c.md5,
    isdir: false,
    runId: c.runId,
  });
  if (i % 5 === 0) await registry.setAlias('bench-model', `a${i}`, v.version);
}
const aliased = checkpoints.filter((_, i) => i % 89 === 3).slice(0, 20);
for (const [i, c] of aliased.entries()) await setArtifactAlias(store, c.name, `keep-${i}`, c);
await store.close();
const generated = (performance.now() - t0) / 1000;

const env = { TROVE_CACHE_DIR: join(project, 'cache') };
const run = (extra) => {
  const r = wall(`node ${TROVE} gc --policy --grace 0 --json ${extra}`, { cwd: project, env });
  return { ...JSON.parse(r.stdout), seconds: r.seconds };
};
const dry = run('--dry-run');
const real = run('');
const objects = (r) =>
  r.removed
    .filter((x) => x.kind !== 'table-file')
    .map((x) => x.key)
    .sort();
const same =
  JSON.stringify(dry.expired) === JSON.stringify(real.expired) &&
  JSON.stringify(objects(dry)) === JSON.stringify(objects(real)) &&
  dry.bytes === real.bytes;
if (!same) throw new Error('the dry run and the real run differ');
const check = await core.openStore({ cwd: project });
const protectedMd5s = new Set([...registered, ...aliased].map((c) => c.md5));
let lost = 0;
for (const m of protectedMd5s) if (!(await check.objects.has(m))) lost++;
await check.close();
if (lost > 0) throw new Error(`${lost} protected objects were removed`);
const by = (r) =>
  Object.entries(Object.groupBy(r.protected, (p) => p.by))
    .map(([k, v]) => `${k} ${v.length}`)
    .join(', ');
const again = run('--dry-run');

const md = `## retention — \`node bench/retention.mjs --artifacts ${TOTAL}\`

${machine()}. Load average at the end: ${loadAverages()}. ${TOTAL.toLocaleString('en')} artifacts in ${RUNS} runs written straight into a local store (${generated.toFixed(1)} s), logged over 90 days: 80% checkpoints in 10 names, models, datasets; each run reads two checkpoints of the run before; 20 registered versions (4 with a registry alias) and 20 artifact aliases. Policies: checkpoints keep 5 a name, ttl 30d; datasets ttl 60d. \`trove gc --policy --grace 0 --json\`, a new process each.

| run | expired | kept by a protection | objects removed | bytes | seconds |
|---|---|---|---|---|---|
| \`--dry-run\` | ${dry.expired.length.toLocaleString('en')} | ${dry.protected.length} (${by(dry)}) | ${objects(dry).length.toLocaleString('en')} | ${dry.bytes.toLocaleString('en')} | ${dry.seconds.toFixed(2)} |
| real | ${real.expired.length.toLocaleString('en')} | ${real.protected.length} (${by(real)}) | ${objects(real).length.toLocaleString('en')} | ${real.bytes.toLocaleString('en')} | ${real.seconds.toFixed(2)} |
| \`--dry-run\` again | ${again.expired.length} | ${again.protected.length} | ${objects(again).length} | ${again.bytes} | ${again.seconds.toFixed(2)} |

The dry run and the real run list the same ${real.expired.length.toLocaleString('en')} artifacts and the same ${objects(real).length.toLocaleString('en')} objects (checked by the script); none of the ${protectedMd5s.size} aliased or registered checkpoints lost its bytes.
`;
writeSection('retention', md);
console.log(md);
