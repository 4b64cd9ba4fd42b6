import { type GcResult, gc, gcPolicy, type PolicyGcResult, parseDuration } from '@trove/core';
import type { Command } from 'commander';
import { cwdOf, type GlobalOptions, withStore } from '../context.js';
import { formatBytes, printJson } from '../output.js';

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
    .option(
      '--policy',
      "first expire what trove.yaml's retention policies and artifacts' own ttl say (never what is aliased, registered or a run's input)",
    )
    .action((o: { dryRun?: boolean; grace: string; force?: boolean; policy?: boolean }) => {
      const g = globals();
      const grace = parseDuration(o.grace);
      return withStore(g, async (store) => {
        const options = {
          grace,
          dryRun: Boolean(o.dryRun),
          force: Boolean(o.force),
          cwd: cwdOf(g),
        };
        const policy: PolicyGcResult | undefined = o.policy
          ? await gcPolicy(store, options)
          : undefined;
        const result: GcResult = policy ?? (await gc(store, options));
        if (g.json) {
          printJson({ store: store.name, ...result });
          return;
        }
        if (g.quiet) return;
        const verb = result.dryRun ? 'would remove' : 'removed';
        if (policy) {
          const expire = result.dryRun ? 'would expire' : 'expired';
          for (const a of policy.expired)
            process.stdout.write(
              `${expire} ${a.name} runs:/${a.runId}/${a.path} (${formatBytes(a.size)}; ${a.reason})\n`,
            );
          for (const a of policy.protected)
            process.stdout.write(
              `kept ${a.name} runs:/${a.runId}/${a.path} (${a.by}; ${a.reason})\n`,
            );
        }
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
