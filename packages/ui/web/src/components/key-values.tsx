/** A record's map (params, summary, tags, git) as a two-column table. */
import { formatValue } from '../format.js';

export function KeyValues({ title, values }: { title: string; values: unknown }) {
  const entries =
    values && typeof values === 'object' ? Object.entries(values as Record<string, unknown>) : [];
  return (
    <table class="key-values" data-table={title}>
      <caption>{title}</caption>
      <tbody>
        {entries.map(([k, v]) => (
          <tr key={k} data-key={k}>
            <th>{k}</th>
            <td>{formatValue(v)}</td>
          </tr>
        ))}
        {entries.length === 0 && (
          <tr>
            <td class="muted">none</td>
          </tr>
        )}
      </tbody>
    </table>
  );
}
