/**
 * Where `gc` learns what must be kept. Each source yields md5s (`<hex>` or `<hex>.dir`) that
 * something refers to; a new kind of reference (the model registry, …) is one more function in
 * `REFERENCE_SOURCES`. Sources err on the side of keeping: a file that cannot be parsed is
 * scanned for anything that looks like an md5, and a run record that cannot be read stops gc.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, type Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { joinKey } from '../backend/keys.js';
import { mapLimit } from '../backend/map-limit.js';
import { isTroveError, TroveError } from '../errors.js';
import type { ProjectPaths } from '../project/find-project.js';
import { expiredKey, runsAndExpiredKeys } from './expired.js';
import { readText } from './meta-io.js';
import type { Store } from './store.js';

/** What a reference source looks at: the store and, when gc runs in one, the project. */
export interface ReferenceContext {
  store: Store;
  project: ProjectPaths | undefined;
  signal?: AbortSignal | undefined;
}

/** Yields the md5s something refers to. */
export type ReferenceSource = (ctx: ReferenceContext) => AsyncIterable<string>;

const MD5_TOKEN = /[0-9a-f]{32}(?:\.dir)?/g;
/** Folders never searched for pointers: version control, DVC's and trove's own, dependencies. */
const SKIPPED_DIRS = new Set(['.git', '.dvc', '.trove', 'node_modules']);
const RUN_CONCURRENCY = 16;

/**
 * Every artifact of every run (cached or not: when in doubt, keep), but those retention expired
 * (`expired.ts`), and those in `expiring` (a policy gc's plan: its dry run sees what the real one
 * will).
 */
async function* runReferences(
  { store }: ReferenceContext,
  expiring: ReadonlySet<string> = new Set(),
): AsyncIterable<string> {
  // One listing of `runs/` gives the runs and what retention expired of them.
  const { runIds: ids, expired } = await runsAndExpiredKeys(store);
  const lists = await mapLimit(ids, RUN_CONCURRENCY, async (id) => {
    try {
      return Object.values(await store.readArtifacts(id))
        .filter((a) => {
          const key = expiredKey(id, a.path, a.md5);
          return !expired.has(key) && !expiring.has(key);
        })
        .map((a) => a.md5);
    } catch (err) {
      throw new TroveError(
        'CORRUPT',
        `Cannot read the artifacts of run ${id}, so gc cannot tell what it refers to; nothing was deleted.`,
        {
          key: store.runKey(id, 'artifacts.json'),
          cause: err,
          hint: isTroveError(err)
            ? err.hint
            : 'Repair or remove the run folder, then run gc again.',
        },
      );
    }
  });
  for (const list of lists) yield* list;
}

/**
 * Model registry documents (`registry/<name>.json`) and logged models (`models/<model-id>.json`,
 * MLflow 3's, kept apart from any run): every md5 they mention.
 */
async function* registryReferences({ store, signal }: ReferenceContext): AsyncIterable<string> {
  for (const folder of ['registry/', 'models/']) {
    const prefix = joinKey(store.metaPrefix, folder);
    for await (const entry of store.meta.list(prefix, { signal })) {
      yield* md5Tokens(await readText(store.meta, entry.key));
    }
  }
}

/**
 * `.dvc` pointers and `dvc.lock` files in the workspace (the project, and the DVC repository
 * around it), and in the branches and tags of its Git repository, as `dvc gc -a -T` keeps them.
 */
async function* workspaceReferences({ project }: ReferenceContext): AsyncIterable<string> {
  if (!project) return;
  const roots = [...new Set([project.root, project.dvcRoot].filter((r) => r !== undefined))];
  for (const root of roots) {
    for await (const file of pointerFiles(root)) yield* await fileTokens(file);
    yield* gitHistoryTokens(root);
  }
}

/** DVC's run cache (`runs/` beside `files/` in its cache) refers to outputs too. */
async function* dvcRunCacheReferences({ store, signal }: ReferenceContext): AsyncIterable<string> {
  const objects = store.objects;
  if (objects.backend === store.meta) return;
  for await (const entry of objects.backend.list(joinKey(objects.prefix, 'runs/'), { signal })) {
    yield* md5Tokens(await readText(objects.backend, entry.key));
  }
}

/**
 * The places references come from; `collectReferences` reads them all. `expiring`: artifacts
 * (`expiredKey`s) a policy gc is about to expire, which keep nothing.
 */
export function referenceSources(expiring?: ReadonlySet<string>): readonly ReferenceSource[] {
  return [
    (ctx) => runReferences(ctx, expiring),
    registryReferences,
    workspaceReferences,
    dvcRunCacheReferences,
  ];
}

export const REFERENCE_SOURCES: readonly ReferenceSource[] = referenceSources();

/** Every md5 referred to by any source. */
export async function collectReferences(
  ctx: ReferenceContext,
  sources: readonly ReferenceSource[] = REFERENCE_SOURCES,
): Promise<Set<string>> {
  const refs = new Set<string>();
  for (const source of sources) {
    for await (const md5 of source(ctx)) {
      ctx.signal?.throwIfAborted();
      refs.add(md5);
    }
  }
  return refs;
}

function md5Tokens(text: string): string[] {
  return text.match(MD5_TOKEN) ?? [];
}

async function* pointerFiles(dir: string): AsyncIterable<string> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return; // unreadable or gone: nothing of ours can be referred to from there
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) yield* pointerFiles(path);
    } else if (entry.isFile() && (entry.name.endsWith('.dvc') || entry.name === 'dvc.lock')) {
      yield path;
    }
  }
}

/** md5s in a pointer file, read line by line (a `dvc.lock` may be large). */
async function fileTokens(path: string): Promise<string[]> {
  const out: string[] = [];
  try {
    const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
    for await (const line of lines) out.push(...md5Tokens(line));
  } catch {
    // vanished meanwhile
  }
  return out;
}

/** md5s in `.dvc` and `dvc.lock` files of every branch and tag (nothing without Git). */
function gitHistoryTokens(root: string): string[] {
  const git = (args: string[]) =>
    spawnSync('git', args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 30 });
  const refs = git(['for-each-ref', '--format=%(objectname)', 'refs/heads', 'refs/tags']);
  if (refs.status !== 0) return [];
  const revs = [...new Set(refs.stdout.split('\n').filter(Boolean))];
  const out: string[] = [];
  for (let i = 0; i < revs.length; i += 200) {
    const grep = git([
      'grep',
      '-h',
      '-o',
      '-I',
      '-E',
      '[0-9a-f]{32}(\\.dir)?',
      ...revs.slice(i, i + 200),
      '--',
      '*.dvc',
      '*dvc.lock',
    ]);
    // git grep exits 1 when nothing matched; a line may start with `<rev>:`, which is no md5.
    for (const line of grep.stdout?.split('\n') ?? [])
      out.push(...md5Tokens(line.slice(line.lastIndexOf(':') + 1)));
  }
  return out;
}
