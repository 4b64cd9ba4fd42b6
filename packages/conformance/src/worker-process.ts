/**
 * Runs one of the scenarios' worker scripts (registry-worker, alias-worker, tables-worker) as a process of its
 * own, in the project folder, with extra environment (credentials), and parses the one JSON line
 * it prints.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where a scenario's worker processes find the store, as any trove process would. */
export interface WorkerProcessOptions {
  /** A project folder whose trove.yaml (or embedded `.trove` store) names the store to use. */
  cwd: string;
  /** A store name from trove.yaml instead of the project's default. */
  store?: string;
  /**
   * Folders the workers resolve backend packages from (`@trove/backend-<type>`), e.g. a
   * package that depends on them. The project folder is always searched.
   */
  resolveFrom?: string[];
  /** Added to the workers' environment: credentials, `TROVE_STORE`… */
  env?: NodeJS.ProcessEnv;
}

/** `<name>.js` next to this module in `dist/`; from `src/` (vitest running the sources) the built copy. */
function workerScript(name: string): string {
  const sibling = fileURLToPath(new URL(`./${name}.js`, import.meta.url));
  if (existsSync(sibling)) return sibling;
  const built = fileURLToPath(new URL(`../dist/${name}.js`, import.meta.url));
  if (existsSync(built)) return built;
  throw new Error(`${sibling} is missing: build @trove/conformance first (pnpm build).`);
}

/** Runs worker `name` with `job` (one JSON argument); `label` names it in an error. */
export async function runWorkerProcess<T>(
  name: string,
  options: WorkerProcessOptions,
  job: unknown,
  label: string,
): Promise<T> {
  try {
    const { stdout } = await run(process.execPath, [workerScript(name), JSON.stringify(job)], {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      maxBuffer: 256 << 20,
    });
    return JSON.parse(stdout) as T;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${label} failed: ${e.stderr || e.message}`, { cause: err });
  }
}
