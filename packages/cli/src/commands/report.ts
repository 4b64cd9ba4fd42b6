import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { cwdOf, type GlobalOptions, withStore } from '../context.js';
import { printJson } from '../output.js';

export function registerReport(program: Command, globals: () => GlobalOptions): void {
  program
    .command('report')
    .description(
      "write a run's report: params, metrics, plots and images in one file that works offline",
    )
    .argument('<run>', 'run id or a unique prefix of it')
    .option('-o, --out <file>', 'where to write it (default: report.html, or report.md with --md)')
    .option('--md', 'markdown as DVCLive writes it, with the plots as PNG files next to it')
    .action((ref: string, o: { out?: string; md?: boolean }) =>
      withStore(globals(), async (store) => {
        const id = await store.resolveRunId(ref);
        // vega and vega-lite take ~0.5 s to load: only `trove report` pays for them
        const { renderHtml, renderMarkdown, reportInputFromRun } = await import('@trove/report');
        const input = await reportInputFromRun(store, id);
        const out = resolve(cwdOf(globals()), o.out ?? (o.md ? 'report.md' : 'report.html'));
        await mkdir(dirname(out), { recursive: true });
        const text = o.md ? await renderMarkdown(input, dirname(out)) : await renderHtml(input);
        // written whole or not at all: a reader never sees half a report
        const tmp = `${out}.${process.pid}.tmp`;
        await writeFile(tmp, text);
        await rename(tmp, out);
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
