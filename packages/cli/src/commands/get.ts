import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { checkout, isTroveError, resolveArtifactRef, type Store, TroveError } from '@trove/core';
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
    .action((ref: string, o: { out?: string }) =>
      withStore(globals(), async (store) => {
        const cwd = cwdOf(globals());
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
                ...(await checkout(store.objects, a.md5, join(root, a.path))),
              });
          }
          results.push(...(await restoreEvents(store, runId, root)));
        } else {
          const found = await resolveArtifactRef(store, ref);
          const name = found.record ? (found.record.path.split('/').pop() ?? found.md5) : found.md5;
          const dest = resolve(cwd, o.out ?? name);
          results.push({
            artifact: found.record?.path ?? found.md5,
            md5: found.md5,
            ...(await checkout(store.objects, found.md5, dest)),
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

/**
 * A whole run's events files, `events/<kind>/<name>.plx` as Polyaxon lays them out, next to its
 * `outputs/` and `assets/`. An existing file is never replaced.
 */
async function restoreEvents(
  store: Store,
  runId: string,
  root: string,
): Promise<Array<{ artifact: string; path: string; files: number }>> {
  const prefix = store.runKey(runId, 'events/');
  const restored = [];
  for await (const entry of store.meta.list(prefix)) {
    const rel = entry.key.slice(prefix.length);
    if (rel.split('/').some((part) => part === '' || part === '.' || part === '..')) continue;
    const dest = join(root, 'events', ...rel.split('/'));
    mkdirSync(dirname(dest), { recursive: true });
    const { body } = await store.meta.read(entry.key);
    try {
      await pipeline(body, createWriteStream(dest, { flags: 'wx' }));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      throw new TroveError('ALREADY_EXISTS', `${dest} already exists; it was left as it is.`, {
        key: dest,
        cause: err,
      });
    }
    restored.push({ artifact: `events/${rel}`, path: dest, files: 1 });
  }
  return restored;
}
