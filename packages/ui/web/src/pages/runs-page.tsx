/**
 * Runs: search, sort, choose columns, select, compare. Everything that shapes the view is in the
 * URL (`/runs?filter=…&orderBy=…&columns=…`), so a view can be shared.
 */
import { useMemo } from 'preact/hooks';
import { ApiError } from '../api.js';
import { ColumnPicker } from '../components/column-picker.js';
import { ErrorView } from '../components/error-view.js';
import { RunsTable } from '../components/runs-table.js';
import { SearchBox } from '../components/search-box.js';
import { navigate, withQuery } from '../router.js';
import {
  type Column,
  chosenColumn,
  columnList,
  defaultColumns,
  FIXED_COLUMNS,
  orderByText,
  parseColumnList,
  parseOrderBy,
} from '../run-columns.js';
import { useRunRows } from '../run-rows.js';
import { useToggleSet } from '../use-toggle-set.js';

const MAX_COMPARE = 50;

export function RunsPage({ query }: { query: URLSearchParams }) {
  const filter = query.get('filter') ?? '';
  const orderBy = query.get('orderBy') ?? '';
  const rows = useRunRows({ filter, orderBy });
  const chosen = useMemo(
    () =>
      query.has('columns')
        ? parseColumnList(query.get('columns'))
        : defaultColumns(rows.firstPage ?? []),
    [query.get('columns'), rows.firstPage],
  );
  const [selected, toggle, clearSelection] = useToggleSet();

  const go = (changes: Record<string, string | undefined>) =>
    navigate(
      withQuery('/runs', {
        filter,
        orderBy,
        columns: query.has('columns') ? (query.get('columns') ?? '') : undefined,
        ...changes,
      }),
    );
  const columns: Column[] = [...FIXED_COLUMNS, ...chosen.map((c) => chosenColumn(c.group, c.name))];
  const sort = parseOrderBy(orderBy);
  const onSort = (c: Column) =>
    go({ orderBy: orderByText(c.sortKey, sort?.key === c.sortKey ? !sort.desc : true) });
  const badFilter = rows.error instanceof ApiError && rows.error.code === 'INVALID_ARGUMENT';
  const count = selected.size;

  return (
    <section class="runs-page">
      <div class="toolbar">
        <SearchBox
          value={filter}
          error={rows.error}
          onSearch={(f) => go({ filter: f || undefined })}
        />
        <ColumnPicker
          chosen={chosen}
          onChange={(next) => go({ columns: columnList(next) || ',' })}
        />
        <button
          type="button"
          class="primary"
          disabled={count < 2 || count > MAX_COMPARE}
          title={count > MAX_COMPARE ? `at most ${MAX_COMPARE} runs` : 'select 2 or more runs'}
          onClick={() => navigate(withQuery('/compare', { runs: [...selected].join(',') }))}
        >
          Compare{count ? ` (${count})` : ''}
        </button>
        {count > 0 && (
          <button type="button" onClick={clearSelection}>
            Clear selection
          </button>
        )}
        <span class="count" data-total={rows.total}>
          {rows.total === undefined ? '' : `${rows.total.toLocaleString('en')} runs`}
        </span>
      </div>
      {rows.error && !badFilter ? (
        <ErrorView error={rows.error} />
      ) : (
        <RunsTable
          rows={rows}
          columns={columns}
          sort={sort}
          onSort={onSort}
          selected={selected}
          onToggle={toggle}
        />
      )}
    </section>
  );
}
