/**
 * Params or summary side by side: a row per key, a column per run, rows whose values differ
 * marked (and, on request, the only ones shown).
 */
import { formatValue } from '../format.js';
import type { DiffRow } from '../types.js';

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
        <thead>
          <tr>
            <th>key</th>
            {labels.map((l, i) => (
              <th key={`${i}-${l}`}>{l}</th>
            ))}
          </tr>
        </thead>
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
            <tr>
              <td colSpan={labels.length + 1} class="muted">
                {onlyDiffs ? 'no differences' : 'none'}
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
