import { createRequire } from 'node:module';
import type cliProgress from 'cli-progress';

/**
 * cli-progress, loaded when a bar is first drawn (a TTY, a large input): most commands never
 * draw one, and loading it with every command cost each start of the CLI its modules.
 */
export function loadCliProgress(): typeof cliProgress {
  return createRequire(import.meta.url)('cli-progress') as typeof cliProgress;
}
