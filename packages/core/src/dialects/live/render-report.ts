/**
 * The report is drawn by `@trove/report` (vega + vega-lite, kept out of core), loaded when a
 * Live asks for one. It is looked up from core first, then from the user's folder, so a
 * project that installed it next to `@trove/core` finds it under any package manager.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TroveError } from '../../errors.js';
import { writeFileAtomic } from '../../fs/atomic-file.js';
import type { ReportInput } from './report-input.js';

interface ReportModule {
  renderHtml(input: ReportInput): Promise<string>;
  renderMarkdown(input: ReportInput, outDir: string): Promise<string>;
}

const PACKAGE = '@trove/report';

let loaded: Promise<ReportModule> | undefined;

function loadReport(cwd: string): Promise<ReportModule> {
  loaded ??= importReport(cwd);
  loaded.catch(() => {
    loaded = undefined;
  });
  return loaded;
}

async function importReport(cwd: string): Promise<ReportModule> {
  const spec: string = PACKAGE;
  try {
    return (await import(spec)) as ReportModule;
  } catch {
    try {
      const resolved = createRequire(join(cwd, 'noop.js')).resolve(spec);
      return (await import(pathToFileURL(resolved).href)) as ReportModule;
    } catch (err) {
      throw new TroveError('BACKEND_NOT_INSTALLED', `A report needs ${PACKAGE}.`, {
        cause: err,
        hint: `npm i ${PACKAGE} (or pass report: null).`,
      });
    }
  }
}

export async function renderReport(
  mode: 'html' | 'md',
  input: ReportInput,
  dir: string,
  cwd: string,
): Promise<void> {
  const report = await loadReport(cwd);
  if (mode === 'html') {
    writeFileAtomic(join(dir, 'report.html'), await report.renderHtml(input));
  } else {
    writeFileAtomic(join(dir, 'report.md'), await report.renderMarkdown(input, dir));
  }
}
