import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, onTestFinished, TestRunner } from 'vitest';

export interface TempDirOptions {
  /**
   * When the folder is removed: `'test'` after the running test (including one made in a
   * `beforeEach`), `'file'` after the test file's last `afterAll` (or at `removeTempDirs()`).
   * Defaults to `'test'` inside a test and `'file'` elsewhere (module scope, `beforeAll`).
   */
  until?: 'test' | 'file';
}

const untilFileEnd = new Set<string>();

// Vitest evaluates this module again for each test file it collects (isolation): remove the
// file's folders after its last `afterAll` (hooks run as a stack, and this one came first).
// Not on process exit: vitest's workers may end without an 'exit' event.
try {
  afterAll(removeTempDirs);
} catch {
  // Imported outside a test file: call removeTempDirs() yourself.
}

/**
 * A fresh, empty folder under the OS temp folder, removed after the test that made it or, when
 * made outside a test (module scope, `beforeAll`), after the test file.
 */
export function tempDir(prefix = 'trove-test-', options: TempDirOptions = {}): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const until = options.until ?? (TestRunner.getCurrentTest() ? 'test' : 'file');
  if (until === 'test') onTestFinished(() => remove(dir));
  else untilFileEnd.add(dir);
  return dir;
}

/** Removes every folder `tempDir()` made outside a test so far. */
export function removeTempDirs(): void {
  for (const dir of untilFileEnd) remove(dir);
  untilFileEnd.clear();
}

function remove(dir: string): void {
  // `force`: a test may have removed the folder itself.
  rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

const perFile = new Map<string, string>();

/** One folder per test file and `prefix` (made on first use, removed after the file). */
export function fileTempDir(prefix: string): string {
  const dir = perFile.get(prefix);
  if (dir !== undefined && untilFileEnd.has(dir)) return dir;
  const made = tempDir(prefix, { until: 'file' });
  perFile.set(prefix, made);
  return made;
}
