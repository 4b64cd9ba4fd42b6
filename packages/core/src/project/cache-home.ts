import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The user's cache folder for trove, shared by every project on the machine (as DVC's and pip's
 * are): `$TROVE_CACHE_DIR`, else the platform's cache home (`$XDG_CACHE_HOME` or `~/.cache` on
 * Linux, `~/Library/Caches` on macOS, `%LOCALAPPDATA%` on Windows) + `trove`. Only what can be
 * fetched again goes here.
 */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.TROVE_CACHE_DIR) return env.TROVE_CACHE_DIR;
  if (process.platform === 'win32' && env.LOCALAPPDATA) return join(env.LOCALAPPDATA, 'trove');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'trove');
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'trove');
}
