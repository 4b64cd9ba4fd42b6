import { type RunRow, type Store, searchRuns, TroveError } from '@trove/core';
import type { Command } from 'commander';
import { type GlobalOptions, warnSkipped, withStore } from '../context.js';
import { formatBytes, printJson, printTable } from '../output.js';
import { cellText, columnValue, DEFAULT_COLUMNS } from './run-columns.js';

export function registerRuns(program: Command, globals: () => GlobalOptions): void {
  const runs = program.command('runs').description('list and inspect runs');
  const listing = (filter: string | undefined, opts: ListOptions) =>
    withStore(globals(), async (store) => {
      const rows = await searchRuns(store, {
        ...(filter !== undefined ? { filter } : {}),
        ...(opts.orderBy !== undefined ? { orderBy: opts.orderBy } : {}),
        ...(opts.limit !== undefined ? { limit: wholeNumber(opts.limit, '--limit') } : {}),
        onDamaged: warnSkipped,
      });
      if (globals().json) return printJson(rows.map(publicRun));
      const columns = opts.columns ?? DEFAULT_COLUMNS;
      const cells = rows.map((row) => columns.map((c) => cellText(columnValue(row, c))));
      printTable(
        columns.map((c) => c.toUpperCase()),
        cells,
      );
    });
  runs
    .command('ls')
    .description('list runs, newest first')
    .option('--order-by <key...>', 'order, e.g. "metrics.acc DESC" (default: newest first)')
    .option('--limit <n>', 'at most n runs')
    .option('--columns <column...>', `columns to show (default: ${DEFAULT_COLUMNS.join(' ')})`)
    .action((opts: ListOptions) => listing(undefined, opts));
  runs
    .command('search')
    .description("find runs with a filter in MLflow's grammar, plus or and parentheses")
    .argument('<filter>', `e.g. "metrics.acc > 0.9 and params.lr = '0.01'"`)
    .option('--order-by <key...>', 'order, e.g. "metrics.acc DESC" (default: newest first)')
    .option('--limit <n>', 'at most n runs')
    .option('--columns <column...>', `columns to show (default: ${DEFAULT_COLUMNS.join(' ')})`)
    .action((filter: string, opts: ListOptions) => listing(filter, opts));
  runs
    .command('show')
    .description('show one run: params, summary, artifacts, lineage and what retention expired')
    .argument('<run>', 'run id or a unique prefix of it')
    .action((ref: string) =>
      withStore(globals(), async (store) => {
        const id = await store.resolveRunId(ref);
        const [run, artifacts, lineage, expired] = await Promise.all([
          store.readRun(id),
          store.readArtifacts(id),
          store.readLineage(id),
          store.readExpired(id),
        ]);
        if (globals().json) {
          return printJson({ run, artifacts: Object.values(artifacts), lineage, expired });
        }
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
        printExpired(expired);
      }),
    );
}

/** What retention expired of the run (`trove gc --policy`): when, which artifact, why. */
function printExpired(records: Awaited<ReturnType<Store['readExpired']>>): void {
  const rows = records.flatMap((r) =>
    r.artifacts.map((a) => [r.at, a.path, a.name, formatBytes(a.size), a.md5, a.reason]),
  );
  if (rows.length === 0) return;
  process.stdout.write('\n');
  printTable(['EXPIRED', 'PATH', 'NAME', 'SIZE', 'MD5', 'REASON'], rows);
}

interface ListOptions {
  orderBy?: string[];
  limit?: string;
  columns?: string[];
}

function wholeNumber(text: string, option: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) {
    throw new TroveError(
      'INVALID_ARGUMENT',
      `${option} takes a whole number, not ${JSON.stringify(text)}.`,
    );
  }
  return n;
}

/** A run as `--json` prints it: the record's names (camelCase), the latest metrics. */
function publicRun(row: RunRow) {
  return {
    id: row.run_id,
    name: row.name,
    status: row.status,
    startTime: row.start_time.toISOString(),
    ...(row.end_time ? { endTime: row.end_time.toISOString() } : {}),
    ...(row.experiment !== null ? { experiment: row.experiment } : {}),
    user: row.user,
    host: row.host,
    ...(row.git_commit !== null ? { git: { commit: row.git_commit, branch: row.git_branch } } : {}),
    params: row.params,
    metrics: row.metrics,
    tags: row.tags,
    artifacts: row.artifact_count,
  };
}
