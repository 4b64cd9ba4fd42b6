/**
 * A param value as the MLflow dialect records it. MLflow keeps every param as `str(value)`; trove
 * keeps values JSON can hold as they are (numbers stay numbers in `searchRuns`), and falls back to
 * the text only where the record could not hold the value.
 */
import { inspect } from 'node:util';
import { isTroveError } from '@trove/core';
import { recordValue } from '@trove/core/dialect';

export function mlflowParamValue(value: unknown, key: string): unknown {
  try {
    return recordValue(value, `param ${key}`);
  } catch (err) {
    if (!isTroveError(err, 'INVALID_ARGUMENT')) throw err;
    return pyStr(value);
  }
}

/** `str(value)` in JavaScript's words: a function by its name, an object as inspected. */
function pyStr(value: unknown): string {
  if (typeof value === 'function') return `<function ${value.name || '<lambda>'}>`;
  if (typeof value === 'object' && value !== null) {
    return inspect(value, { depth: 4, breakLength: Number.POSITIVE_INFINITY });
  }
  return String(value);
}
