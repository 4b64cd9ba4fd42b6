/**
 * The params and metrics tables: nested objects flattened with dots, as DVC's table renderer
 * does (`optimizer.name`), one row of values.
 */

export function flatten(
  value: Record<string, unknown>,
  prefix = '',
  out: Array<[string, unknown]> = [],
): Array<[string, unknown]> {
  for (const [key, v] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date)) {
      flatten(v as Record<string, unknown>, name, out);
    } else {
      out.push([name, v]);
    }
  }
  return out;
}

export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value) ?? String(value);
}

/**
 * tabulate's `github` format, as DVCLive's `report.md` has it: each column at least two wider
 * than its header, numbers right-aligned, text left-aligned, one space of padding.
 */
export function githubTable(rows: Array<[string, unknown]>): string {
  const cells = rows.map(([name, value]) => {
    const text = formatValue(value).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
    const width = Math.max(name.length + 2, text.length);
    return { name, text, width, right: typeof value === 'number' };
  });
  const pad = (s: string, width: number, right: boolean) =>
    right ? s.padStart(width) : s.padEnd(width);
  const line = (parts: string[]) => `| ${parts.join(' | ')} |`;
  return [
    line(cells.map((c) => pad(c.name, c.width, c.right))),
    `|${cells.map((c) => '-'.repeat(c.width + 2)).join('|')}|`,
    line(cells.map((c) => pad(c.text, c.width, c.right))),
  ].join('\n');
}
