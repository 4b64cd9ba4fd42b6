import type { ArtifactRecord } from '@trove/core';
import type { Command } from 'commander';
import { forEachRun, type GlobalOptions, withStore } from '../context.js';
import { formatBytes, printJson, printTable } from '../output.js';

export function registerLs(program: Command, globals: () => GlobalOptions): void {
  program
    .command('ls')
    .description('list logged artifacts, newest run first')
    .option('--run <id>', 'only this run')
    .option('--type <type>', 'only artifacts of this type')
    .action((o: { run?: string; type?: string }) =>
      withStore(globals(), async (store) => {
        const ids = o.run ? [await store.resolveRunId(o.run)] : await store.listRunIds();
        const rows: Array<ArtifactRecord & { run: string }> = [];
        await forEachRun(ids, async (id) => {
          for (const a of Object.values(await store.readArtifacts(id))) {
            if (o.type === undefined || a.type === o.type) rows.push({ run: id, ...a });
          }
        });
        if (globals().json) return printJson(rows);
        printTable(
          ['RUN', 'PATH', 'NAME', 'TYPE', 'SIZE', 'MD5'],
          rows.map((a) => [a.run, a.path, a.name, a.type ?? '', formatBytes(a.size), a.md5]),
        );
      }),
    );
}
