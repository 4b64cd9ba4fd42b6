import { mkdtempSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { LocalBackend } from '../src/index.js';

const roots: string[] = [];

afterEach(async () => {
  await Promise.all(roots.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A scratch folder removed after the test. */
export function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'trove-local-test-'));
  roots.push(dir);
  return dir;
}

/** A backend on a fresh folder (removed after the test). */
export function freshBackend(options: { fsync?: boolean } = {}): LocalBackend {
  return new LocalBackend({ root: join(scratch(), 'store'), ...options });
}

/** Every name under `dir` (recursively) that starts with `.trove-tmp`. */
export function leftovers(dir: string): string[] {
  try {
    return (readdirSync(dir, { recursive: true }) as string[]).filter((p) =>
      p.split(/[\\/]/).some((segment) => segment.startsWith('.trove-tmp')),
    );
  } catch {
    return [];
  }
}
