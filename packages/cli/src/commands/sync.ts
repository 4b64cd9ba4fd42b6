import {
  openStore,
  pull,
  push,
  type SyncOptions,
  type SyncSummary,
  sync,
  TroveError,
} from '@trove/core';
import type cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { type GlobalOptions, storeOptions } from '../context.js';
import { formatBytes, printJson } from '../output.js';
import { barsWanted, newBar } from '../progress.js';

/** Below this, a sync ends before a bar is worth drawing. */
const MIN_OBJECTS = 200;

export function registerSync(program: Command, globals: () => GlobalOptions): void {
  const pushCommand = program
    .command('push')
    .description('send what the remote store lacks: runs, their objects, registered models')
    .argument(
      '[what...]',
      'run ids, a filter (params.lr > 0.1), artifact refs; none for everything',
    )
    .option('--to <store>', 'the store to send to (default: remote: in trove.yaml)');
  withSyncOptions(pushCommand).action((what: string[], o: SyncFlags & { to?: string }) =>
    report(
      globals(),
      'pushed',
      (options) =>
        push({ ...storeOptions(globals()), ...options, what, ...(o.to ? { to: o.to } : {}) }),
      o,
    ),
  );
  const pullCommand = program
    .command('pull')
    .description('take what the project store lacks from the remote store')
    .argument(
      '[what...]',
      'run ids, a filter (params.lr > 0.1), artifact refs; none for everything',
    )
    .option('--from <store>', 'the store to take from (default: remote: in trove.yaml)');
  withSyncOptions(pullCommand).action((what: string[], o: SyncFlags & { from?: string }) =>
    report(
      globals(),
      'pulled',
      (options) =>
        pull({
          ...storeOptions(globals()),
          ...options,
          what,
          ...(o.from ? { from: o.from } : {}),
        }),
      o,
    ),
  );
  const syncCommand = program
    .command('sync')
    .description('make store <to> hold what store <from> has (of what is named)')
    .argument('<from>', 'the store to read')
    .argument('<to>', 'the store to write')
    .argument(
      '[what...]',
      'run ids, a filter (params.lr > 0.1), artifact refs; none for everything',
    );
  withSyncOptions(syncCommand).action((from: string, to: string, what: string[], o: SyncFlags) =>
    report(
      globals(),
      'synced',
      async (options) => {
        if (from === to) {
          throw new TroveError(
            'INVALID_ARGUMENT',
            `A store cannot be synced with itself ("${to}").`,
          );
        }
        const base = storeOptions(globals());
        const source = await openStore({ ...base, store: from });
        try {
          const target = await openStore({ ...base, store: to });
          try {
            return await sync(source, target, what, options);
          } finally {
            await target.close();
          }
        } finally {
          await source.close();
        }
      },
      o,
    ),
  );
}

interface SyncFlags {
  dryRun?: boolean;
  full?: boolean;
}

/** The flags push, pull and sync share. */
function withSyncOptions(command: Command): Command {
  return command
    .option('--dry-run', 'say what would move and how many bytes; move nothing')
    .option(
      '--full',
      'list every object of the target instead of trusting what the last sync left (after objects were removed by hand)',
    );
}

/** Runs the sync with a bar on a terminal, then prints the summary (`--json`: the object). */
async function report(
  g: GlobalOptions,
  verb: string,
  run: (options: SyncOptions) => Promise<SyncSummary>,
  flags: SyncFlags,
): Promise<void> {
  const bar = progressBar(!g.quiet && !g.json);
  let summary: SyncSummary;
  try {
    summary = await run({
      dryRun: flags.dryRun === true,
      full: flags.full === true,
      ...(bar ? { onProgress: bar.update } : {}),
    });
  } finally {
    bar?.stop();
  }
  if (g.json) return printJson(summary);
  if (g.quiet) return;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  process.stdout.write(
    `${summary.dryRun ? 'would move' : verb} ${plural(summary.objects, 'object')} (${formatBytes(summary.bytes)}), ${plural(summary.runs, 'run')}, ${plural(summary.models, 'model')}; ${summary.skipped} already there; ${summary.seconds.toFixed(1)} s\n`,
  );
}

/** A bar on stderr while objects are copied, only on a TTY and never under CI. */
function progressBar(enabled: boolean) {
  if (!barsWanted(enabled)) return undefined;
  let bar: cliProgress.SingleBar | undefined;
  return {
    update(p: Parameters<NonNullable<SyncOptions['onProgress']>>[0]) {
      if (p.phase !== 'objects' || p.total < MIN_OBJECTS) return;
      if (!bar) {
        bar = newBar('sending [{bar}] {percentage}% | {value}/{total} objects | {mib} MiB');
        bar.start(p.total, 0, { mib: 0 });
      }
      bar.update(p.done, { mib: (p.bytes / 2 ** 20).toFixed(0) });
    },
    stop() {
      bar?.stop();
    },
  };
}
