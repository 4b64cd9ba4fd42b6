/**
 * What a sync moves, from the words a user gives (`trove push [what…]`): nothing (everything),
 * run ids or unique prefixes, a filter in the search grammar (`params.lr > 0.1`), or artifact
 * references (`runs:/<run>/<path>`, `models:/…`, a name, `name@<run>`, an md5). Everything is
 * resolved on the source before anything is written: a word that names nothing is one error.
 */
import { isTroveError, TroveError } from '../errors.js';
import type { Store } from '../record/store.js';
import { resolveArtifactRef } from '../refs/resolve-ref.js';
import { MODELS_SCHEME } from '../registry/model-uri.js';
import { searchRuns } from '../tables/search-runs.js';

export interface Selection {
  /** Everything the source holds: every object, run, registered and logged model. */
  all: boolean;
  runIds: Set<string>;
  /** Registered models whose documents are merged. */
  models: Set<string>;
  /** Objects named directly (an md5 ref, a model version). */
  md5s: Set<string>;
}

const RUN_ID_RE = /^[0-9a-f]{4,32}$/;
const FILTER_RE = /[<>=]|\s(?:like|ilike|in|is|and|or)\s/i;
const MODEL_NAME_RE = /^models:\/([^/@]+)[/@]/;

export async function selectWhat(source: Store, what: readonly string[]): Promise<Selection> {
  const selection: Selection = {
    all: what.length === 0,
    runIds: new Set(),
    models: new Set(),
    md5s: new Set(),
  };
  for (const word of what) {
    if (typeof word !== 'string' || word.trim() === '') {
      throw new TroveError('INVALID_ARGUMENT', 'An empty word names nothing to sync.', {
        hint: 'Give run ids, a filter, artifact references, or nothing for everything.',
      });
    }
    if (RUN_ID_RE.test(word) && (await addRun(source, word, selection))) continue;
    if (FILTER_RE.test(word) && !word.startsWith(MODELS_SCHEME) && !word.startsWith('runs:/')) {
      for (const row of await searchRuns(source, { filter: word })) {
        selection.runIds.add(row.run_id);
      }
      continue;
    }
    const found = await resolveArtifactRef(source, word);
    selection.md5s.add(found.md5);
    if (found.runId) selection.runIds.add(found.runId);
    const model = MODEL_NAME_RE.exec(word)?.[1];
    if (model !== undefined) selection.models.add(model);
  }
  return selection;
}

/** Adds the run `word` names, if it names one (an md5 of 32 hex may name an object instead). */
async function addRun(source: Store, word: string, selection: Selection): Promise<boolean> {
  try {
    selection.runIds.add(await source.resolveRunId(word));
    return true;
  } catch (err) {
    if (isTroveError(err, 'NOT_FOUND') && word.length === 32) return false;
    throw err;
  }
}
