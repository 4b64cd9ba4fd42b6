import { indexTables, sql } from '@trove/core';
import type { Command } from 'commander';
import { type GlobalOptions, warnSkipped, withStore } from '../context.js';
import { printJson, printTable } from '../output.js';
import { cellText } from './run-columns.js';

export function registerTables(program: Command, globals: () => GlobalOptions): void {
  program
    .command('index')
    .description("commit the runs the store's tables do not hold yet (the backlog)")
    .option('--rebuild', 'rebuild every table from the run folders')
    .option('--optimize', "compact the tables' small files into large ones")
    .action((opts: { rebuild?: boolean; optimize?: boolean }) =>
      withStore(globals(), async (store) => {
        const started = performance.now();
        const result = await indexTables(store, {
          rebuild: Boolean(opts.rebuild),
          optimize: Boolean(opts.optimize),
          onDamaged: warnSkipped,
        });
        const seconds = Number(((performance.now() - started) / 1000).toFixed(3));
        if (globals().json) return printJson({ ...result, seconds });
        if (!globals().quiet) {
          process.stdout.write(
            `indexed ${result.runs} run${result.runs === 1 ? '' : 's'}, cleared ${result.cleared} backlog marker${result.cleared === 1 ? '' : 's'} in ${seconds} s\n`,
          );
        }
      }),
    );
  program
    .command('sql')
    .description('run SQL over the tables: runs, metrics, artifacts, lineage')
    .argument('<query>', 'e.g. "SELECT name, metrics[\'acc\'] FROM runs ORDER BY 2 DESC LIMIT 5"')
    .action((query: string) =>
      withStore(globals(), async (store) => {
        const result = await sql(store, query);
        if (globals().json) return printJson(result.rows);
        printTable(
          result.columns.map((c) => c.toUpperCase()),
          result.rows.map((row) => result.columns.map((c) => cellText(row[c]))),
        );
      }),
    );
}
