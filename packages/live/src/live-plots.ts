/**
 * A Live's custom and sklearn plots: DVCLive keeps both in one table by name (a second call
 * with a name rewrites the data and keeps the first config), writes `plots/custom/<name>.json`
 * or `plots/sklearn/<name>.json`, and each version is stored in the trove run under
 * `outputs/plots/…` with its dvc.yaml config as `meta.plot`.
 */
import { dirname, parse, relative, sep } from 'node:path';
import { TroveError } from '@trove/core';
import { writeFileAtomic } from '@trove/core/dialect';
import type { LiveRun } from './live-run.js';
import type { LogPlotOptions, LogSklearnPlotOptions } from './options.js';
import {
  checkSklearnKind,
  cleanName,
  isRecord,
  isY,
  jsonText,
  plotConfig,
  type SklearnKind,
  sklearnBody,
  sklearnConfig,
} from './plots.js';
import { checkRelName, pathlibJoin } from './py-values.js';
import type { Label } from './sklearn-curves.js';

export interface PlotState {
  outputPath: string;
  config: Record<string, unknown>;
}

export class LivePlots {
  readonly #dir: string;
  readonly #run: () => LiveRun;
  readonly #plots = new Map<string, PlotState>();

  constructor(dir: string, run: () => LiveRun) {
    this.#dir = dir;
    this.#run = run;
  }

  values(): PlotState[] {
    return [...this.#plots.values()];
  }

  custom(name: string, datapoints: unknown, options: LogPlotOptions): void {
    const stem = checkRelName('Plot', name).replaceAll('.json', '');
    if (!Array.isArray(datapoints) || !datapoints.every(isRecord)) {
      throw new TroveError('INVALID_ARGUMENT', `Data '${name}' must be a list of objects.`);
    }
    if (typeof options?.x !== 'string' || !isY(options.y)) {
      throw new TroveError('INVALID_ARGUMENT', `Plot '${name}' needs x (a string) and y.`);
    }
    this.#write(name, jsonText(datapoints, name), () => ({
      outputPath: `${pathlibJoin(this.#dir, 'plots', 'custom', stem)}.json`,
      config: plotConfig({
        ...options,
        template: options.template === undefined ? 'linear' : options.template,
      }),
    }));
  }

  sklearn(
    kind: SklearnKind,
    labels: readonly Label[],
    predictions: readonly unknown[],
    options: LogSklearnPlotOptions,
  ): void {
    const checked = checkSklearnKind(kind);
    const name = checkRelName('Plot', options.name ?? kind).replaceAll('.json', '');
    const text = jsonText(sklearnBody(checked, labels, predictions, options), name);
    this.#write(name, text, () => ({
      outputPath: `${pathlibJoin(this.#dir, 'plots', 'sklearn', name)}.json`,
      config: sklearnConfig(checked, options),
    }));
  }

  #write(name: string, text: string, create: () => PlotState): void {
    const plot = this.#plots.get(name) ?? create();
    writeFileAtomic(plot.outputPath, text);
    this.#plots.set(name, plot);
    void this.#run()
      .logArtifact(plot.outputPath, {
        type: 'plot',
        name: cleanName(parse(plot.outputPath).name),
        relPath: relative(this.#dir, dirname(plot.outputPath)).split(sep).join('/'),
        dvc: false,
        meta: { plot: plot.config },
      })
      .catch(() => undefined);
  }
}
