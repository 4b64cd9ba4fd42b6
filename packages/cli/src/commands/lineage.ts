import {
  findLineage,
  impactedBy,
  isTroveError,
  type LineageGraph,
  type LineageRow,
  lineageGraph,
  resolveArtifactRef,
  type Store,
  TroveError,
} from '@trove/core';
import type { Command } from 'commander';
import { type GlobalOptions, withStore } from '../context.js';
import { formatImpact, formatText } from '../lineage/format-text.js';
import { printJson, printTable } from '../output.js';

interface LineageOptions {
  up?: boolean;
  down?: boolean;
  depth?: string;
  format?: string;
  impactedBy?: string;
}

const FORMATS = ['text', 'mermaid', 'dot', 'json'] as const;

export function registerLineage(program: Command, globals: () => GlobalOptions): void {
  program
    .command('lineage')
    .description(
      "a run's inputs and outputs, or which runs made and used an artifact; with --up, --down, --depth or --format the graph through any number of hops",
    )
    .argument(
      '[ref]',
      'run id, artifact (name, name@alias, name:v<N>, runs:/…, models:/…, md5) or dataset',
    )
    .option('--up', 'only what it came from')
    .option('--down', 'only what came from it')
    .option('--depth <n>', 'at most this many hops')
    .option('--format <format>', 'text, mermaid, dot or json (the graph)')
    .option(
      '--impacted-by <ref>',
      'every run, artifact, model version and alias downstream of a dataset, artifact or md5',
    )
    .action((ref: string | undefined, o: LineageOptions) =>
      withStore(globals(), async (store) => {
        const graphMode =
          o.up || o.down || o.depth !== undefined || o.format !== undefined || o.impactedBy;
        if (graphMode) return printGraph(store, ref, o, Boolean(globals().json));
        if (ref === undefined) {
          throw new TroveError('INVALID_ARGUMENT', 'lineage needs a ref, or --impacted-by <ref>.');
        }
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
            direction: r.isInput ? 'input' : r.isRef ? 'reference' : 'output',
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

/** The graph (`--up`, `--down`, `--depth`, `--format`) or the impact (`--impacted-by`). */
async function printGraph(
  store: Store,
  ref: string | undefined,
  o: LineageOptions,
  json: boolean,
): Promise<void> {
  const format = o.format ?? (json ? 'json' : 'text');
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new TroveError(
      'INVALID_ARGUMENT',
      `Unknown format "${format}": use ${FORMATS.join(', ')}.`,
    );
  }
  if (o.up && o.down) {
    throw new TroveError(
      'INVALID_ARGUMENT',
      '--up and --down exclude each other (neither: both ways).',
    );
  }
  if ((ref === undefined) === (o.impactedBy === undefined)) {
    throw new TroveError('INVALID_ARGUMENT', 'Give a ref or --impacted-by <ref>, not both.');
  }
  const depth =
    o.depth === undefined ? undefined : /^\d+$/.test(o.depth) ? Number(o.depth) : Number.NaN;
  const graph: LineageGraph =
    o.impactedBy !== undefined
      ? // The text form lists what was reached, never the edges: they are not made.
        await impactedBy(store, o.impactedBy, { edges: format !== 'text' })
      : await lineageGraph(store, ref ?? '', {
          direction: o.up ? 'up' : o.down ? 'down' : 'both',
          ...(depth !== undefined ? { depth } : {}),
        });
  if (format === 'json') return printJson(graph);
  // The diagram writers (and ts-graphviz) are loaded only for their formats.
  const text =
    format === 'dot'
      ? (await import('../lineage/format-dot.js')).formatDot(graph)
      : format === 'mermaid'
        ? (await import('../lineage/format-mermaid.js')).formatMermaid(graph)
        : o.impactedBy !== undefined
          ? formatImpact(graph)
          : formatText(graph);
  process.stdout.write(text);
}

/** A lineage row as `trove lineage` shows it: the run's row, with its direction named. */
type Listed = Pick<
  LineageRow,
  'run' | 'isInput' | 'isRef' | 'name' | 'kind' | 'path' | 'summary' | 'timestamp'
> & {
  direction: string;
};
