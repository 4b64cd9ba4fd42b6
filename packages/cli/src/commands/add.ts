import { type AddArtifactOptions, addArtifact, TroveError } from '@trove/core';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { cwdOf, type GlobalOptions, withStore } from '../context.js';
import { formatBytes, printJson } from '../output.js';
import { progressReporter } from '../progress.js';

interface AddOptions {
  name?: string;
  type?: string;
  desc?: string;
  label: string[];
  alias: string[];
  meta: Record<string, unknown>;
  step?: string;
  relPath?: string;
  cache: boolean;
  copy?: boolean;
  dvc?: boolean;
  run?: string;
  runName?: string;
}

export function registerAdd(program: Command, globals: () => GlobalOptions): void {
  program
    .command('add')
    .description('log a file or directory: store it, write <path>.dvc, record it in a run')
    .argument('<path>', 'file or directory to log')
    .option('--name <name>', 'artifact name (default: the path stem)')
    .option('--type <type>', 'artifact type, e.g. model or dataset')
    .option('--desc <text>', 'description')
    .option(
      '--label <label>',
      'label (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option(
      '--alias <alias>',
      'move this alias of the name to it (repeatable): name@alias names it',
      (v: string, acc: string[]) => [...acc, v],
      [] as string[],
    )
    .option(
      '--meta <key=value>',
      'metadata entry (repeatable)',
      collectMeta,
      {} as Record<string, unknown>,
    )
    .option('--step <n>', 'log a versioned asset at this step: assets/<type>/<name>_<step>')
    .option('--rel-path <dir>', 'folder under outputs/ for an unversioned artifact')
    .option('--no-cache', 'record metadata only; do not store the content')
    .option('--copy', 'copy into the run folder (trove/artifacts) first and track the copy')
    .option(
      '--dvc',
      'write <path>.dvc, its .gitignore line and dvc.yaml entry (default: in a DVC repository)',
    )
    .option('--no-dvc', 'write no workspace pointers, even in a DVC repository')
    .option('--run <id>', 'add to an existing run instead of starting one')
    .option('--run-name <name>', 'name of the new run')
    .action(async (path: string, o: AddOptions) => {
      const g = globals();
      const step = o.step === undefined ? undefined : parseStep(o.step);
      const options: AddArtifactOptions = {
        cache: o.cache,
        ...(o.name !== undefined ? { name: o.name } : {}),
        ...(o.type !== undefined ? { type: o.type } : {}),
        ...(o.desc !== undefined ? { desc: o.desc } : {}),
        ...(o.label.length > 0 ? { labels: o.label } : {}),
        ...(o.alias.length > 0 ? { aliases: o.alias } : {}),
        ...(Object.keys(o.meta).length > 0 ? { meta: o.meta } : {}),
        ...(step !== undefined ? { step } : {}),
        ...(o.relPath !== undefined ? { relPath: o.relPath } : {}),
        ...(o.copy ? { copy: true } : {}),
        ...(o.dvc !== undefined ? { dvc: o.dvc } : {}),
      };
      const progress = progressReporter(!g.quiet && !g.json);
      const { run, artifact: record } = await withStore(g, (store) =>
        addArtifact(path, {
          ...options,
          store,
          cwd: cwdOf(g),
          ...(o.run !== undefined ? { run: o.run } : { runName: o.runName ?? 'trove add' }),
          ...(progress.onProgress ? { onProgress: progress.onProgress } : {}),
        }).finally(() => progress.stop()),
      );
      if (g.json) printJson({ run: run.id, store: run.store.name, artifact: record });
      else if (!g.quiet) {
        const what = record.isdir
          ? `${record.nfiles} files, ${formatBytes(record.size)}`
          : formatBytes(record.size);
        process.stdout.write(
          `${record.source} → ${record.path} (${record.md5}, ${what}) in run ${run.id}\n`,
        );
        if (record.dvcFile) process.stdout.write(`wrote ${record.dvcFile}\n`);
      }
    });
}

/** `--step` must be a whole number; core checks the range. */
function parseStep(text: string): number {
  if (!/^-?\d+(\.\d+)?$/.test(text.trim())) {
    throw new TroveError(
      'INVALID_STEP',
      `Invalid step ${JSON.stringify(text)}: a step is an integer ≥ 0.`,
    );
  }
  return Number(text);
}

/** `--meta k=v`: the value is read as a YAML scalar (`10` is a number, `true` a boolean). */
function collectMeta(pair: string, acc: Record<string, unknown>): Record<string, unknown> {
  const eq = pair.indexOf('=');
  if (eq <= 0)
    throw new TroveError(
      'INVALID_ARGUMENT',
      `--meta takes key=value, not ${JSON.stringify(pair)}.`,
    );
  const raw = pair.slice(eq + 1);
  let value: unknown = raw;
  try {
    value = parseYaml(raw) ?? raw;
  } catch {
    // not YAML: keep the text
  }
  return { ...acc, [pair.slice(0, eq)]: value };
}
