import { cacheStatus, type PrunedCache, pruneCache } from '@trove/core';
import type { Command } from 'commander';
import { type GlobalOptions, storeOptions } from '../context.js';
import { formatBytes, printJson, printTable } from '../output.js';

/** `trove cache [status] | prune | clear`: this machine's read-through caches of the stores. */
export function registerCache(program: Command, globals: () => GlobalOptions): void {
  const cache = program
    .command('cache')
    .description(
      "this machine's read-through caches of the project's stores (cache: in trove.yaml)",
    );
  const options = () => storeOptions(globals());
  /** The caches as JSON, or `text` of them, or the line that says there is none. */
  const show = <T>(caches: T[], text: (caches: T[]) => void): void => {
    if (globals().json) printJson(caches);
    else if (globals().quiet) return;
    else if (caches.length === 0) noCache();
    else text(caches);
  };
  cache
    .command('status', { isDefault: true })
    .description('each cache folder: its stores, objects, bytes and limit')
    .action(async () =>
      show(await cacheStatus(options()), (caches) =>
        printTable(
          ['FOLDER', 'STORES', 'OBJECTS', 'SIZE', 'LIMIT', 'TEMP FILES'],
          caches.map((c) => [
            c.dir,
            c.stores.join(' '),
            c.objects.toLocaleString('en'),
            formatBytes(c.bytes),
            formatBytes(c.size),
            String(c.temps),
          ]),
        ),
      ),
    );
  cache
    .command('prune')
    .description(
      "remove the least recently used objects down to a size (default: each cache's limit), and temp files left by processes that died",
    )
    .option('--to <size>', 'bytes to keep in each cache: 500MB, 2GiB, 0')
    .option('--dry-run', 'say what would be removed; remove nothing')
    .action(async (o: { to?: string; dryRun?: boolean }) =>
      show(
        await pruneCache({
          ...options(),
          ...(o.to !== undefined ? { to: o.to } : {}),
          dryRun: Boolean(o.dryRun),
        }),
        printPruned,
      ),
    );
  cache
    .command('clear')
    .description('remove every cached object (the stores keep theirs)')
    .option('--dry-run', 'say what would be removed; remove nothing')
    .action(async (o: { dryRun?: boolean }) =>
      show(await pruneCache({ ...options(), to: 0, dryRun: Boolean(o.dryRun) }), printPruned),
    );
}

/** What each cache's prune removed and kept, a line a folder. */
function printPruned(caches: PrunedCache[]): void {
  for (const c of caches) {
    const verb = c.dryRun ? 'would remove' : 'removed';
    const temps =
      c.staleTemps > 0 ? ` and ${c.staleTemps} temp file(s) left by a process that died` : '';
    process.stdout.write(
      `${c.dir}: ${verb} ${c.removed.toLocaleString('en')} object(s), ${formatBytes(c.freed)}${temps}; ${c.dryRun ? 'would keep' : 'kept'} ${c.objects.toLocaleString('en')}, ${formatBytes(c.bytes)} (limit ${formatBytes(c.size)})\n`,
    );
  }
}

function noCache(): void {
  process.stdout.write(
    'No store of this project has a cache here: add cache: { size: 10GB } to a remote store in trove.yaml.\n',
  );
}
