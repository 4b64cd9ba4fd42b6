/** `Live`'s options, checked before anything is written (DVCLive's `__init__` checks). */
import { existsSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { Store } from '@trove/core';
import { TroveError } from '@trove/core';
import type { PlotLabels } from './plots.js';
import type { CurveOptions } from './sklearn-curves.js';

export interface LiveOptions {
  /** Where DVCLive's files go (default `dvclive`, relative to `cwd`). */
  dir?: string;
  /** Continue the metrics and step of an earlier session (also env `DVCLIVE_RESUME`). */
  resume?: boolean;
  /** `html`, `md`, or `null` (default): a report rewritten on every step (needs `@trove/report`). */
  report?: 'html' | 'md' | null;
  /** Save a DVC experiment (`dvc exp save`) at `end()` inside a Git + DVC repository (default true). */
  saveDvcExp?: boolean;
  /** Where dvc.yaml is written (default `dvc.yaml` in `cwd`); `false` or `null` for none. */
  dvcyaml?: string | boolean | null;
  /** `dvc add` the images folder at `end()`. */
  cacheImages?: boolean;
  /** The experiment's name (also env `DVC_EXP_NAME`); also the trove run's name. */
  expName?: string;
  expMessage?: string;
  /** Log `system/*` metrics (CPU, RAM, disk) in the background. */
  monitorSystem?: boolean;
  /** Working directory (default `process.cwd()`). */
  cwd?: string;
  /** The trove store for the run (a `Store` or a name in `trove.yaml`); default the project's. */
  store?: Store | string;
  configFile?: string;
  /** Called with DVCLive's warnings; default `process.emitWarning`. */
  onWarning?: (message: string) => void;
}

export interface CheckedOptions {
  cwd: string;
  dir: string;
  resume: boolean;
  report: 'html' | 'md' | null;
  /** Absolute dvc.yaml path, or undefined when none is written. */
  dvcFile: string | undefined;
  expName: string | undefined;
}

function env2bool(value: string | undefined): boolean {
  return value !== undefined && /1|y|yes|true/i.test(value);
}

export function checkOptions(options: LiveOptions): CheckedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TroveError('INVALID_ARGUMENT', 'Live options must be an object.');
  }
  const report = options.report ?? null;
  if (report !== null && report !== 'html' && report !== 'md') {
    throw new TroveError(
      'INVALID_ARGUMENT',
      `\`report\` can only be null, "html" or "md"; got ${JSON.stringify(report)}.`,
    );
  }
  const cwd = resolve(options.cwd ?? process.cwd());
  const dirOpt = options.dir ?? 'dvclive';
  if (typeof dirOpt !== 'string' || dirOpt === '') {
    throw new TroveError('INVALID_ARGUMENT', '`dir` must be a non-empty path.');
  }
  const y = options.dvcyaml;
  let dvcFile: string | undefined;
  if (y === undefined || y === true) dvcFile = resolve(cwd, 'dvc.yaml');
  else if (y === false || y === null) dvcFile = undefined;
  else if (typeof y === 'string' && basename(y) === 'dvc.yaml') dvcFile = resolve(cwd, y);
  else {
    throw new TroveError('INVALID_ARGUMENT', "`dvcyaml` path must have filename 'dvc.yaml'.");
  }
  const expName = options.expName ?? process.env.DVC_EXP_NAME ?? undefined;
  const dir = resolve(cwd, dirOpt);
  checkFolder(dir);
  return {
    cwd,
    dir,
    resume: options.resume === true || env2bool(process.env.DVCLIVE_RESUME),
    report,
    dvcFile,
    expName: expName === '' ? undefined : expName,
  };
}

export interface LogMetricOptions {
  /** Add a `timestamp` column (milliseconds since the epoch) to the history. */
  timestamp?: boolean;
  /** `false`: only the summary (`metrics.json`), no history row. */
  plot?: boolean;
}

export interface LogPlotOptions extends PlotLabels {
  x: string;
  y: string | string[];
  /** A DVC plot template (default `linear`); empty or null for none. */
  template?: string | null;
}

export interface LogSklearnPlotOptions extends PlotLabels, CurveOptions {
  name?: string;
  normalized?: boolean;
}

/** The Live's folder is made if absent; a file in its place (or above it) is refused first. */
function checkFolder(dir: string): void {
  for (let at = dir; dirname(at) !== at; at = dirname(at)) {
    if (!existsSync(at)) continue;
    if (statSync(at).isDirectory()) return;
    throw new TroveError('INVALID_PATH', `\`dir\` ${dir} cannot be a folder: ${at} is a file.`, {
      key: at,
      hint: 'Give `dir` a path that is a folder or does not exist yet.',
    });
  }
}
