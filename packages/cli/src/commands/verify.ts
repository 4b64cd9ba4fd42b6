import { createHash } from 'node:crypto';
import { type ContentStore, isTroveError, type Store } from '@trove/core';
import type { Command } from 'commander';
import { type GlobalOptions, withStore } from '../context.js';
import { EXIT, printJson } from '../output.js';

interface Problem {
  run: string;
  artifact: string;
  md5: string;
  problem: 'missing' | 'corrupt' | 'damaged-record';
}

export function registerVerify(program: Command, globals: () => GlobalOptions): void {
  program
    .command('verify')
    .description('check that every stored artifact is complete and matches its md5')
    .option('--run <id>', 'only this run')
    .option('--quick', 'check presence only; do not re-read content')
    .action((o: { run?: string; quick?: boolean }) =>
      withStore(globals(), async (store) => {
        const result = await verifyStore(store, o.run, !o.quick);
        if (globals().json) printJson(result);
        else {
          for (const p of result.problems)
            process.stdout.write(`${p.problem}: ${p.md5} (${p.artifact} in run ${p.run})\n`);
          process.stdout.write(
            `${result.objects} objects checked, ${result.problems.length} problems\n`,
          );
        }
        if (result.problems.length > 0) process.exitCode = EXIT.INTEGRITY;
      }),
    );
}

async function verifyStore(store: Store, run: string | undefined, deep: boolean) {
  const ids = run ? [await store.resolveRunId(run)] : await store.listRunIds();
  const checked = new Map<string, Problem['problem'] | undefined>();
  const problems: Problem[] = [];
  for (const id of ids) {
    let artifacts: Awaited<ReturnType<Store['readArtifacts']>>;
    try {
      artifacts = await store.readArtifacts(id);
      await store.readRun(id);
      await store.readLineage(id);
    } catch (err) {
      if (!isTroveError(err, 'CORRUPT')) throw err;
      problems.push({ run: id, artifact: err.key ?? '', md5: '', problem: 'damaged-record' });
      continue;
    }
    for (const a of Object.values(artifacts)) {
      if (!a.cached) continue;
      const md5s = [a.md5];
      if (a.md5.endsWith('.dir')) {
        const problem = await checkObject(store.objects, a.md5, deep, checked);
        if (problem) {
          problems.push({ run: id, artifact: a.path, md5: a.md5, problem });
          continue;
        }
        md5s.push(...(await store.objects.readManifest(a.md5)).map((e) => e.md5));
      }
      for (const md5 of md5s) {
        const problem = await checkObject(store.objects, md5, deep, checked);
        if (problem) problems.push({ run: id, artifact: a.path, md5, problem });
      }
    }
  }
  return { runs: ids.length, objects: checked.size, problems };
}

async function checkObject(
  objects: ContentStore,
  md5: string,
  deep: boolean,
  seen: Map<string, Problem['problem'] | undefined>,
): Promise<Problem['problem'] | undefined> {
  if (seen.has(md5)) return seen.get(md5);
  let problem: Problem['problem'] | undefined;
  try {
    if (!deep) {
      await objects.backend.stat(objects.key(md5));
    } else {
      const { body } = await objects.backend.read(objects.key(md5));
      const hash = createHash('md5');
      for await (const chunk of body) hash.update(chunk as Buffer);
      if (hash.digest('hex') !== md5.replace(/\.dir$/, '')) problem = 'corrupt';
    }
  } catch (err) {
    if (!isTroveError(err, 'NOT_FOUND')) throw err;
    problem = 'missing';
  }
  seen.set(md5, problem);
  return problem;
}
