import { Command, CommanderError } from 'commander';
import { registerAdd } from './commands/add.js';
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
    .option('--debug', 'print the details (stack) of unexpected errors')
    .showHelpAfterError()
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
  registerGc(program, globals);
  registerSync(program, globals);
  return program;
}

/** Runs the CLI; resolves to the process exit code. */
export async function main(argv: string[] = process.argv): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
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
