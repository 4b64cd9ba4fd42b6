import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTroveError } from '@trove/core/backend';
import { describe, expect, it } from 'vitest';
import { LocalBackend } from './local-backend.js';

/** What `new LocalBackend` throws for `root`, or `undefined`. */
function refusal(root: string): unknown {
  try {
    new LocalBackend({ root });
    return undefined;
  } catch (err) {
    return err;
  }
}

describe('the store folder is checked before anything is written', () => {
  it('a file, or a path through a file, is INVALID_ARGUMENT and nothing is made', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trove-folder-'));
    writeFileSync(join(dir, 'afile'), 'mine');
    for (const root of [join(dir, 'afile'), join(dir, 'afile', 'store')]) {
      const err = refusal(root);
      expect(isTroveError(err, 'INVALID_ARGUMENT'), String(err)).toBe(true);
      expect((err as Error).message).toContain(join(dir, 'afile'));
    }
    expect(readdirSync(dir)).toEqual(['afile']);
  });

  it.runIf(process.platform === 'linux')(
    'a folder on /proc or /sys is refused (mkdir -p there looped for ever)',
    () => {
      for (const [root, fs] of [
        ['/proc/trove-store', 'proc'],
        ['/proc/self', 'proc'],
        ['/sys/trove/store', 'sysfs'],
      ] as const) {
        const err = refusal(root);
        expect(isTroveError(err, 'INVALID_ARGUMENT'), String(err)).toBe(true);
        expect((err as Error).message).toContain(`on ${fs}`);
      }
    },
  );

  it('a missing folder, or one that is there, is fine', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trove-folder-'));
    expect(new LocalBackend({ root: join(dir, 'a', 'b') }).root).toBe(join(dir, 'a', 'b'));
    expect(new LocalBackend({ root: dir }).root).toBe(dir);
    expect(readdirSync(dir)).toEqual([]);
  });
});
