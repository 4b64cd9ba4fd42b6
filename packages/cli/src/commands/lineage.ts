import { isTroveError, type LineageRow, resolveArtifactRef } from '@trove/core';
import type { Command } from 'commander';
import { forEachRun, type GlobalOptions, withStore } from '../context.js';
import { printJson, printTable } from '../output.js';

export function registerLineage(program: Command, globals: () => GlobalOptions): void {
  program
    .command('lineage')
    .description("a run's inputs and outputs, or which runs produced and used an artifact")
    .argument('<ref>', 'run id, artifact name, runs:/<run>/<path> or md5')
    .action((ref: string) =>
      withStore(globals(), async (store) => {
        let rows: LineageRow[];
        let runId: string | undefined;
        try {
          runId = /^[0-9a-f]{4,32}$/.test(ref) ? await store.resolveRunId(ref) : undefined;
        } catch (err) {
          if (!isTroveError(err, 'NOT_FOUND')) throw err;
        }
        if (runId) {
          rows = await store.readLineage(runId);
        } else {
          const { md5 } = await resolveArtifactRef(store, ref);
          rows = [];
          await forEachRun(await store.listRunIds(), async (id) => {
            rows.push(...(await store.readLineage(id)).filter((r) => r.summary.md5 === md5));
          });
        }
        if (globals().json) return printJson(rows);
        printTable(
          ['RUN', 'DIRECTION', 'NAME', 'KIND', 'PATH', 'MD5'],
          rows.map((r) => [
            r.run,
            r.isInput ? 'input' : r.isRef ? 'ref' : 'output',
            r.name,
            r.kind,
            r.path,
            String(r.summary.md5 ?? ''),
          ]),
        );
      }),
    );
}
