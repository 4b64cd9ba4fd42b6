/**
 * The runs table's columns: the fixed ones (name, status, start) and the chosen param, metric
 * and tag columns, written in the URL as `params.lr,metrics.acc`, each with its search-grammar
 * key for sorting.
 */
import { formatTime, formatValue, grammarKey } from './format.js';
import type { RunRow } from './types.js';

export type Group = 'params' | 'metrics' | 'tags';

export interface Column {
  id: string;
  label: string;
  sortKey: string;
  width: number;
  value(row: RunRow): string;
  numeric?: boolean;
}

export const FIXED_COLUMNS: Column[] = [
  {
    id: 'name',
    label: 'name',
    sortKey: 'attributes.run_name',
    width: 220,
    value: (r) => r.name || r.id,
  },
  {
    id: 'status',
    label: 'status',
    sortKey: 'attributes.status',
    width: 100,
    value: (r) => r.status,
  },
  {
    id: 'start',
    label: 'started',
    sortKey: 'attributes.start_time',
    width: 190,
    value: (r) => formatTime(r.startTime),
  },
];

export function parseColumnList(text: string | null): { group: Group; name: string }[] {
  if (!text) return [];
  return text
    .split(',')
    .map((item) => {
      const dot = item.indexOf('.');
      const group = item.slice(0, dot) as Group;
      return { group, name: item.slice(dot + 1) };
    })
    .filter((c) => c.name && ['params', 'metrics', 'tags'].includes(c.group));
}

export function columnList(cols: { group: Group; name: string }[]): string {
  return cols.map((c) => `${c.group}.${c.name}`).join(',');
}

/**
 * Without a choice in the URL: the first few metrics, then the first few params, of the keys
 * the first rows have (the list of every key is fetched only when the column picker opens).
 */
export function defaultColumns(rows: readonly RunRow[]): { group: Group; name: string }[] {
  const keys = (group: 'metrics' | 'params') =>
    [...new Set(rows.flatMap((r) => Object.keys(r[group] ?? {})))].sort().slice(0, 4);
  return [
    ...keys('metrics').map((name) => ({ group: 'metrics' as const, name })),
    ...keys('params').map((name) => ({ group: 'params' as const, name })),
  ];
}

export function chosenColumn(group: Group, name: string): Column {
  return {
    id: `${group}.${name}`,
    label: name,
    sortKey: grammarKey(group, name),
    width: group === 'metrics' ? 110 : 130,
    numeric: group === 'metrics',
    value: (r) => formatValue(r[group]?.[name]),
  };
}

/** `orderBy` text for a column and direction, and back. */
export function orderByText(sortKey: string, desc: boolean): string {
  return `${sortKey} ${desc ? 'DESC' : 'ASC'}`;
}

export function parseOrderBy(text: string | null): { key: string; desc: boolean } | undefined {
  const m = text?.match(/^(.*?)\s+(ASC|DESC)$/i);
  if (!text) return undefined;
  return m
    ? { key: m[1] ?? '', desc: (m[2] ?? '').toUpperCase() === 'DESC' }
    : { key: text, desc: false };
}
