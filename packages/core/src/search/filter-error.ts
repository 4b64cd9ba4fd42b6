import { TroveError } from '../errors.js';

/** How much of a long filter the message shows around the bad position. */
const WINDOW = 60;

/**
 * A bad filter or order-by: a `TroveError` with code `INVALID_ARGUMENT` whose message names the
 * 1-based column and shows the text with a caret under it. The column is also a field, so that
 * a caller (the CLI, the UI) can point at it without reading the message.
 */
export class FilterError extends TroveError {
  readonly column: number;

  constructor(text: string, column: number, message: string) {
    super('INVALID_ARGUMENT', `${message} at column ${column}\n${excerpt(text, column)}`, {
      hint: 'Filters follow MLflow search_runs: metrics.acc > 0.9 and params.lr = "0.01", plus or and parentheses.',
    });
    this.column = column;
  }
}

/** The filter around `column` on one line (control characters shown as `?`) and a caret. */
function excerpt(text: string, column: number): string {
  const at = column - 1;
  const start = Math.max(0, Math.min(at - WINDOW / 2, text.length - WINDOW));
  const end = Math.min(text.length, start + WINDOW);
  const head = start > 0 ? '…' : '';
  const tail = end < text.length ? '…' : '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is replaced
  const shown = text.slice(start, end).replace(/[\u0000-\u001f\u007f]/g, '?');
  return `  ${head}${shown}${tail}\n  ${' '.repeat(head.length + at - start)}^`;
}
