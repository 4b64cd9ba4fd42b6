import { openRegistry } from '@trove/core';
import type { Command } from 'commander';
import { type GlobalOptions, withStore } from '../context.js';
import { formatBytes, printJson, printTable } from '../output.js';

/** `trove models ls | show | register | alias | unalias`: the registry in the store. */
export function registerModels(program: Command, globals: () => GlobalOptions): void {
  const models = program
    .command('models')
    .description('the model registry: registered models, versions and aliases (in the store)');
  models
    .command('ls')
    .description('list registered models')
    .action(() =>
      withStore(globals(), async (store) => {
        const list = await openRegistry(store).listModels();
        if (globals().json) return printJson(list);
        printTable(
          ['NAME', 'LATEST', 'VERSIONS', 'ALIASES', 'UPDATED'],
          list.map((m) => [
            m.name,
            m.latestVersion === undefined ? '' : String(m.latestVersion),
            String(m.versionCount),
            Object.entries(m.aliases)
              .map(([a, v]) => `${a}→${v}`)
              .join(' '),
            new Date(m.lastUpdatedTimestamp).toISOString(),
          ]),
        );
      }),
    );
  models
    .command('show')
    .description('show a registered model and its versions, newest first')
    .argument('<name>', 'registered model name')
    .action((name: string) =>
      withStore(globals(), async (store) => {
        const registry = openRegistry(store);
        const model = await registry.getModel(name);
        const versions = await registry.searchVersions({ name });
        if (globals().json) return printJson({ ...model, versions });
        process.stdout.write(`model ${model.name}  ${model.versionCount} version(s)\n`);
        if (model.description) process.stdout.write(`${model.description}\n`);
        process.stdout.write('\n');
        printTable(
          ['VERSION', 'ALIASES', 'SOURCE', 'SIZE', 'CREATED'],
          versions.map((v) => [
            String(v.version),
            v.aliases.join(' '),
            v.source,
            v.size === undefined ? '' : formatBytes(v.size),
            new Date(v.creationTimestamp).toISOString(),
          ]),
        );
      }),
    );
  models
    .command('register')
    .description('register what a URI names (runs:/<run>/<path>, models:/…, md5) as a new version')
    .argument('<uri>', 'what to register')
    .argument('<name>', 'registered model name (created when new)')
    .action((uri: string, name: string) =>
      withStore(globals(), async (store) => {
        const version = await openRegistry(store).registerModel(uri, name);
        if (globals().json) return printJson(version);
        if (!globals().quiet)
          process.stdout.write(`registered ${uri} as ${name} version ${version.version}\n`);
      }),
    );
  models
    .command('alias')
    .description('point an alias at a version (models:/<name>@<alias>)')
    .argument('<name>', 'registered model name')
    .argument('<alias>', 'alias')
    .argument('<version>', 'version number')
    .action((name: string, alias: string, version: string) =>
      withStore(globals(), async (store) => {
        const registry = openRegistry(store);
        await registry.setAlias(name, alias, version);
        const v = await registry.getVersionByAlias(name, alias);
        if (globals().json) return printJson(v);
        if (!globals().quiet) process.stdout.write(`${name}@${alias} → version ${v.version}\n`);
      }),
    );
  models
    .command('unalias')
    .description('remove an alias')
    .argument('<name>', 'registered model name')
    .argument('<alias>', 'alias')
    .action((name: string, alias: string) =>
      withStore(globals(), async (store) => {
        await openRegistry(store).deleteAlias(name, alias);
        if (globals().json) return printJson({ name, alias, deleted: true });
        if (!globals().quiet) process.stdout.write(`removed ${name}@${alias}\n`);
      }),
    );
}
