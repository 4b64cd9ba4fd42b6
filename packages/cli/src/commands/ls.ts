import { type ArtifactRecord, type ArtifactRow, listArtifacts } from '@trove/core';
import type { Command } from 'commander';
import { type GlobalOptions, warnSkipped, withStore } from '../context.js';
import { formatBytes, printJson, printTable } from '../output.js';

/** One line of the listing: the artifact's record fields, and its run. */
type Listed = Pick<ArtifactRecord, 'path' | 'name' | 'md5' | 'size' | 'isdir' | 'loggedAt'> &
  Partial<ArtifactRecord> & { run: string };

export function registerLs(program: Command, globals: () => GlobalOptions): void {
  program
    .command('ls')
    .description('list logged artifacts, newest run first')
    .option('--run <id>', 'only this run')
    .option('--type <type>', 'only artifacts of this type')
    .action((o: { run?: string; type?: string }) =>
      withStore(globals(), async (store) => {
        let rows: Listed[];
        if (o.run) {
          // One run: its folder, with every field of its records.
          const id = await store.resolveRunId(o.run);
          rows = Object.values(await store.readArtifacts(id))
            .filter((a) => o.type === undefined || a.type === o.type)
            .map((a) => ({ run: id, ...a }));
        } else {
          rows = (
            await listArtifacts(store, {
              ...(o.type !== undefined ? { type: o.type } : {}),
              onDamaged: warnSkipped,
            })
          ).map(listed);
        }
        if (globals().json) return printJson(rows);
        printTable(
          ['RUN', 'PATH', 'NAME', 'TYPE', 'SIZE', 'MD5'],
          rows.map((a) => [a.run, a.path, a.name, a.type ?? '', formatBytes(a.size), a.md5]),
        );
      }),
    );
}

/** A row of the artifacts table in the record's names. */
function listed(row: ArtifactRow): Listed {
  return {
    run: row.run_id,
    path: row.path,
    name: row.name,
    ...(row.type !== null ? { type: row.type } : {}),
    md5: row.md5,
    size: row.size,
    isdir: row.md5.endsWith('.dir'),
    ...(row.nfiles !== null ? { nfiles: row.nfiles } : {}),
    ...(row.step !== null ? { step: row.step } : {}),
    ...(row.labels.length > 0 ? { labels: row.labels } : {}),
    ...(row.meta !== null ? { meta: JSON.parse(row.meta) as Record<string, unknown> } : {}),
    loggedAt: row.logged_at.toISOString(),
  };
}
