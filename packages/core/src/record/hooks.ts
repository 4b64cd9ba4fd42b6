/**
 * Hooks: the commands `on:` in trove.yaml names, run by the trove process that made a change,
 * after the change is in the store. Each gets the event as JSON on stdin and in `TROVE_EVENT`,
 * its type in `TROVE_EVENT_TYPE`, and each plain field as `TROVE_<FIELD>` (`runId` →
 * `TROVE_RUN_ID`). A hook runs in the project root with `sh -c`, its output on stderr (stdout is
 * the command's, e.g. `--json`). A failing hook undoes nothing: it is reported as a process
 * warning `TROVE_HOOK_FAILED` (the CLI prints it as one line and exits non-zero).
 */
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import type { HookEvent } from '../project/hooks-config.js';
import type { Store } from './store.js';

/** An event: its type and its fields (names, versions, ids…). */
export type HookPayload = Record<string, string | number | boolean | null | undefined>;

/** Runs every hook of `event` in order; resolves when they are done, whatever they returned. */
export async function fireHooks(
  store: Store,
  event: HookEvent,
  payload: HookPayload,
): Promise<void> {
  const commands = store.config.on?.[event];
  if (!commands || commands.length === 0) return;
  const body = { event, store: store.name, ...payload, at: new Date().toISOString() };
  const json = JSON.stringify(body);
  const env: NodeJS.ProcessEnv = { ...process.env, TROVE_EVENT: json, TROVE_EVENT_TYPE: event };
  for (const [key, value] of Object.entries(body)) {
    if (value !== undefined && value !== null) env[`TROVE_${envName(key)}`] = String(value);
  }
  const cwd = store.config.file ? dirname(store.config.file) : process.cwd();
  for (const command of commands) {
    const failure = await runHook(command, json, env, cwd);
    if (failure) {
      process.emitWarning(
        `the ${event} hook \`${command}\` ${failure}; the change it followed is in place.`,
        { code: 'TROVE_HOOK_FAILED' },
      );
    }
  }
}

/** `runId` → `RUN_ID`. */
function envName(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]/g, '_')
    .toUpperCase();
}

/** Runs one hook; resolves with what went wrong, or undefined when it exited 0. */
function runHook(
  command: string,
  json: string,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn('sh', ['-c', command], { cwd, env, stdio: ['pipe', 2, 2] });
    child.once('error', (err) => resolve(`could not start (${err.message})`));
    child.once('close', (code, signal) =>
      resolve(code === 0 ? undefined : signal ? `was killed by ${signal}` : `exited ${code}`),
    );
    // A hook that does not read its stdin closes the pipe: that is not its failure.
    child.stdin?.once('error', () => {});
    child.stdin?.end(`${json}\n`);
  });
}
