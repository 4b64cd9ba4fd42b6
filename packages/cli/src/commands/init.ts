import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FILE, findProject, openStore } from '@trove/core';
import type { Command } from 'commander';
import { cwdOf, type GlobalOptions } from '../context.js';
import { printJson } from '../output.js';

const TEMPLATE = `# trove configuration. With no stores, trove uses the embedded local store in .trove/
# (objects go to DVC's cache inside a DVC repository). TROVE_STORE or --store picks another.
store: default
stores: {}
#  team:
#    type: s3          # npm install @trove/backend-s3
#    bucket: ml-artifacts
#    prefix: trove
#  shared:
#    type: local
#    path: /mnt/shared/trove
`;

export function registerInit(program: Command, globals: () => GlobalOptions): void {
  program
    .command('init')
    .description('create trove.yaml and the local store (.trove/) in the current folder')
    .action(async () => {
      const cwd = cwdOf(globals());
      const created: string[] = [];
      const config = join(cwd, CONFIG_FILE);
      if (!existsSync(config)) {
        writeFileSync(config, TEMPLATE, { flag: 'wx' });
        created.push(CONFIG_FILE);
      }
      if (!existsSync(join(cwd, '.trove'))) {
        // The embedded store creates itself with a .gitignore of its own.
        const store = await openStore({ cwd, store: 'default' });
        store.prepare();
        await store.close();
        created.push('.trove/');
      }
      const gitignore = join(cwd, '.gitignore');
      const current = existsSync(gitignore) ? readFileSync(gitignore, 'utf8') : '';
      if (!current.split(/\r?\n/).includes('/.trove/')) {
        writeFileSync(
          gitignore,
          `${current}${current && !current.endsWith('\n') ? '\n' : ''}/.trove/\n`,
        );
        created.push('.gitignore entry /.trove/');
      }
      const project = findProject(cwd);
      if (globals().json)
        return printJson({ root: project.root, dvc: project.dvcRoot ?? null, created });
      process.stdout.write(
        created.length > 0
          ? `initialised trove in ${cwd}: ${created.join(', ')}\n`
          : `trove is already initialised in ${cwd}\n`,
      );
      if (project.dvcRoot) process.stdout.write(`DVC repository found: objects go to its cache\n`);
    });
}
