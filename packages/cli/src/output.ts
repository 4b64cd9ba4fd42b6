import { isTroveError, type TroveErrorCode } from '@trove/core';

/**
 * Exit codes scripts can rely on (documented in the README):
 * 0 ok · 1 unexpected error · 2 usage · 3 not found · 4 invalid input · 5 configuration ·
 * 6 integrity (verify found damage) · 7 store unavailable or permission denied · 8 conflict ·
 * 9 changed (the data under a reference is not what was recorded) · 10 a hook failed (the change
 * it followed is in place).
 */
export const EXIT = {
  OK: 0,
  ERROR: 1,
  USAGE: 2,
  NOT_FOUND: 3,
  INVALID_INPUT: 4,
  CONFIG: 5,
  INTEGRITY: 6,
  UNAVAILABLE: 7,
  CONFLICT: 8,
  CHANGED: 9,
  HOOK: 10,
} as const;

const EXIT_BY_CODE: Partial<Record<TroveErrorCode, number>> = {
  NOT_FOUND: EXIT.NOT_FOUND,
  AMBIGUOUS: EXIT.NOT_FOUND,
  INVALID_ARGUMENT: EXIT.INVALID_INPUT,
  INVALID_ARTIFACT: EXIT.INVALID_INPUT,
  INVALID_NAME: EXIT.INVALID_INPUT,
  INVALID_PATH: EXIT.INVALID_INPUT,
  INVALID_STEP: EXIT.INVALID_INPUT,
  INVALID_KEY: EXIT.INVALID_INPUT,
  INVALID_CONFIG: EXIT.CONFIG,
  UNKNOWN_STORE: EXIT.CONFIG,
  BACKEND_NOT_INSTALLED: EXIT.CONFIG,
  CORRUPT: EXIT.INTEGRITY,
  UNAVAILABLE: EXIT.UNAVAILABLE,
  PERMISSION_DENIED: EXIT.UNAVAILABLE,
  PRECONDITION_FAILED: EXIT.CONFLICT,
  ALREADY_EXISTS: EXIT.CONFLICT,
  RUN_ENDED: EXIT.CONFLICT,
  CONFLICT: EXIT.CONFLICT,
  CHANGED: EXIT.CHANGED,
};

export function exitCodeFor(err: unknown): number {
  return isTroveError(err) ? (EXIT_BY_CODE[err.code] ?? EXIT.ERROR) : EXIT.ERROR;
}

/**
 * One line (plus a hint line) on stderr; `--json` gets the error as JSON on stdout too. An
 * unexpected error is one line as well, with its stack only under `--debug` (or `TROVE_DEBUG`).
 */
export function reportError(err: unknown, json: boolean, debug = false): void {
  if (isTroveError(err)) {
    if (json) {
      process.stdout.write(
        `${JSON.stringify({ error: { code: err.code, message: err.message, hint: err.hint } })}\n`,
      );
    }
    process.stderr.write(`trove: error [${err.code}]: ${err.message}\n`);
    if (err.hint) process.stderr.write(`  hint: ${err.hint}\n`);
    return;
  }
  const e = err as Error;
  const first = (e?.message ?? String(err)).split('\n')[0];
  if (json)
    process.stdout.write(`${JSON.stringify({ error: { code: 'INTERNAL', message: first } })}\n`);
  process.stderr.write(`trove: unexpected error: ${first}\n`);
  if (debug) process.stderr.write(`${e?.stack ?? String(err)}\n`);
  else
    process.stderr.write(
      '  hint: run again with --debug for details, and report it if it persists.\n',
    );
}

/** A usage error (unknown option, missing argument) as `--json` prints errors: code `USAGE`, exit 2. */
export function reportUsageJson(message: string): void {
  const text = message.replace(/^error: /, '').split('\n')[0];
  process.stdout.write(`${JSON.stringify({ error: { code: 'USAGE', message: text } })}\n`);
}

export function printJson(value: unknown): void {
  // Two writes, not one joined string: a large answer (a wide lineage graph is tens of
  // megabytes) is not copied once more to add its newline.
  process.stdout.write(JSON.stringify(value, null, 2));
  process.stdout.write('\n');
}

/** A plain aligned table (no colours, so it reads the same piped, on a TTY and with NO_COLOR). */
export function printTable(headers: string[], rows: string[][]): void {
  if (rows.length === 0) return;
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${[line(headers), ...rows.map(line)].join('\n')}\n`);
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = -1;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}
