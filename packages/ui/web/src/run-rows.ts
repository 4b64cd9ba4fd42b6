/**
 * The rows of a runs query, fetched by range as the table scrolls: pages of PAGE rows from
 * /api/runs, each asked for once, the newest query winning (an older query's answers are
 * dropped). 100,000 runs never come to the browser at once. Until a new query's first answer
 * comes, the old rows stay on screen (no flash of an empty table while columns or the order
 * change).
 */
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { getJson, isAbort, prefetch } from './api.js';
import type { RunRow, RunsPage } from './types.js';

const PAGE = 200;

/**
 * No `columns`: every row comes with all its params, metrics and tags, so choosing columns
 * never refetches (and the first page does not wait for the list of keys).
 */
export interface RunsQuery {
  filter: string;
  orderBy: string;
}

export interface RunRows {
  total: number | undefined;
  row(i: number): RunRow | undefined;
  error: unknown;
  /** asks for the rows first..last (inclusive) */
  want(first: number, last: number): void;
  /** the first page of the current query, once it came */
  firstPage: RunRow[] | undefined;
  version: number;
}

/** The query of a page of rows (the same object `prefetchFirstRows` asks for). */
function pageQuery(query: RunsQuery, page: number) {
  return { filter: query.filter, orderBy: query.orderBy, offset: page * PAGE, limit: PAGE };
}

/** The runs page's first rows, asked for before the app renders (main.tsx). */
export function prefetchFirstRows(query: RunsQuery): void {
  prefetch('runs', pageQuery(query, 0));
}

export function useRunRows(query: RunsQuery): RunRows {
  const pages = useRef(new Map<number, RunRow[]>());
  const asked = useRef(new Set<number>());
  const stale = useRef<Map<number, RunRow[]> | null>(null);
  const controller = useRef<AbortController>(new AbortController());
  const [total, setTotal] = useState<number | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [version, setVersion] = useState(0);

  const fetchPage = useCallback(
    (page: number) => {
      if (asked.current.has(page)) return;
      asked.current.add(page);
      const signal = controller.current.signal;
      getJson<RunsPage>('runs', pageQuery(query, page), signal).then(
        (answer) => {
          if (signal.aborted) return;
          stale.current = null;
          pages.current.set(page, answer.rows);
          setTotal(answer.total);
          setVersion((v) => v + 1);
        },
        (err) => {
          if (signal.aborted || isAbort(err)) return;
          asked.current.delete(page);
          stale.current = null;
          setTotal(undefined);
          setError(err);
        },
      );
    },
    [query.filter, query.orderBy],
  );

  useEffect(() => {
    controller.current.abort();
    controller.current = new AbortController();
    if (pages.current.size > 0) stale.current = pages.current;
    pages.current = new Map();
    asked.current = new Set();
    setError(undefined);
    setVersion((v) => v + 1);
    fetchPage(0);
    return () => controller.current.abort();
  }, [fetchPage]);

  const want = useCallback(
    (first: number, last: number) => {
      for (let p = Math.floor(first / PAGE); p <= Math.floor(last / PAGE); p++) fetchPage(p);
    },
    [fetchPage],
  );

  const row = (i: number) =>
    (pages.current.get(Math.floor(i / PAGE)) ?? stale.current?.get(Math.floor(i / PAGE)))?.[
      i % PAGE
    ];
  const firstPage = pages.current.get(0) ?? stale.current?.get(0);
  return { total, row, error, want, version, firstPage };
}
