/**
 * Params or summary side by side: a row per key, a column per run, rows whose values differ
 * marked (and, on request, the only ones shown).
 */
import { formatValue } from '../format.js';
import type { DiffRow } from '../types.js';
import { EmptyRow, HeadRow } from './table-rows.js';

interface Props {
  title: string;
  rows: DiffRow[];
  labels: string[];
  onlyDiffs: boolean;
}

export function DiffTable({ title, rows, labels, onlyDiffs }: Props) {
  const shown = onlyDiffs ? rows.filter((r) => r.differs) : rows;
  return (
    <div class="diff-table-wrap">
      <table class="diff-table" data-table={title}>
        <caption>
          {title} <span class="muted">({rows.filter((r) => r.differs).length} differ)</span>
        </caption>
        <HeadRow names={['key', ...labels]} />
        <tbody>
          {shown.map((row) => (
            <tr key={row.key} class={row.differs ? 'differs' : ''} data-key={row.key}>
              <th>{row.key}</th>
              {row.values.map((v, i) => (
                <td
                  key={`${i}-${labels[i]}`}
                  class={v === null || v === undefined ? 'missing' : ''}
                >
                  {v === null || v === undefined ? '—' : formatValue(v)}
                </td>
              ))}
            </tr>
          ))}
          {shown.length === 0 && (
            <EmptyRow span={labels.length + 1} text={onlyDiffs ? 'no differences' : 'none'} />
          )}
        </tbody>
      </table>
    </div>
  );
}
