import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { TroveError } from '@trove/core';
import type { Command } from 'commander';
import { cwdOf, type GlobalOptions, withStore } from '../context.js';
import { printJson } from '../output.js';

/** Written whole or not at all: a reader never sees half a report. */
async function writeWhole(out: string, text: string): Promise<void> {
  await mkdir(dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  await writeFile(tmp, text);
  await rename(tmp, out);
}

export function registerReport(program: Command, globals: () => GlobalOptions): void {
  program
    .command('report')
    .description("write a run's report, or a comparison of runs, as one file that works offline")
    .argument('[run]', 'run id or a unique prefix of it')
    .option(
      '-o, --out <file>',
      'where to write it (default: report.html, report.md with --md, compare.html with --compare)',
    )
    .option('--md', 'markdown as DVCLive writes it, with the plots as PNG files next to it')
    .option(
      '--compare <runs...>',
      "the compare view of trove ui as one HTML file: two or more run ids, or one filter ('params.lr < 0.1')",
    )
    .action((ref: string | undefined, o: { out?: string; md?: boolean; compare?: string[] }) =>
      withStore(globals(), async (store) => {
        if (o.compare) {
          if (ref !== undefined || o.md) {
            throw new TroveError(
              'INVALID_ARGUMENT',
              '--compare takes its runs itself, and writes HTML only.',
              {
                hint: 'trove report --compare <run> <run>… [-o compare.html]',
              },
            );
          }
          // one value is a filter (a comparison needs two runs); more are runs
          const runs = o.compare.length === 1 ? (o.compare[0] as string) : o.compare;
          const { compareReportHtml } = await import('@trove/ui');
          const html = await compareReportHtml({ store, runs });
          const out = resolve(cwdOf(globals()), o.out ?? 'compare.html');
          await writeWhole(out, html);
          if (globals().json) return printJson({ path: out, bytes: Buffer.byteLength(html) });
          if (!globals().quiet) process.stdout.write(`${out}\n`);
          return;
        }
        if (ref === undefined) {
          throw new TroveError('INVALID_ARGUMENT', 'Name the run to report on.', {
            hint: 'trove report <run>, or trove report --compare <run> <run>…',
          });
        }
        const id = await store.resolveRunId(ref);
        // vega and vega-lite take ~0.5 s to load: only `trove report` pays for them
        const { renderHtml, renderMarkdown, reportInputFromRun } = await import('@trove/report');
        const input = await reportInputFromRun(store, id);
        const out = resolve(cwdOf(globals()), o.out ?? (o.md ? 'report.md' : 'report.html'));
        await mkdir(dirname(out), { recursive: true });
        const text = o.md ? await renderMarkdown(input, dirname(out)) : await renderHtml(input);
        await writeWhole(out, text);
        const result = {
          run: id,
          path: out,
          plots: input.plots.length,
          images: input.images.length,
        };
        if (globals().json) return printJson(result);
        if (!globals().quiet) process.stdout.write(`${out}\n`);
      }),
    );
}
