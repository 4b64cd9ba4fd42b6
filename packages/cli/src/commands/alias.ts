import { listAliases, removeAlias, setAlias } from '@trove/core';
import type { Command } from 'commander';
import { type GlobalOptions, withStore } from '../context.js';
import { printJson, printTable } from '../output.js';

/** `trove alias set | rm | ls`: aliases on any artifact (`name@alias`), in the store. */
export function registerAlias(program: Command, globals: () => GlobalOptions): void {
  const alias = program
    .command('alias')
    .description('aliases on any artifact: name@alias names the version an alias points at');
  alias
    .command('set')
    .description('point an alias at a version of an artifact (its newest when omitted)')
    .argument('<name>', 'artifact name')
    .argument('<alias>', 'alias (letters, digits, "_", "-")')
    .argument('[version]', 'version number in logging order (3 or v3)')
    .action((name: string, aliasName: string, version: string | undefined) =>
      withStore(globals(), async (store) => {
        const set = await setAlias(store, name, aliasName, version);
        if (globals().json) return printJson(set);
        if (!globals().quiet) {
          const v = set.version === undefined ? '' : ` (v${set.version})`;
          process.stdout.write(`${name}@${aliasName} → runs:/${set.runId}/${set.path}${v}\n`);
        }
      }),
    );
  alias
    .command('rm')
    .description('remove an alias')
    .argument('<name>', 'artifact name')
    .argument('<alias>', 'alias')
    .action((name: string, aliasName: string) =>
      withStore(globals(), async (store) => {
        await removeAlias(store, name, aliasName);
        if (globals().json) return printJson({ name, alias: aliasName, removed: true });
        if (!globals().quiet) process.stdout.write(`removed ${name}@${aliasName}\n`);
      }),
    );
  alias
    .command('ls')
    .description('list the aliases of one artifact name, or of all')
    .argument('[name]', 'artifact name')
    .action((name: string | undefined) =>
      withStore(globals(), async (store) => {
        const list = await listAliases(store, name);
        if (globals().json) return printJson(list);
        printTable(
          ['NAME', 'ALIAS', 'VERSION', 'RUN', 'PATH', 'MD5', 'SET'],
          list.map((a) => [
            a.name,
            a.alias,
            a.version === undefined ? '' : `v${a.version}`,
            a.runId,
            a.path,
            a.md5,
            a.setAt,
          ]),
        );
      }),
    );
}
