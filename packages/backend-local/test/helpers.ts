import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@trove/test-utils';
import { LocalBackend } from '../src/index.js';

/** A backend on a fresh folder (removed after the test). */
export function freshBackend(options: { fsync?: boolean } = {}): LocalBackend {
  return new LocalBackend({ root: join(tempDir(), 'store'), ...options });
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
