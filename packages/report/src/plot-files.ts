/**
 * Reading what runs store: Polyaxon event files (`step|timestamp|metric`, rows each starting with
 * a newline) and DVCLive's plot files (JSON written by Python, where `NaN` and `Infinity` are bare
 * tokens; TSV with a header line).
 */
import { TroveError } from '@trove/core';
import { toNumber } from './validate.js';

export interface MetricEvent {
  step: number;
  timestamp: string;
  value: number;
}

export function parseEvents(text: string, key: string): MetricEvent[] {
  const lines = text.split('\n');
  const header = lines.shift();
  if (header === undefined || !header.startsWith('step|timestamp|')) {
    throw new TroveError('CORRUPT', `${key} is not an event file (no step|timestamp header).`, {
      key,
    });
  }
  const events: MetricEvent[] = [];
  for (const line of lines) {
    if (line === '') continue;
    const [step = '', timestamp = '', ...rest] = line.split('|');
    const value = toNumber(rest.join('|'));
    if (value === undefined) {
      throw new TroveError('CORRUPT', `${key}: ${JSON.stringify(line)} has no numeric value.`, {
        key,
      });
    }
    events.push({ step: step === '' ? events.length : Number(step), timestamp, value });
  }
  return events;
}

type Row = Record<string, string | number>;

/** Python's `json.dumps(allow_nan=True)` output: bare NaN / Infinity outside strings. */
function parsePythonJson(text: string): unknown {
  const marked = text.replace(/"(?:[^"\\]|\\.)*"|-?\bInfinity\b|\bNaN\b/g, (token) =>
    token.startsWith('"') ? token : `"\\u0000${token}"`,
  );
  return JSON.parse(marked, (_, value) =>
    typeof value === 'string' && value.startsWith('\u0000') ? Number(value.slice(1)) : value,
  );
}

/**
 * Rows of a DVCLive plot file: a JSON list of objects, the same wrapped in one key
 * (`{"roc": [...]}`, as sklearn plots are), or a TSV/CSV table with a header.
 */
export function parsePlotFile(text: string, path: string): Row[] {
  const lower = path.toLowerCase();
  if (lower.endsWith('.tsv') || lower.endsWith('.csv')) {
    const sep = lower.endsWith('.tsv') ? '\t' : ',';
    const [head = '', ...lines] = text.split(/\r?\n/).filter((l) => l !== '');
    const names = head.split(sep);
    return lines.map((line) => {
      const cells = line.split(sep);
      const row: Row = {};
      names.forEach((name, i) => {
        const cell = cells[i] ?? '';
        const n = toNumber(cell);
        row[name] = n === undefined ? cell : n;
      });
      return row;
    });
  }
  let data: unknown;
  try {
    data = parsePythonJson(text);
  } catch (err) {
    throw new TroveError('CORRUPT', `${path} is not JSON.`, { key: path, cause: err });
  }
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) {
    const lists = Object.values(data).filter(Array.isArray);
    if (lists.length === 1) data = lists[0];
  }
  if (!Array.isArray(data) || !data.every((r) => typeof r === 'object' && r !== null)) {
    throw new TroveError('CORRUPT', `${path} is not a list of rows.`, { key: path });
  }
  return data as Row[];
}
