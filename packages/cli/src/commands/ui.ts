/**
 * `trove ui`: serves the web app over the store until SIGINT or SIGTERM, then closes the server
 * and the store. Loopback only unless `--host` says otherwise (then a warning: anyone who can
 * reach that address can read the store).
 */
import { spawn } from 'node:child_process';
import { TroveError } from '@trove/core';
import type { Command } from 'commander';
import { type GlobalOptions, openStoreFor } from '../context.js';
import { printJson } from '../output.js';

interface UiOptions {
  host?: string;
  port: string;
  open?: boolean;
}

export function registerUi(program: Command, globals: () => GlobalOptions): void {
  program
    .command('ui')
    .description(
      'browse, search and compare runs, artifacts, lineage and models in a browser (read-only)',
    )
    .option('--host <host>', 'address to listen on (default 127.0.0.1: this machine only)')
    .option('--port <n>', 'port to listen on (0: any free port)', '0')
    .option('--open', 'open the page in the default browser')
    .action(async (o: UiOptions) => {
      const port = Number(o.port);
      if (!(/^\d+$/.test(o.port) && port <= 65535)) {
        throw new TroveError(
          'INVALID_ARGUMENT',
          `--port must be a whole number 0–65535, not ${o.port}.`,
        );
      }
      const host = o.host ?? '127.0.0.1';
      const opts = globals();
      const { startUi } = await import('@trove/ui');
      const store = await openStoreFor(opts);
      try {
        const ui = await startUi({ store, host, port });
        try {
          if (!LOOPBACK.has(host)) {
            process.stderr.write(
              `trove: warning: serving on ${host}: anyone who can reach this address can read the store "${store.name}".\n`,
            );
          }
          if (opts.json) printJson({ url: ui.url });
          else process.stdout.write(`trove ui: ${ui.url}  (Ctrl-C to stop)\n`);
          if (o.open) openBrowser(ui.url, Boolean(opts.quiet));
          await stopSignal();
        } finally {
          await ui.close();
        }
      } finally {
        await store.close();
      }
    });
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** Resolves on the first SIGINT or SIGTERM (the process then ends once the server is closed). */
function stopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** The system's opener (`xdg-open`, `open`, `start`), or a line saying there is none. */
function openBrowser(url: string, quiet: boolean): void {
  const [command, ...args] =
    process.platform === 'darwin'
      ? ['open', url]
      : process.platform === 'win32'
        ? ['cmd', '/c', 'start', '""', url]
        : ['xdg-open', url];
  const child = spawn(command as string, args, { stdio: 'ignore', detached: true });
  child.on('error', () => {
    if (!quiet) {
      process.stderr.write(`trove: no browser opener found (${command}); open ${url} yourself.\n`);
    }
  });
  child.unref();
}
