/** How values read on screen: sizes, times, numbers, anything from a record. */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '';
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${UNITS[u]}`;
}

export function formatTime(t: unknown): string {
  if (t === undefined || t === null || t === '') return '';
  const d = new Date(typeof t === 'number' || typeof t === 'string' ? t : Number.NaN);
  if (Number.isNaN(d.getTime())) return String(t);
  return d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

export function formatValue(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return String(v);
    const abs = Math.abs(v);
    return abs !== 0 && (abs < 1e-4 || abs >= 1e6)
      ? v.toExponential(4)
      : String(Number(v.toPrecision(6)));
  }
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** A search-grammar key for a column: backticks when the name is not a plain word. */
export function grammarKey(group: string, name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_.]*$/.test(name) ? `${group}.${name}` : `${group}.\`${name}\``;
}

export function shortId(id: string): string {
  return id.length > 12 ? id.slice(0, 12) : id;
}
