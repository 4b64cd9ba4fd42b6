/**
 * `searchRuns`: the runs table's committed snapshot plus every run in the backlog (running, or
 * whose writer has not committed yet), filtered and ordered by the engine. A run in the backlog is
 * read from its folder, the source of truth, and replaces its committed row, so a result is never
 * stale. Without a runs table (a store from before the tables), every run is read from its folder.
 */
import { TroveError } from '../errors.js';
import type { Store } from '../record/store.js';
import { compileFilter } from '../search/compile-filter.js';
import { compileOrderBy } from '../search/compile-order-by.js';
import { parseFilter } from '../search/parse-filter.js';
import { parseOrderBy } from '../search/parse-order-by.js';
import { selectList } from './columns.js';
import type { OnDamaged } from './commit-runs.js';
import { Session } from './engine.js';
import type { RunRow } from './rows.js';
import { openViews } from './views.js';

export interface SearchRunsOptions {
  /** A filter in MLflow's grammar, plus `or` and parentheses (docs/search.md). */
  filter?: string;
  /** `metrics.acc DESC`, `attributes.start_time`, …; default: newest first. */
  orderBy?: readonly string[];
  /** At most this many runs (default: all). */
  limit?: number;
  /** Skips this many runs first (default 0): a page, without converting the runs before it. */
  offset?: number;
  /** Told of each run left out because its folder is damaged (default: a process warning). */
  onDamaged?: OnDamaged;
}

/** Runs, in the order asked for (a page of them with `limit`/`offset`). */
export async function searchRuns(store: Store, options: SearchRunsOptions = {}): Promise<RunRow[]> {
  const where = compileFilter(parseFilter(options.filter ?? ''));
  const order = compileOrderBy(parseOrderBy(options.orderBy ?? []));
  const { limit, offset = 0 } = options;
  for (const [name, value] of [
    ['limit', limit],
    ['offset', offset],
  ] as const) {
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
      throw new TroveError('INVALID_ARGUMENT', `${name} must be a whole number ≥ 0, not ${value}.`);
    }
  }
  const session = await Session.open();
  try {
    await openViews(store, session, ['runs'], options.onDamaged);
    const rows = await session.rows(
      `SELECT ${selectList('runs')} FROM runs` +
        (where.sql ? ` WHERE ${where.sql}` : '') +
        ` ORDER BY ${order.sql}` +
        (limit === undefined ? '' : ` LIMIT ${limit}`) +
        (offset === 0 ? '' : ` OFFSET ${offset}`),
      [...where.params, ...order.params],
    );
    return rows as unknown as RunRow[];
  } finally {
    session.close();
  }
}

/** How many runs `filter` finds (all runs without one): the size of what `searchRuns` pages through. */
export async function countRuns(
  store: Store,
  options: Pick<SearchRunsOptions, 'filter' | 'onDamaged'> = {},
): Promise<number> {
  const where = compileFilter(parseFilter(options.filter ?? ''));
  const session = await Session.open();
  try {
    // A count reads one column of the files: it does not load the snapshot into memory (a
    // second search does), so a first page and its count cost one read of the files.
    await openViews(store, session, ['runs'], options.onDamaged, { onDisk: true });
    const [row] = await session.rows(
      `SELECT count(*) AS n FROM runs${where.sql ? ` WHERE ${where.sql}` : ''}`,
      where.params,
    );
    return Number(row?.n ?? 0);
  } finally {
    session.close();
  }
}
