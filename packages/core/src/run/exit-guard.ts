/**
 * Runs still open when the process leaves. MLflow ends its active run at exit (`atexit`), and
 * Polyaxon's client marks its run failed on an uncaught exception (`sys.excepthook`); a killed
 * process leaves both `RUNNING` forever. trove records what happened instead:
 *
 * - the event loop runs dry (`beforeExit`): `completed`, as MLflow's and Polyaxon's exit hooks do;
 * - an uncaught exception or unhandled rejection: `failed`, then the error is thrown again so
 *   Node prints it and exits 1 as it would have;
 * - SIGINT or SIGTERM: `killed`, then the signal is raised again so the process ends by it.
 *
 * The listeners are on the process only while a run is open, and ending gives up after
 * `EXIT_GRACE_MS` (a store out of reach must not hold the exit); a second signal exits at once.
 * Where the program listens for the signal or the exception itself, it decides: trove ends its
 * runs but neither re-raises nor exits. `process.exit()` runs no asynchronous code: a run open
 * then stays `running`.
 */
import { isMainThread } from 'node:worker_threads';
import type { RunStatus } from '../record/records.js';

export type ExitStatus = Exclude<RunStatus, 'running'>;
type Ender = (status: ExitStatus) => Promise<void>;

/** How long the runs open at exit may take to end before the process leaves anyway. */
const EXIT_GRACE_MS = 10_000;
const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

const open = new Map<object, Ender>();
/** The listeners are on the process (kept apart from `open`, which is emptied while ending). */
let listening = false;
let exiting = false;
/** Errors thrown while the runs were ending: given back to Node once they have ended. */
const thrownMeanwhile: unknown[] = [];

/** Ends `key`'s run with `end` if the process leaves while it is open. */
export function guardRun(key: object, end: Ender): void {
  open.set(key, end);
  listen(true);
}

/** The run is closed (ended or dropped): nothing to do for it at exit. */
export function unguardRun(key: object): void {
  if (open.delete(key) && open.size === 0 && !exiting) listen(false);
}

/** Puts the listeners on the process or takes them off; once each, however often it is asked. */
function listen(on: boolean): void {
  if (listening === on) return;
  listening = on;
  const method = on ? 'on' : 'off';
  process[method]('beforeExit', onBeforeExit);
  process[method]('uncaughtException', onUncaught);
  // Signals reach only the main thread; a worker that listens would only keep them from it.
  if (isMainThread) for (const signal of SIGNALS) process[method](signal, onSignal);
}

/** Ends every open run with `status`, newest first (a nested run before its parent). */
async function endAll(status: ExitStatus): Promise<void> {
  const enders = [...open.values()].reverse();
  open.clear();
  let timer: NodeJS.Timeout | undefined;
  const grace = new Promise<void>((done) => {
    timer = setTimeout(done, EXIT_GRACE_MS);
  });
  const ended = (async () => {
    for (const end of enders) await end(status).catch(() => undefined);
  })();
  await Promise.race([ended, grace]);
  clearTimeout(timer);
}

function onBeforeExit(): void {
  if (exiting) return;
  exiting = true;
  // Ending schedules work, so the loop runs again and `beforeExit` comes back once it is done.
  endAll('completed').finally(() => finish());
}

function onUncaught(error: unknown): void {
  // Alone, this listener took Node's own handling away: the error goes back to it afterwards.
  if (process.listenerCount('uncaughtException') === 1) thrownMeanwhile.push(error);
  if (exiting) return;
  exiting = true;
  endAll('failed').finally(() => finish());
}

function onSignal(signal: NodeJS.Signals): void {
  if (exiting) {
    // A second signal while the runs end: leave now, by that signal.
    listen(false);
    process.kill(process.pid, signal);
    return;
  }
  exiting = true;
  const others = process.listenerCount(signal) > 1;
  endAll('killed').finally(() => {
    finish();
    if (!others) process.kill(process.pid, signal);
  });
}

function finish(): void {
  exiting = false;
  if (open.size === 0) listen(false);
  for (const error of thrownMeanwhile.splice(0)) {
    setImmediate(() => {
      throw error;
    });
  }
}
