import { spawnSync } from 'node:child_process';

/**
 * Graphviz's `dot` (Debian's `graphviz` package), installed with apt-get when it is missing so
 * that a test can render what `trove lineage --format dot` prints. Throws when it cannot be had:
 * a rendering test never passes without rendering.
 */
export function ensureGraphviz(): string {
  const works = () => spawnSync('dot', ['-V'], { stdio: 'ignore' }).status === 0;
  if (works()) return 'dot';
  process.stderr.write('[test-utils] installing graphviz with apt-get\n');
  const install = () =>
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'graphviz'], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  let result = install();
  if (result.status !== 0) {
    // A machine whose package lists were never fetched finds no graphviz at all.
    spawnSync('apt-get', ['update'], { stdio: 'ignore' });
    result = install();
  }
  if (!works()) {
    throw new Error(
      `Graphviz's dot is missing and apt-get could not install it: ${String(result.stderr ?? result.error ?? '').slice(-500)}`,
    );
  }
  return 'dot';
}
