/**
 * MLflow's experiments on trove, which has no experiment registry: the dialect records a run's
 * experiment as the tag `mlflow.experimentName`, which core's runs table reads (with the plain
 * `experiment` tag, core's `EXPERIMENT_TAGS`) into its `experiment` column. The experiment's id
 * is its name, except MLflow's `Default` experiment, id `0`, which holds every run without an
 * experiment. This file is the one place in the dialect that knows the mapping.
 */
import { TroveError } from '@trove/core';
import { EXPERIMENT_TAGS } from '@trove/core/dialect';

/** The tag the dialect records a run's experiment in. */
const [EXPERIMENT_TAG] = EXPERIMENT_TAGS;
const DEFAULT_EXPERIMENT_ID = '0';
const DEFAULT_EXPERIMENT_NAME = 'Default';
/** A run without an experiment tag: the attribute has no IS NULL, the tags have. */
const NO_EXPERIMENT = EXPERIMENT_TAGS.map((tag) => `tags.\`${tag}\` IS NULL`).join(' and ');

/** What `setExperiment` returns: MLflow's `Experiment`, with the fields trove can fill. */
export interface Experiment {
  experiment_id: string;
  name: string;
  lifecycle_stage: 'active';
}

let activeName: string = DEFAULT_EXPERIMENT_NAME;

/** The id of the experiment named `name`. */
export function experimentId(name: string): string {
  return name === DEFAULT_EXPERIMENT_NAME ? DEFAULT_EXPERIMENT_ID : name;
}

/** The id of the experiment a runs-table row belongs to (its `experiment` column). */
export function experimentIdOfRow(experiment: string | null): string {
  return experiment === null ? DEFAULT_EXPERIMENT_ID : experimentId(experiment);
}

/** The id of the experiment of a run with these tags (the tag the runs table reads). */
export function experimentIdOfTags(tags: Readonly<Record<string, string>>): string {
  return experimentIdOfRow(
    EXPERIMENT_TAGS.map((t) => tags[t]).find((v) => v !== undefined) ?? null,
  );
}

/**
 * `set_experiment`: later runs started by the fluent API belong to `name` (no experiment is
 * created anywhere; the run's tag is the whole record).
 */
export function setExperiment(name: string): Experiment {
  quoted(checkName(name));
  activeName = name;
  return experiment(name);
}

export function activeExperiment(): Experiment {
  return experiment(activeName);
}

function experiment(name: string): Experiment {
  return { experiment_id: experimentId(name), name, lifecycle_stage: 'active' };
}

/** The tags that put a new run into the experiment `id` (none for `Default`). */
export function experimentTags(id: string): Record<string, string> {
  quoted(checkName(id)); // a run in an experiment that no search could name is refused first
  return id === DEFAULT_EXPERIMENT_ID || id === DEFAULT_EXPERIMENT_NAME
    ? {}
    : { [EXPERIMENT_TAG]: id };
}

/**
 * A filter (core's grammar) that keeps the runs of the experiments `ids`, or undefined when
 * there is none to keep (no run matches).
 */
export function experimentsFilter(ids: readonly string[]): string | undefined {
  const clauses = new Set<string>();
  for (const id of ids) {
    checkName(id);
    if (id === DEFAULT_EXPERIMENT_ID || id === DEFAULT_EXPERIMENT_NAME) {
      clauses.add(NO_EXPERIMENT);
      clauses.add(`attributes.experiment = '${DEFAULT_EXPERIMENT_NAME}'`);
    } else {
      clauses.add(`attributes.experiment = ${quoted(id)}`);
    }
  }
  return clauses.size === 0 ? undefined : [...clauses].join(' or ');
}

/** An experiment's id or name: a string with something other than blanks in it. */
function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new TroveError(
      'INVALID_ARGUMENT',
      `An experiment id or name must be a non-empty string, not ${JSON.stringify(name) ?? String(name)}.`,
    );
  }
  return name;
}

/** A filter string value: the grammar has no escapes, so a name needs a quote it lacks. */
function quoted(value: string): string {
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('"')) return `"${value}"`;
  throw new TroveError(
    'INVALID_ARGUMENT',
    `The experiment ${JSON.stringify(value)} holds both kinds of quote; a filter cannot name it.`,
  );
}
