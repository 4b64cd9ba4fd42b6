#!/usr/bin/env node
// bench/sync-kill: kill -9 at a random moment of `trove push`, 20 trials each from the local store
// to S3 (moto) and from GCS (fake-gcs-server) to Azure (Azurite). Each trial logs new content
// first (a 16 MiB file, a folder of 200 files, a registered model version), then starts a push
// and kills it between 10% and 110% of the time a whole push took here (the first trial runs
// whole and times it). Then the same push runs to the end, and the target is checked:
// `trove verify` clean, every run and registry version of the source there, every object under
// files/md5/ holding bytes with its md5 (none half-written), and a further push sends nothing.
// Usage: node bench/sync-kill.mjs [--trials 20] [--only s3|azure]
// Needs: a build, moto_server, fake-gcs-server (go install), Azurite (test-utils devDependency).
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadAverages, machine, REPO, startMoto, TROVE, writeSection } from './lib.mjs';
import {
  createAzuriteContainer,
  createFakeGcsBucket,
  startAzurite,
  startFakeGcs,
} from './servers.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const TRIALS = Number(option('--trials', 20)) || 20;
const only = option('--only', 'all');
const WORK = join(tmpdir(), 'trove-bench-sync-kill');
const { openStore } = await import(join(REPO, 'packages/core/dist/index.js'));

function trove(argv, cwd, env) {
  const r = spawnSync(process.execPath, [TROVE, ...argv], {
    cwd,
    env: { ...process.env, CI: '1', ...env },
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`trove ${argv.join(' ')}: ${r.status} ${r.stderr}`);
  return r.stdout;
}
const troveJson = (argv, cwd, env) => JSON.parse(trove([...argv, '--json'], cwd, env));

function logSome(cwd, env, tag) {
  writeFileSync(join(cwd, `model-${tag}.bin`), randomBytes(16 * 1024 * 1024));
  mkdirSync(join(cwd, `data-${tag}`));
  for (let i = 0; i < 200; i++)
    writeFileSync(
      join(cwd, `data-${tag}`, `f${i}`),
      `${tag} ${i} ${randomBytes(16).toString('hex')}`,
    );
  const added = troveJson(['add', `model-${tag}.bin`], cwd, env);
  troveJson(['add', `data-${tag}`], cwd, env);
  trove(['models', 'register', `runs:/${added.run}/${added.artifact.path}`, 'clf'], cwd, env);
}

function pushOnce(cwd, env, killAfterMs) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [TROVE, 'push'], {
      cwd,
      env: { ...process.env, CI: '1', ...env },
      stdio: 'ignore',
    });
    const timer =
      killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, ms: Date.now() - t0 });
    });
  });
}

async function objectsWhole(cwd, env) {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const store = await openStore({ cwd, store: 'team', resolveFrom: [join(REPO, 'packages/cli')] });
  let whole = 0;
  let broken = 0;
  try {
    const prefix = `${store.objects.prefix ? `${store.objects.prefix}/` : ''}files/md5/`;
    for await (const e of store.objects.backend.list(prefix)) {
      const md5 = e.key
        .slice(prefix.length)
        .replace('/', '')
        .replace(/\.dir$/, '');
      const hash = createHash('md5');
      for await (const chunk of (await store.objects.backend.read(e.key)).body) hash.update(chunk);
      if (hash.digest('hex') === md5) whole++;
      else broken++;
    }
  } finally {
    await store.close();
    process.env = saved;
  }
  return { whole, broken };
}

