import { tempDir } from '@trove/test-utils';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/main.js';
import { trove } from './helpers.js';

/** Every command and subcommand, as its words on the command line (`runs ls`). */
function commands(cmd: Command, prefix: string[] = []): string[][] {
  return cmd.commands.flatMap((c) => [
    [...prefix, c.name()],
    ...commands(c, [...prefix, c.name()]),
  ]);
}

describe('--help', () => {
  it("every command's help lists the global flags (--json, --store, --config, -C, -q)", () => {
    const all = commands(buildProgram());
    expect(all.length).toBeGreaterThan(15);
    expect(all).toContainEqual(['add']);
    expect(all).toContainEqual(['runs', 'ls']);
    const cwd = tempDir('help-');
    for (const words of all) {
      const r = trove([...words, '--help'], { cwd });
      expect(r.code, words.join(' ')).toBe(0);
      const globals = r.stdout.slice(r.stdout.indexOf('Global Options:'));
      expect(r.stdout, words.join(' ')).toContain('Global Options:');
      for (const flag of [
        '--json',
        '--store <name>',
        '--config <file>',
        '-C, --cwd <dir>',
        '-q, --quiet',
      ])
        expect(globals, `${words.join(' ')}: ${flag}`).toContain(flag);
    }
  });
});
