import { findLineage, isTroveError, type LineageRow, resolveArtifactRef } from '@trove/core';
import type { Command } from 'commander';
import { type GlobalOptions, withStore } from '../context.js';
import { printJson, printTable } from '../output.js';

export function registerLineage(program: Command, globals: () => GlobalOptions): void {
  program
    .command('lineage')
    .description("a run's inputs and outputs, or which runs produced and used an artifact")
    .argument('<ref>', 'run id, artifact name, runs:/<run>/<path> or md5')
    .action((ref: string) =>
      withStore(globals(), async (store) => {
        let rows: Listed[];
        let runId: string | undefined;
        try {
          runId = /^[0-9a-f]{4,32}$/.test(ref) ? await store.resolveRunId(ref) : undefined;
        } catch (err) {
          if (!isTroveError(err, 'NOT_FOUND')) throw err;
        }
        if (runId) {
          rows = (await store.readLineage(runId)).map((r) => ({
            ...r,
            direction: r.isRef ? 'reference' : r.isInput ? 'input' : 'output',
          }));
        } else {
          // Every run's rows of this content, from the lineage table.
          const { md5 } = await resolveArtifactRef(store, ref);
          rows = (await findLineage(store, md5)).map((r) => ({
            run: r.run_id,
            direction: r.direction,
            isInput: r.direction === 'input',
            isRef: r.direction === 'reference',
            name: r.name,
            kind: r.kind,
            path: r.path,
            summary: r.md5 === null ? {} : { md5: r.md5 },
            timestamp: r.timestamp.toISOString(),
          }));
        }
        if (globals().json) return printJson(rows);
        printTable(
          ['RUN', 'DIRECTION', 'NAME', 'KIND', 'PATH', 'MD5'],
          rows.map((r) => [
            r.run,
            r.direction,
            r.name,
            r.kind,
            r.path,
            String(r.summary.md5 ?? ''),
          ]),
        );
      }),
    );
}

/** A lineage row as `trove lineage` shows it: the run's row, with its direction named. */
type Listed = Pick<
  LineageRow,
  'run' | 'isInput' | 'isRef' | 'name' | 'kind' | 'path' | 'summary' | 'timestamp'
> & {
  direction: string;
};
