/** `/api/info`, `/api/columns`, `/api/runs`: the store, its keys and pages of its runs. */
import { countRuns, type RunRow, runKeys, type Store, searchRuns, TroveError } from '@trove/core';
import { integer } from '../server/params.js';

export interface UiRunRow {
  id: string;
  name: string;
  status: string;
  startTime: string;
  endTime: string | null;
  experiment?: string;
  params: Record<string, string>;
  metrics: Record<string, number>;
  tags: Record<string, string>;
}

export async function info(store: Store, version: string) {
  const root = (store.meta as { root?: unknown }).root;
  const location =
    typeof root === 'string' ? root : [store.name, store.metaPrefix].filter(Boolean).join('/');
  return {
    store: { kind: store.meta.kind, name: store.name, location },
    version,
    runs: await countRuns(store, { onDamaged: () => {} }),
  };
}

export function columns(store: Store) {
  return runKeys(store, { onDamaged: () => {} });
}

const MAPS = ['params', 'metrics', 'tags'] as const;

export async function listRuns(store: Store, url: URL) {
  const filter = url.searchParams.get('filter') ?? '';
  const orderBy = (url.searchParams.get('orderBy') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const limit = integer(url, 'limit', 200, 0, 1000);
  const offset = integer(url, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
  const wanted = wantedColumns(url.searchParams.get('columns'));
  const quiet = { onDamaged: () => {} };
  // the page first: a bad filter is reported once, and the count reuses what it loaded
  const rows = await searchRuns(store, { filter, orderBy, limit, offset, ...quiet });
  const total = await countRuns(store, { filter, ...quiet });
  return { total, offset, rows: rows.map((row) => uiRow(row, wanted)) };
}

/** `params.lr,metrics.acc` as the keys wanted of each map; null (no `columns`) is every key. */
function wantedColumns(raw: string | null): Record<(typeof MAPS)[number], Set<string>> | null {
  if (raw === null) return null;
  const wanted = { params: new Set<string>(), metrics: new Set<string>(), tags: new Set<string>() };
  for (const column of raw.split(',').filter(Boolean)) {
    const dot = column.indexOf('.');
    const map = column.slice(0, dot) as (typeof MAPS)[number];
    if (dot <= 0 || !MAPS.includes(map)) {
      throw new TroveError('INVALID_ARGUMENT', `Unknown column ${JSON.stringify(column)}.`, {
        hint: 'Columns are params.<key>, metrics.<key> and tags.<key>.',
      });
    }
    wanted[map].add(column.slice(dot + 1));
  }
  return wanted;
}

function uiRow(row: RunRow, wanted: ReturnType<typeof wantedColumns>): UiRunRow {
  const pick = <T>(map: Record<string, T>, keys: Set<string> | undefined) =>
    keys ? Object.fromEntries(Object.entries(map).filter(([k]) => keys.has(k))) : map;
  return {
    id: row.run_id,
    name: row.name,
    status: row.status,
    startTime: row.start_time.toISOString(),
    endTime: row.end_time ? row.end_time.toISOString() : null,
    ...(row.experiment ? { experiment: row.experiment } : {}),
    params: pick(row.params, wanted?.params),
    metrics: pick(row.metrics, wanted?.metrics),
    tags: pick(row.tags, wanted?.tags),
  };
}
