/** `/api/texts`: one file path's first MiB in each run that has it, for a diff. */
import { isTroveError, type Store } from '@trove/core';
import { readHead, utf8Head } from './preview.js';
import { locateFile, type RunArtifacts } from './run-files.js';

export interface TextEntry {
  run: string;
  path: string;
  text: string;
  truncated: boolean;
}

export async function textsOf(
  store: Store,
  runs: readonly RunArtifacts[],
  path: string,
): Promise<{ texts: TextEntry[] }> {
  const texts: TextEntry[] = [];
  for (const { run, artifacts } of runs) {
    let md5: string;
    try {
      md5 = (await locateFile(store, run, path, artifacts)).md5;
    } catch (err) {
      if (isTroveError(err, 'NOT_FOUND')) continue; // this run has no such file
      throw err;
    }
    const { bytes, size } = await readHead(store, md5);
    const truncated = size > bytes.length;
    texts.push({ run, path, text: utf8Head(bytes, truncated), truncated });
  }
  return { texts };
}
