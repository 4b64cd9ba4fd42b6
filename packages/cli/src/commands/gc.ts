import { gc, TroveError } from '@trove/core';
import type { Command } from 'commander';
import { cwdOf, type GlobalOptions, withStore } from '../context.js';
import { formatBytes, printJson } from '../output.js';

const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

export function registerGc(program: Command, globals: () => GlobalOptions): void {
  program
    .command('gc')
    .description(
      'remove objects no run, registry entry or .dvc pointer refers to, and crash leftovers',
    )
    .option('--dry-run', 'list what would be removed and how many bytes; remove nothing')
    .option(
      '--grace <duration>',
      'keep anything younger than this (0, 30s, 30m, 24h, 7d), so writers in flight are safe',
      '24h',
    )
    .option(
      '--force',
      'with --grace 0, run even while runs are running (they store their objects again)',
    )
    .action((o: { dryRun?: boolean; grace: string; force?: boolean }) => {
      const g = globals();
      const grace = parseDuration(o.grace);
      return withStore(g, async (store) => {
        const result = await gc(store, {
          grace,
          dryRun: Boolean(o.dryRun),
          force: Boolean(o.force),
          cwd: cwdOf(g),
        });
        if (g.json) {
          printJson({ store: store.name, ...result });
          return;
        }
        if (g.quiet) return;
        const verb = result.dryRun ? 'would remove' : 'removed';
        for (const r of result.removed)
          process.stdout.write(`${verb} ${r.kind} ${r.key} (${formatBytes(r.size)})\n`);
        for (const d of result.leftovers.details) process.stdout.write(`${verb} ${d}\n`);
        if (result.restored > 0)
          process.stdout.write(
            `put back ${result.restored} object${result.restored === 1 ? '' : 's'} a writer referred to meanwhile\n`,
          );
        const count = result.removed.length + result.leftovers.items;
        process.stdout.write(
          `${verb} ${count} item${count === 1 ? '' : 's'}, ${formatBytes(result.bytes)}; kept ${result.kept} objects (${result.young} only for being younger than ${o.grace})\n`,
        );
      });
    });
}

/** `0`, or a number with a unit: `500ms`, `30s`, `30m`, `24h`, `7d`, `1w`. */
function parseDuration(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)?$/.exec(text.trim());
  const value = m ? Number(m[1]) : Number.NaN;
  const unit = m?.[2];
  if (!m || (unit === undefined && value !== 0)) {
    throw new TroveError('INVALID_ARGUMENT', `Invalid duration ${JSON.stringify(text)}.`, {
      hint: 'Give a number and a unit: 0, 30s, 30m, 24h, 7d.',
    });
  }
  return value * (unit ? (UNIT_MS[unit] ?? 0) : 0);
}
