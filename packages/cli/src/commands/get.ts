import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
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
          results.push(...(await restoreEvents(store, runId, root, placing.force === true)));
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
  // An md5 this machine has cached is that object (a run id with the same 32 digits is not to be
  // had): the store is not asked.
  if (ref.length === 32 && store.objects.cache?.has(ref)) return undefined;
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

/**
 * A whole run's events files, `events/<kind>/<name>.plx` as Polyaxon lays them out, next to its
 * `outputs/` and `assets/`: each one file, its base and appended segments streamed into it in
 * order. An existing file is a conflict unless `force`.
 */
async function restoreEvents(
  store: Store,
  runId: string,
  root: string,
  force: boolean,
): Promise<Array<{ artifact: string; path: string; files: number }>> {
  const restored = [];
  for (const file of await store.listEventFiles(runId)) {
    const rel = file.file;
    if (rel.split('/').some((part) => part === '' || part === '.' || part === '..')) continue;
    const dest = join(root, 'events', ...rel.split('/'));
    mkdirSync(dirname(dest), { recursive: true });
    try {
      await pipeline(
        store.readEventFile(file),
        createWriteStream(dest, { flags: force ? 'w' : 'wx' }),
      );
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      throw new TroveError('CONFLICT', `${dest} already exists; it was left as it is.`, {
        key: dest,
        hint: 'Use --force to replace it.',
        cause: err,
      });
    }
    restored.push({ artifact: `events/${rel}`, path: dest, files: 1 });
  }
  return restored;
}
