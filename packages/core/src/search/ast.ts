/**
 * The parsed form of a run filter and an order-by list. Keys are resolved (prefix aliases,
 * attribute aliases) and values normalised (status names to trove's, times to epoch
 * milliseconds) by the parser, so a compiler never sees the user's spelling.
 */

/** Where a key lives: a metric, a param, a tag, or a column of the run itself. */
export type FilterKeyKind = 'metric' | 'param' | 'tag' | 'attribute';

/** A run attribute by its canonical name (aliases such as `user_id`, `created` resolved). */
export type RunAttribute =
  | 'run_id'
  | 'name'
  | 'status'
  | 'start_time'
  | 'end_time'
  | 'updated_time'
  | 'user'
  | 'experiment'
  | 'host'
  | 'git_commit'
  | 'git_branch'
  | 'artifact_count';

/** A logged model's attribute (MLflow 3's `search_logged_models`), beside `name`. */
export type LoggedModelAttribute =
  | 'model_id'
  | 'name'
  | 'model_type'
  | 'source_run_id'
  | 'experiment_id'
  | 'creation_time'
  | 'last_updated_time';

export type FilterKey =
  | { readonly kind: 'metric' | 'param' | 'tag'; readonly name: string }
  | { readonly kind: 'attribute'; readonly name: RunAttribute | LoggedModelAttribute };

export type FilterComparator =
  | '='
  | '!='
  | '<'
  | '<='
  | '>'
  | '>='
  | 'LIKE'
  | 'ILIKE'
  | 'IN'
  | 'NOT IN'
  | 'IS NULL'
  | 'IS NOT NULL';

/** A value to compare with: a number, a string, a list of strings (IN), or none (IS NULL). */
export type FilterValue =
  | { readonly type: 'number'; readonly value: number }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'list'; readonly value: readonly string[] }
  | { readonly type: 'none' };

export interface FilterComparison {
  readonly kind: 'compare';
  readonly key: FilterKey;
  readonly op: FilterComparator;
  readonly value: FilterValue;
  /** 1-based column of the key in the filter text. */
  readonly column: number;
}

interface FilterAnd {
  readonly kind: 'and';
  /** Empty for an empty filter, which matches every run. */
  readonly items: readonly FilterAst[];
}

interface FilterOr {
  readonly kind: 'or';
  readonly items: readonly FilterAst[];
}

export type FilterAst = FilterComparison | FilterAnd | FilterOr;

export interface OrderByItem {
  readonly key: FilterKey;
  readonly descending: boolean;
}
