import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface ExitScriptResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What the script printed on stdout (its `ready <id>` line first). */
  stdout: string;
  stderr: string;
  /** The id the script printed after `ready`. */
  id: string;
}

/**
 * Runs an ES module script with Node in `cwd` (a real process, for what happens when a process
 * leaves with a run open). The script prints `ready <id>` once its run is open; with `signal`,
 * that signal is then sent to it. Resolves when the process has exited.
 */
export function runExitScript(
  cwd: string,
  source: string,
  options: { signal?: NodeJS.Signals } = {},
): Promise<ExitScriptResult> {
  const file = join(cwd, `exit-script-${process.pid}-${Math.random().toString(16).slice(2)}.mjs`);
  writeFileSync(file, source);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let sent = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (options.signal && !sent && /^ready \S+\n/m.test(stdout)) {
        sent = true;
        child.kill(options.signal);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const id = /^ready (\S+)$/m.exec(stdout)?.[1];
      if (id === undefined) {
        reject(new Error(`The script never got ready (exit ${code ?? signal}):\n${stderr}`));
        return;
      }
      resolve({ code, signal, stdout, stderr, id });
    });
  });
}

/** `import` text for a built workspace package's entry (`packages/<name>/dist/<entry>`). */
export function distUrl(packagesDir: string, name: string, entry = 'index.js'): string {
  return pathToFileURL(join(packagesDir, name, 'dist', entry)).href;
}
