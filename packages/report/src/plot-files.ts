/**
 * Reading what runs store: Polyaxon event files (`step|timestamp|metric`, rows each starting with
 * a newline; on a store, the base file and its appended segments read as one stream) and DVCLive's plot files (JSON written by Python, where `NaN` and `Infinity` are bare
 * tokens; TSV with a header line).
 */
import { StringDecoder } from 'node:string_decoder';
import { TroveError } from '@trove/core';
import { toNumber } from './validate.js';

export interface MetricEvent {
  step: number;
  timestamp: string;
  value: number;
}

/**
 * The metric events of an events file, read as a stream (its base file and appended segments):
 * lines are taken as they arrive, so only the parsed values are held, never the file's text.
 */
export async function parseEventStream(
  chunks: AsyncIterable<Buffer | string>,
  key: string,
): Promise<MetricEvent[]> {
  const events: MetricEvent[] = [];
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let header = true;
  const take = (line: string) => {
    if (header) checkHeader(line, key);
    else addEvent(events, line, key);
    header = false;
  };
  for await (const chunk of chunks) {
    const text = rest + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    const lines = text.split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) take(line);
  }
  take(rest + decoder.end());
  return events;
}

function checkHeader(header: string | undefined, key: string): void {
  if (header === undefined || !header.startsWith('step|timestamp|')) {
    throw new TroveError('CORRUPT', `${key} is not an event file (no step|timestamp header).`, {
      key,
    });
  }
}

function addEvent(events: MetricEvent[], line: string, key: string): void {
  if (line === '') return;
  const [step = '', timestamp = '', ...rest] = line.split('|');
  const value = toNumber(rest.join('|'));
  if (value === undefined) {
    throw new TroveError('CORRUPT', `${key}: ${JSON.stringify(line)} has no numeric value.`, {
      key,
    });
  }
  events.push({ step: step === '' ? events.length : Number(step), timestamp, value });
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
