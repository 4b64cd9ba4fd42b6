import type { RunRecord, Store } from '@trove/core';
import type { Command } from 'commander';
import { forEachRun, type GlobalOptions, withStore } from '../context.js';
import { formatBytes, printJson, printTable } from '../output.js';

export function registerRuns(program: Command, globals: () => GlobalOptions): void {
  const runs = program.command('runs').description('list and inspect runs');
  runs
    .command('ls')
    .description('list runs, newest first')
    .action(() =>
      withStore(globals(), async (store) => {
        const records = await readRuns(store);
        if (globals().json) return printJson(records);
        printTable(
          ['ID', 'NAME', 'STATUS', 'STARTED', 'ARTIFACTS'],
          records.map((r) => [r.id, r.name, r.status, r.startTime, String(r.artifacts)]),
        );
      }),
    );
  runs
    .command('show')
    .description('show one run: params, summary, artifacts and lineage')
    .argument('<run>', 'run id or a unique prefix of it')
    .action((ref: string) =>
      withStore(globals(), async (store) => {
        const id = await store.resolveRunId(ref);
        const [run, artifacts, lineage] = await Promise.all([
          store.readRun(id),
          store.readArtifacts(id),
          store.readLineage(id),
        ]);
        if (globals().json) return printJson({ run, artifacts: Object.values(artifacts), lineage });
        const out = process.stdout;
        out.write(`run ${run.id}  ${run.name}  ${run.status}\n`);
        out.write(`started ${run.startTime}${run.endTime ? `  ended ${run.endTime}` : ''}\n`);
        if (run.git?.commit) out.write(`git ${run.git.branch ?? ''} ${run.git.commit}\n`);
        if (Object.keys(run.params).length > 0) out.write(`params ${JSON.stringify(run.params)}\n`);
        if (Object.keys(run.summary).length > 0)
          out.write(`summary ${JSON.stringify(run.summary)}\n`);
        out.write('\n');
        printTable(
          ['PATH', 'NAME', 'TYPE', 'SIZE', 'MD5'],
          Object.values(artifacts).map((a) => [
            a.path,
            a.name,
            a.type ?? '',
            formatBytes(a.size),
            a.md5,
          ]),
        );
        if (lineage.length > 0) {
          out.write('\n');
          printTable(
            ['DIRECTION', 'NAME', 'KIND', 'PATH'],
            lineage.map((l) => [
              l.isInput ? 'input' : l.isRef ? 'ref' : 'output',
              l.name,
              l.kind,
              l.path,
            ]),
          );
        }
      }),
    );
}

async function readRuns(store: Store): Promise<Array<RunRecord & { artifacts: number }>> {
  return forEachRun(await store.listRunIds(), async (id) => ({
    ...(await store.readRun(id)),
    artifacts: Object.keys(await store.readArtifacts(id)).length,
  }));
}