async function trials(name, cwd, env, source) {
  let took;
  let killed = 0;
  for (let t = 0; t < TRIALS; t++) {
    logSome(cwd, env, `t${t}`);
    const r = await pushOnce(
      cwd,
      env,
      took === undefined
        ? undefined
        : randomInt(Math.floor(took / 10), Math.ceil((took * 11) / 10)),
    );
    if (took === undefined) took = r.ms;
    if (r.signal === 'SIGKILL') killed++;
    else if (r.code !== 0) throw new Error(`${name}: push exited ${r.code}`);
    process.stderr.write(
      `${name}: trial ${t + 1}/${TRIALS} ${r.signal ?? 'finished'} after ${r.ms} ms\n`,
    );
  }
  const plan = troveJson(['push', '--dry-run'], cwd, env);
  const last = troveJson(['push'], cwd, env);
  const again = troveJson(['push'], cwd, env);
  const verify = troveJson(['--store', 'team', 'verify'], cwd, env);
  const runs = (store) =>
    troveJson([...(store ? ['--store', store] : []), 'runs', 'ls'], cwd, env)
      .map((r) => r.id)
      .sort()
      .join();
  const versions = (store) =>
    troveJson([...(store ? ['--store', store] : []), 'models', 'show', 'clf'], cwd, env)
      .versions.map((v) => v.md5)
      .sort()
      .join();
  const objects = await objectsWhole(cwd, env);
  const sourceRuns = runs(source).split(',').length;
  return {
    name,
    fullPushMs: took,
    killed,
    finished: TRIALS - killed,
    resumed: `${last.objects} objects (${(last.bytes / 2 ** 20).toFixed(1)} MiB), ${last.runs} runs`,
    planMatches: plan.objects === last.objects && plan.bytes === last.bytes,
    thenNothing: again.objects === 0 && again.runs === 0 && again.models === 0,
    verifyProblems: verify.problems.length,
    runsThere: runs('team') === runs(source) ? `all ${sourceRuns}` : 'MISSING',
    versionsThere: versions('team') === versions(source) ? `all ${TRIALS}` : 'MISSING',
    objects,
  };
}

rmSync(WORK, { recursive: true, force: true });
mkdirSync(WORK, { recursive: true });
const results = [];
const servers = [];
try {
  if (only === 'all' || only === 's3') {
    const moto = await startMoto(join(WORK, 'moto'));
    servers.push(moto);
    const env = {
      AWS_ACCESS_KEY_ID: 'bench',
      AWS_SECRET_ACCESS_KEY: 'bench',
      AWS_REGION: 'us-east-1',
    };
    await fetch(`${moto.url}/sync-kill`, { method: 'PUT' });
    const cwd = join(WORK, 's3');
    mkdirSync(cwd);
    trove(['init'], cwd, env);
    writeFileSync(
      join(cwd, 'trove.yaml'),
      `remote: team\nstores:\n  team: { type: s3, bucket: sync-kill, endpoint: "${moto.url}", forcePathStyle: true, prefix: trove }\n`,
    );
    results.push(await trials('local → S3 (moto)', cwd, env));
  }
  if (only === 'all' || only === 'azure') {
    const fake = await startFakeGcs(join(WORK, 'gcs'));
    const azurite = await startAzurite(join(WORK, 'azurite'));
    servers.push(fake, azurite);
    await createFakeGcsBucket(fake.url, 'sync-kill');
    await createAzuriteContainer(azurite.connectionString, 'sync-kill');
    const env = { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString };
    const cwd = join(WORK, 'azure');
    mkdirSync(cwd);
    trove(['init'], cwd, env);
    writeFileSync(
      join(cwd, 'trove.yaml'),
      `store: gcs\nremote: team\nstores:\n  gcs: { type: gcs, bucket: sync-kill, apiEndpoint: "${fake.url}", projectId: bench, prefix: trove }\n  team: { type: azure, container: sync-kill, prefix: trove }\n`,
    );
    results.push(await trials('GCS (fake-gcs-server) → Azure (Azurite)', cwd, env, 'gcs'));
  }
} finally {
  for (const s of servers) s.stop();
}

const rows = results.map(
  (r) =>
    `| ${r.name} | ${TRIALS} | ${r.killed} | ${r.finished} | ${(r.fullPushMs / 1000).toFixed(1)} s | ${r.resumed} | ${r.planMatches ? 'yes' : 'NO'} | ${r.thenNothing ? 'yes' : 'NO'} | ${r.verifyProblems} | ${r.runsThere} | ${r.versionsThere} | ${r.objects.whole} whole, ${r.objects.broken} not |`,
);
writeSection(
  'sync-kill',
  `## sync-kill: kill -9 during \`trove push\`, then the same push (\`bench/sync-kill.mjs\`)

${machine()}; load average before: ${loadAverages()}.
Each trial logs new content (16 MiB file, 200-file folder, a model version) and kills a push at a
random moment between 10% and 110% of a whole push (the first trial, timed). Then one push to the
end; "resumed" is what it sent, which the dry run before it predicted exactly ("plan matches").

| from → to | trials | killed | finished | whole push | resumed push sent | plan matches | next push sends nothing | verify problems | runs on target | versions on target | objects on target |
|---|---|---|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}
`,
);
process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
