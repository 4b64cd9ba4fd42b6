import { cacheStatus, type PrunedCache, pruneCache } from '@trove/core';
import type { Command } from 'commander';
import { cwdOf, type GlobalOptions } from '../context.js';
import { formatBytes, printJson, printTable } from '../output.js';

/** `trove cache [status] | prune | clear`: this machine's read-through caches of the stores. */
export function registerCache(program: Command, globals: () => GlobalOptions): void {
  const cache = program
    .command('cache')
    .description(
      "this machine's read-through caches of the project's stores (cache: in trove.yaml)",
    );
  const options = () => {
    const g = globals();
    return {
      cwd: cwdOf(g),
      ...(g.store !== undefined ? { store: g.store } : {}),
      ...(g.config !== undefined ? { configFile: g.config } : {}),
    };
  };
  cache
    .command('status', { isDefault: true })
    .description('each cache folder: its stores, objects, bytes and limit')
    .action(async () => {
      const caches = await cacheStatus(options());
      if (globals().json) return printJson(caches);
      if (globals().quiet) return;
      if (caches.length === 0) return noCache();
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
      );
    });
  cache
    .command('prune')
    .description(
      "remove the least recently used objects down to a size (default: each cache's limit), and temp files left by processes that died",
    )
    .option('--to <size>', 'bytes to keep in each cache: 500MB, 2GiB, 0')
    .option('--dry-run', 'say what would be removed; remove nothing')
    .action(async (o: { to?: string; dryRun?: boolean }) =>
      printPruned(
        await pruneCache({
          ...options(),
          ...(o.to !== undefined ? { to: o.to } : {}),
          dryRun: Boolean(o.dryRun),
        }),
      ),
    );
  cache
    .command('clear')
    .description('remove every cached object (the stores keep theirs)')
    .option('--dry-run', 'say what would be removed; remove nothing')
    .action(async (o: { dryRun?: boolean }) =>
      printPruned(await pruneCache({ ...options(), to: 0, dryRun: Boolean(o.dryRun) })),
    );

  function printPruned(caches: PrunedCache[]): void {
    if (globals().json) {
      printJson(caches);
      return;
    }
    if (globals().quiet) return;
    if (caches.length === 0) {
      noCache();
      return;
    }
    for (const c of caches) {
      const verb = c.dryRun ? 'would remove' : 'removed';
      const temps =
        c.staleTemps > 0 ? ` and ${c.staleTemps} temp file(s) left by a process that died` : '';
      process.stdout.write(
        `${c.dir}: ${verb} ${c.removed.toLocaleString('en')} object(s), ${formatBytes(c.freed)}${temps}; ${c.dryRun ? 'would keep' : 'kept'} ${c.objects.toLocaleString('en')}, ${formatBytes(c.bytes)} (limit ${formatBytes(c.size)})\n`,
      );
    }
  }
}

function noCache(): void {
  process.stdout.write(
    'No store of this project has a cache here: add cache: { size: 10GB } to a remote store in trove.yaml.\n',
  );
}
