/**
 * `retention:` in trove.yaml: which artifacts expire. Each policy matches artifacts (by type,
 * name, label), keeps the newest `keep.last` versions of each name, and lets the rest expire once
 * older than `ttl`; without `ttl` the rest expire at once, without `keep` all matched ones older
 * than `ttl` do.
 *
 * ```yaml
 * retention:
 *   - match: { type: checkpoint }
 *     keep: { last: 5 }
 *     ttl: 30d
 * ```
 */
import { isTroveError } from '../errors.js';
import { configError } from './config-error.js';
import { parseDuration } from './duration.js';

export interface RetentionPolicy {
  /** What it applies to; every field given must match (none: every artifact). */
  match: { type?: string; name?: string; label?: string };
  /** The newest this many versions of each name never expire by this policy. */
  keep?: { last: number };
  /** Milliseconds: matched artifacts older than this may expire. */
  ttl?: number;
  /** As written, for the records (`checkpoint keep 5 ttl 30d`). */
  text: string;
}

const MATCH_KEYS = new Set(['type', 'name', 'label']);
const POLICY_KEYS = new Set(['match', 'keep', 'ttl']);

/** Reads and checks `retention:` (a list of policies). */
export function parseRetention(file: string, value: unknown): RetentionPolicy[] {
  if (!Array.isArray(value)) {
    throw configError(file, 'retention', 'must be a list of policies ({ match, keep, ttl }).');
  }
  return value.map((raw, i) => {
    const where = `retention[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw configError(file, where, 'must be a mapping with match, keep and/or ttl.');
    }
    const p = raw as Record<string, unknown>;
    for (const key of Object.keys(p)) {
      if (!POLICY_KEYS.has(key))
        throw configError(file, `${where}.${key}`, 'unknown key.', 'Allowed: match, keep, ttl.');
    }
    const match: RetentionPolicy['match'] = {};
    if (p.match !== undefined) {
      if (typeof p.match !== 'object' || p.match === null || Array.isArray(p.match)) {
        throw configError(file, `${where}.match`, 'must be a mapping (type, name, label).');
      }
      for (const [key, v] of Object.entries(p.match)) {
        if (!MATCH_KEYS.has(key))
          throw configError(
            file,
            `${where}.match.${key}`,
            'unknown key.',
            'Allowed: type, name, label.',
          );
        if (typeof v !== 'string' || v === '')
          throw configError(file, `${where}.match.${key}`, 'must be a non-empty string.');
        match[key as keyof RetentionPolicy['match']] = v;
      }
    }
    const policy: RetentionPolicy = { match, text: '' };
    if (p.keep !== undefined) {
      const last = (p.keep as { last?: unknown } | null)?.last;
      if (
        typeof p.keep !== 'object' ||
        !Number.isSafeInteger(last) ||
        (last as number) < 0 ||
        Object.keys(p.keep as object).length !== 1
      ) {
        throw configError(file, `${where}.keep`, 'must be { last: <count ≥ 0> }.');
      }
      policy.keep = { last: last as number };
    }
    if (p.ttl !== undefined) {
      try {
        policy.ttl = parseDuration(String(p.ttl), 'ttl');
      } catch (err) {
        if (!isTroveError(err)) throw err;
        throw configError(file, `${where}.ttl`, err.message, err.hint);
      }
    }
    if (policy.keep === undefined && policy.ttl === undefined) {
      throw configError(file, where, 'needs keep, ttl or both: otherwise nothing would be kept.');
    }
    const matched =
      Object.entries(match)
        .map(([k, v]) => `${k}=${v}`)
        .join(',') || 'all';
    policy.text = `${matched}${policy.keep ? ` keep ${policy.keep.last}` : ''}${p.ttl !== undefined ? ` ttl ${String(p.ttl)}` : ''}`;
    return policy;
  });
}
