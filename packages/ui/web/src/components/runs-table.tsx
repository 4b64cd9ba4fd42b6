/**
 * A virtualized table: only the rows in view (plus a margin) are in the DOM, placed absolutely in
 * a body as tall as every row, so 100,000 runs scroll as smoothly as 100. Rows not fetched yet
 * show as placeholders; the table asks for them as they come into view.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Column } from '../run-columns.js';
import type { RunRows } from '../run-rows.js';

const ROW_H = 28;
const MARGIN = 10;

interface Props {
  rows: RunRows;
  columns: Column[];
  sort: { key: string; desc: boolean } | undefined;
  onSort(column: Column): void;
  selected: ReadonlySet<string>;
  onToggle(id: string): void;
}

export function RunsTable({ rows, columns, sort, onSort, selected, onToggle }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 600 });
  const total = rows.total ?? 0;

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const update = () => setView({ top: el.scrollTop, height: el.clientHeight });
    update();
    el.addEventListener('scroll', update, { passive: true });
    const observer = new ResizeObserver(update);
    observer.observe(el);
    return () => {
      el.removeEventListener('scroll', update);
      observer.disconnect();
    };
  }, []);

  const first = Math.max(0, Math.floor(view.top / ROW_H) - MARGIN);
  const last = Math.min(total - 1, Math.ceil((view.top + view.height) / ROW_H) + MARGIN);
  useEffect(() => {
    if (total > 0 && last >= first) rows.want(first, last);
  }, [first, last, total, rows.want]);

  const drawn = total > 0 && rows.row(first) !== undefined;
  useEffect(() => {
    // for bench/ui.mjs: when the first rows of this page load were on screen
    if (drawn && performance.getEntriesByName('trove:rows-drawn').length === 0) {
      performance.mark('trove:rows-drawn');
    }
  }, [drawn]);

  const template = `32px ${columns.map((c) => `${c.width}px`).join(' ')}`;
  const width = 32 + columns.reduce((sum, c) => sum + c.width, 0);
  const visible = [];
  for (let i = first; i <= last; i++) {
    const row = rows.row(i);
    visible.push(
      <tr
        key={row?.id ?? `pending-${i}`}
        class={`tr${row && selected.has(row.id) ? ' selected' : ''}${row ? '' : ' pending'}`}
        aria-rowindex={i + 2}
        data-run={row?.id}
        style={{ top: `${i * ROW_H}px`, gridTemplateColumns: template, width: `${width}px` }}
      >
        <td class="td check">
          {row && (
            <input
              type="checkbox"
              aria-label={`select ${row.name || row.id}`}
              checked={selected.has(row.id)}
              onChange={() => onToggle(row.id)}
            />
          )}
        </td>
        {columns.map((c) => (
          <td key={c.id} class={`td${c.numeric ? ' num' : ''}`} data-col={c.id}>
            {row && c.id === 'name' ? (
              <a href={`/run/${encodeURIComponent(row.id)}`}>{c.value(row)}</a>
            ) : row ? (
              c.value(row)
            ) : (
              ''
            )}
          </td>
        ))}
      </tr>,
    );
  }

  return (
    <div class="runs-table" ref={scroller}>
      <table aria-rowcount={total + 1}>
        <thead>
          <tr class="tr head" style={{ gridTemplateColumns: template, width: `${width}px` }}>
            <th class="td check" />
            {columns.map((c) => {
              const sorted = sort?.key === c.sortKey;
              return (
                <th
                  key={c.id}
                  class={`td th${sorted ? ' sorted' : ''}${c.numeric ? ' num' : ''}`}
                  aria-sort={sorted ? (sort?.desc ? 'descending' : 'ascending') : 'none'}
                  data-col={c.id}
                >
                  <button type="button" title={`sort by ${c.sortKey}`} onClick={() => onSort(c)}>
                    {c.label}
                    {sorted ? (sort?.desc ? ' ▼' : ' ▲') : ''}
                  </button>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody class="tbody" style={{ height: `${total * ROW_H}px`, width: `${width}px` }}>
          {visible}
        </tbody>
      </table>
    </div>
  );
}
