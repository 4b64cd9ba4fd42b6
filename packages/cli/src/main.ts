import { Command, CommanderError } from 'commander';
import { registerAdd } from './commands/add.js';
import { registerAlias } from './commands/alias.js';
import { registerCache } from './commands/cache.js';
import { registerGc } from './commands/gc.js';
import { registerGet } from './commands/get.js';
import { registerInit } from './commands/init.js';
import { registerLineage } from './commands/lineage.js';
import { registerLs } from './commands/ls.js';
import { registerModels } from './commands/models.js';
import { registerReport } from './commands/report.js';
import { registerRuns } from './commands/runs.js';
import { registerSync } from './commands/sync.js';
import { registerTables } from './commands/tables.js';
import { registerUi } from './commands/ui.js';
import { registerVerify } from './commands/verify.js';
import type { GlobalOptions } from './context.js';
import { EXIT, exitCodeFor, reportError, reportUsageJson } from './output.js';

export function buildProgram(): Command {
  const program = new Command('trove')
    .description(
      'track the files ML and data pipelines produce: content-addressed, DVC-compatible, on any store',
    )
    .version('0.0.0')
    .option('--store <name>', 'store to use (overrides TROVE_STORE and trove.yaml)')
    .option('--config <file>', 'config file (default: trove.yaml in the project root)')
    .option('--json', 'machine-readable output')
    .option('-q, --quiet', 'no progress and no messages')
    .option('-C, --cwd <dir>', 'run as if started in this folder')
    .option('--debug', 'print the stack of an internal error (a bug) with its message')
    .showHelpAfterError()
    // Every command's --help lists the global flags too (--json, --store, -C, …): they apply there.
    .configureHelp({ showGlobalOptions: true })
    .exitOverride();
  const globals = (): GlobalOptions => program.opts<GlobalOptions>();
  registerInit(program, globals);
  registerAdd(program, globals);
  registerRuns(program, globals);
  registerTables(program, globals);
  registerLs(program, globals);
  registerGet(program, globals);
  registerLineage(program, globals);
  registerVerify(program, globals);
  registerReport(program, globals);
  registerModels(program, globals);
  registerAlias(program, globals);
  registerGc(program, globals);
  registerUi(program, globals);
  registerSync(program, globals);
  registerCache(program, globals);
  return program;
}

/**
 * Process warnings as one line each: a failed hook (`TROVE_HOOK_FAILED`, the change stays) as an
 * error that makes the command exit non-zero, anything else as `trove: warning: …` (in place of
 * Node's two-line form). Returns whether a hook failed so far.
 */
function reportWarnings(): () => boolean {
  let hookFailed = false;
  process.removeAllListeners('warning');
  process.on('warning', (warning: Error & { code?: string }) => {
    if (warning.code === 'TROVE_HOOK_FAILED') {
      hookFailed = true;
      process.stderr.write(`trove: error [HOOK_FAILED]: ${warning.message}\n`);
    } else {
      process.stderr.write(`trove: warning: ${warning.message.split('\n')[0]}\n`);
    }
  });
  return () => hookFailed;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[] = process.argv): Promise<number> {
  const program = buildProgram();
  const hookFailed = reportWarnings();
  try {
    await program.parseAsync(argv);
    // Warnings are emitted on the next tick: let them arrive before the exit code is chosen.
    await new Promise((resolve) => setImmediate(resolve));
    if (hookFailed()) return EXIT.HOOK;
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.exitCode === 0
      ) {
        return EXIT.OK;
      }
      // Commander has printed the error and the usage; a script asking for JSON gets it too.
      // (An option after a failed parse may not be in opts(): the argv says if it was given.)
      if (program.opts<GlobalOptions>().json || argv.includes('--json')) {
        reportUsageJson(err.message);
      }
      return EXIT.USAGE;
    }
    const opts = program.opts<GlobalOptions & { debug?: boolean }>();
    reportError(err, Boolean(opts.json), Boolean(opts.debug) || Boolean(process.env.TROVE_DEBUG));
    return exitCodeFor(err);
  }
}
