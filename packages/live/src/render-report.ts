/**
 * The report is drawn by `@trove/report` (vega + vega-lite), an optional peer of this package:
 * imported when a Live asks for a report, so a Live without one never loads it.
 */
import { join } from 'node:path';
import { TroveError } from '@trove/core';
import { writeFileAtomic } from '@trove/core/dialect';
import type { ReportInput } from '@trove/report';

type ReportModule = typeof import('@trove/report');

let loaded: Promise<ReportModule> | undefined;

function loadReport(): Promise<ReportModule> {
  loaded ??= import('@trove/report').catch((err: unknown) => {
    loaded = undefined;
    throw new TroveError('BACKEND_NOT_INSTALLED', 'A report needs @trove/report.', {
      cause: err,
      hint: 'npm i @trove/report (or pass report: null).',
    });
  });
  return loaded;
}

export async function renderReport(
  mode: 'html' | 'md',
  input: ReportInput,
  dir: string,
): Promise<void> {
  const report = await loadReport();
  // A template DVC does not have (a custom plot's own) is drawn as `linear`, as DVC falls back.
  const known: readonly string[] = report.TEMPLATE_NAMES;
  const drawn: ReportInput = {
    ...input,
    plots: input.plots.map((p) => (known.includes(p.template) ? p : { ...p, template: 'linear' })),
  };
  if (mode === 'html') {
    writeFileAtomic(join(dir, 'report.html'), await report.renderHtml(drawn));
  } else {
    writeFileAtomic(join(dir, 'report.md'), await report.renderMarkdown(drawn, dir));
  }
}
