/**
 * `search_runs` and `get_run` on core's `searchRuns` (the runs table plus the backlog, so a search
 * is never stale). Experiments become part of the filter (experiments.ts); pages are MLflow's: the
 * token is the base64 of `{"offset": N}`, as MLflow's SQL store writes it, and a page has a token
 * only when more runs follow.
 */
import { type Store, searchRuns as searchCoreRuns, TroveError } from '@trove/core';
import { parseFilter, parseOrderBy } from '@trove/core/dialect';
import { experimentsFilter } from './experiments.js';
import { type MlflowRun, mlflowRun } from './run-view.js';

/** MLflow's `ViewType`. trove does not delete runs: every run is active. */
export const ViewType = { ACTIVE_ONLY: 1, DELETED_ONLY: 2, ALL: 3 } as const;
export type RunViewType = (typeof ViewType)[keyof typeof ViewType];

/** MLflow's `PagedList`: the page's runs, and the token of the next page (null on the last). */
export type PagedList<T> = T[] & { readonly token: string | null };

export interface RunPageQuery {
  /** The experiments to search; undefined searches them all. */
  experimentIds: readonly string[] | undefined;
  filterString?: string | undefined;
  runViewType?: RunViewType | undefined;
  maxResults: number;
  orderBy?: readonly string[] | undefined;
  pageToken?: string | null | undefined;
}

/** One page of runs, in MLflow's `Run` shape. */
export async function searchRunPage(
  store: Store,
  query: RunPageQuery,
): Promise<PagedList<MlflowRun>> {
  const { maxResults } = query;
  if (!(Number.isSafeInteger(maxResults) && maxResults >= 1)) {
    throw new TroveError(
      'INVALID_ARGUMENT',
      `maxResults must be a whole number ≥ 1, not ${String(maxResults)}.`,
    );
  }
  const viewType = query.runViewType ?? ViewType.ACTIVE_ONLY;
  if (!Object.values(ViewType).includes(viewType)) {
    throw new TroveError(
      'INVALID_ARGUMENT',
      `runViewType must be ViewType.ACTIVE_ONLY (1), DELETED_ONLY (2) or ALL (3), not ${String(viewType)}.`,
    );
  }
  const offset = pageOffset(query.pageToken);
  const filter = combinedFilter(query.experimentIds, query.filterString ?? '');
  const orderBy = query.orderBy ?? [];
  if (filter === undefined || viewType === ViewType.DELETED_ONLY) {
    parseOrderBy(orderBy); // a bad order-by is refused even when no run can match, as MLflow does
    return paged([], null);
  }
  // One run past the page tells whether another page follows (MLflow's SQL store does the same).
  const rows = await searchCoreRuns(store, { filter, orderBy, offset, limit: maxResults + 1 });
  const page = rows.slice(0, maxResults).map(mlflowRun);
  return paged(page, rows.length > maxResults ? pageToken(offset + maxResults) : null);
}

/** `get_run`: the run `runId` (or a unique prefix of it). */
export async function getStoreRun(store: Store, runId: string): Promise<MlflowRun> {
  const id = await store.resolveRunId(runId);
  const [row] = await searchCoreRuns(store, { filter: `attributes.run_id = '${id}'`, limit: 1 });
  if (row === undefined) throw new TroveError('NOT_FOUND', `Run ${id} not found.`, { key: id });
  return mlflowRun(row);
}

/**
 * The user's filter checked on its own first, so that an error names the column of the text the
 * user wrote, then joined with the experiments' clause. Undefined when no run can match.
 */
function combinedFilter(ids: readonly string[] | undefined, user: string): string | undefined {
  if (typeof user !== 'string') {
    throw new TroveError('INVALID_ARGUMENT', `filterString must be a string, not ${typeof user}.`);
  }
  parseFilter(user);
  if (ids === undefined) return user;
  if (!Array.isArray(ids)) {
    throw new TroveError('INVALID_ARGUMENT', 'experimentIds must be an array of ids.');
  }
  const experiments = experimentsFilter(ids);
  if (experiments === undefined) return undefined;
  return user.trim() === '' ? experiments : `(${experiments}) and (${user})`;
}

function paged<T>(items: T[], token: string | null): PagedList<T> {
  return Object.assign(items, { token });
}

/** MLflow's token: base64 of Python's `json.dumps({"offset": N})`. */
function pageToken(offset: number): string {
  return Buffer.from(`{"offset": ${offset}}`).toString('base64');
}

function pageOffset(token: string | null | undefined): number {
  if (token === undefined || token === null || token === '') return 0;
  const bad = () =>
    new TroveError('INVALID_ARGUMENT', `Invalid page token ${JSON.stringify(token)}.`);
  if (typeof token !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(token)) throw bad();
  let offset: unknown;
  try {
    offset = (JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset?: unknown })
      ?.offset;
  } catch {
    throw bad();
  }
  if (!(typeof offset === 'number' && Number.isSafeInteger(offset) && offset >= 0)) throw bad();
  return offset;
}
