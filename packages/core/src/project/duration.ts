import { TroveError } from '../errors.js';

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * Milliseconds from a duration as trove's options and `trove.yaml` write it: `0`, or a number with
 * a unit (`500ms`, `30s`, `30m`, `24h`, `30d`, `1w`). `INVALID_ARGUMENT` otherwise (`what` names
 * the setting in the message).
 */
export function parseDuration(text: unknown, what = 'duration'): number {
  const m = typeof text === 'string' ? /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)?$/.exec(text.trim()) : null;
  const value = m ? Number(m[1]) : Number.NaN;
  const unit = m?.[2];
  if (!m || (unit === undefined && value !== 0)) {
    throw new TroveError('INVALID_ARGUMENT', `Invalid ${what} ${JSON.stringify(text)}.`, {
      hint: 'Give a number and a unit: 0, 30s, 30m, 24h, 7d.',
    });
  }
  return value * (unit ? (UNIT_MS[unit] ?? 0) : 0);
}
