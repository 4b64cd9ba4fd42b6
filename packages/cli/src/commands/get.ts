import { join, resolve } from 'node:path';
import {
  type CheckoutOptions,
  checkout,
  isTroveError,
  resolveArtifactRef,
  type Store,
  TroveError,
} from '@trove/core';
import type { Command } from 'commander';
import { cwdOf, type GlobalOptions, withStore } from '../context.js';
import { printJson } from '../output.js';

export function registerGet(program: Command, globals: () => GlobalOptions): void {
  program
    .command('get')
    .description(
      'download an artifact (name, runs:/<run>/<path>, <run>/<path>, md5) or a whole run',
    )
    .argument('<ref>', 'what to get')
    .option('-o, --out <path>', 'where to put it (default: its name in the current folder)')
    .option(
      '--link <type>',
      'reflink (default, else copy), copy, hardlink or symlink (these two share the stored object)',
    )
    .option(
      '-f, --force',
      'replace what is at the destination (a folder is made equal to the artifact)',
    )
    .action((ref: string, o: { out?: string; link?: string; force?: boolean }) =>
      withStore(globals(), async (store) => {
        const cwd = cwdOf(globals());
        const placing = checkoutOptions(o);
        const runId = await asRunId(store, ref);
        const results = [];
        if (runId) {
          // A whole run: its logical layout (outputs/…, assets/…) under the output folder.
          const root = resolve(cwd, o.out ?? runId);
          for (const a of Object.values(await store.readArtifacts(runId))) {
            if (a.cached)
              results.push({
                artifact: a.path,
                md5: a.md5,
                ...(await checkout(store.objects, a.md5, join(root, a.path), placing)),
              });
          }
        } else {
          const found = await resolveArtifactRef(store, ref);
          const name = found.record ? (found.record.path.split('/').pop() ?? found.md5) : found.md5;
          const dest = resolve(cwd, o.out ?? name);
          results.push({
            artifact: found.record?.path ?? found.md5,
            md5: found.md5,
            ...(await checkout(store.objects, found.md5, dest, placing)),
          });
        }
        if (globals().json) return printJson(results);
        if (!globals().quiet)
          for (const r of results)
            process.stdout.write(
              `${r.artifact} → ${r.path} (${r.files} file${r.files === 1 ? '' : 's'})\n`,
            );
      }),
    );
}

/** A bare run id (or unique prefix) names a whole run; anything else is an artifact reference. */
async function asRunId(store: Store, ref: string): Promise<string | undefined> {
  if (!/^[0-9a-f]{4,32}$/.test(ref)) return undefined;
  try {
    return await store.resolveRunId(ref);
  } catch (err) {
    if (isTroveError(err, 'NOT_FOUND')) return undefined;
    throw err;
  }
}

const LINK_TYPES = ['reflink', 'copy', 'hardlink', 'symlink'] as const;

/** `--link` and `--force`, checked before anything is fetched. */
function checkoutOptions(o: { link?: string; force?: boolean }): CheckoutOptions {
  const link = o.link as CheckoutOptions['link'];
  if (link !== undefined && !LINK_TYPES.includes(link as (typeof LINK_TYPES)[number])) {
    throw new TroveError('INVALID_ARGUMENT', `Unknown link type ${JSON.stringify(o.link)}.`, {
      hint: `Use one of: ${LINK_TYPES.join(', ')}.`,
    });
  }
  return { ...(link ? { link } : {}), ...(o.force ? { force: true } : {}) };
}
