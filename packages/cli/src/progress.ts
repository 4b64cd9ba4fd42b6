import { createRequire } from 'node:module';
import type { Progress } from '@trove/core';
import type cliProgress from 'cli-progress';

/** Inputs smaller than this finish before a bar would be worth drawing. */
const MIN_BYTES = 64 << 20;
const MIN_FILES = 2000;

/** Whether bars are drawn: asked for, stderr a TTY, not under CI (piped output stays clean). */
export function barsWanted(enabled: boolean): boolean {
  return enabled && process.stderr.isTTY === true && !process.env.CI;
}

/**
 * A bar on stderr in trove's style, with `format`'s payload fields. cli-progress is loaded when
 * a bar is first drawn (a TTY, a large input): most commands never draw one, and loading it with
 * every command cost each start of the CLI its modules.
 */
export function newBar(format: string): cliProgress.SingleBar {
  const { Presets, SingleBar } = createRequire(import.meta.url)(
    'cli-progress',
  ) as typeof cliProgress;
  return new SingleBar(
    { stream: process.stderr, format, hideCursor: true, clearOnComplete: true },
    Presets.shades_classic,
  );
}

/**
 * A progress bar on stderr while hashing or storing large inputs, only on a TTY and never under
 * CI (or when `--quiet`): piped output stays clean for scripts.
 */
export function progressReporter(enabled: boolean): {
  onProgress?: (p: Progress) => void;
  stop: () => void;
} {
  if (!barsWanted(enabled)) return { stop: () => undefined };
  let bar: cliProgress.SingleBar | undefined;
  let phase: Progress['phase'] | undefined;
  return {
    onProgress(p: Progress) {
      if (p.totalBytes < MIN_BYTES && p.totalFiles < MIN_FILES) return;
      if (phase !== p.phase) {
        bar?.stop();
        phase = p.phase;
        bar = newBar(
          `${p.phase === 'hash' ? 'hashing' : 'storing'} [{bar}] {percentage}% | {files}/{totalFiles} files | {mib}/{totalMib} MiB`,
        );
        bar.start(p.totalBytes || 1, 0, {
          files: 0,
          totalFiles: p.totalFiles,
          mib: 0,
          totalMib: (p.totalBytes / 2 ** 20).toFixed(0),
        });
      }
      bar?.update(p.bytes, {
        files: p.files,
        totalFiles: p.totalFiles,
        mib: (p.bytes / 2 ** 20).toFixed(0),
        totalMib: (p.totalBytes / 2 ** 20).toFixed(0),
      });
    },
    stop() {
      bar?.stop();
    },
  };
}
