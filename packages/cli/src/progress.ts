import type { Progress } from '@trove/core';
import type cliProgress from 'cli-progress';
import { loadCliProgress } from './cli-progress-lazy.js';

/** Inputs smaller than this finish before a bar would be worth drawing. */
const MIN_BYTES = 64 << 20;
const MIN_FILES = 2000;

/**
 * A progress bar on stderr while hashing or storing large inputs, only on a TTY and never under
 * CI (or when `--quiet`): piped output stays clean for scripts.
 */
export function progressReporter(enabled: boolean): {
  onProgress?: (p: Progress) => void;
  stop: () => void;
} {
  if (!enabled || !process.stderr.isTTY || process.env.CI) return { stop: () => undefined };
  let bar: cliProgress.SingleBar | undefined;
  let phase: Progress['phase'] | undefined;
  return {
    onProgress(p: Progress) {
      if (p.totalBytes < MIN_BYTES && p.totalFiles < MIN_FILES) return;
      if (phase !== p.phase) {
        bar?.stop();
        phase = p.phase;
        const { Presets, SingleBar } = loadCliProgress();
        bar = new SingleBar(
          {
            stream: process.stderr,
            format: `${p.phase === 'hash' ? 'hashing' : 'storing'} [{bar}] {percentage}% | {files}/{totalFiles} files | {mib}/{totalMib} MiB`,
            hideCursor: true,
            clearOnComplete: true,
          },
          Presets.shades_classic,
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
