/**
 * `on:` in trove.yaml: commands trove runs after a change it made, one list per event. Each
 * command gets the event as JSON on stdin and in `TROVE_EVENT` (plus `TROVE_EVENT_TYPE` and the
 * event's fields as `TROVE_<FIELD>`).
 *
 * ```yaml
 * on:
 *   alias: ./deploy.sh
 *   register: [./notify.sh, "curl -X POST …"]
 * ```
 */
import { configError } from './config-error.js';

/** The events a hook can follow. */
const HOOK_EVENTS = ['alias', 'register', 'run-end', 'gc'] as const;
export type HookEvent = (typeof HOOK_EVENTS)[number];

/** Commands by event, each run with `sh -c`. */
export type HooksConfig = Partial<Record<HookEvent, string[]>>;

/** Reads and checks `on:`. */
export function parseHooks(file: string, value: unknown): HooksConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw configError(
      file,
      'on',
      'must be a mapping of events to commands.',
      `Events: ${HOOK_EVENTS.join(', ')}.`,
    );
  }
  const hooks: HooksConfig = {};
  for (const [event, commands] of Object.entries(value)) {
    if (!(HOOK_EVENTS as readonly string[]).includes(event)) {
      throw configError(
        file,
        `on.${event}`,
        'unknown event.',
        `Events: ${HOOK_EVENTS.join(', ')}.`,
      );
    }
    const list = typeof commands === 'string' ? [commands] : commands;
    if (
      !Array.isArray(list) ||
      list.length === 0 ||
      !list.every((c) => typeof c === 'string' && c.trim() !== '')
    ) {
      throw configError(file, `on.${event}`, 'must be a command or a list of commands.');
    }
    hooks[event as HookEvent] = list as string[];
  }
  return hooks;
}
