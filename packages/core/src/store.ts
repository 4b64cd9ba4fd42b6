import type { StorageBackend } from './backend.js';
import { ContentStore } from './cas.js';
import { isTroveError, TroveError } from './errors.js';
import { joinKey } from './keys.js';
import type { ArtifactRecord, LineageRow, RunRecord } from './records.js';

export interface StoreParts {
  /** The store's name in `trove.yaml` ("default" for the embedded one). */
  name: string;
  /** Where run records, events and the registry live. */
  meta: StorageBackend;
  metaPrefix?: string;
  /** Where content-addressed objects live; the same backend as `meta` unless objects go to DVC's cache. */
  objects?: StorageBackend;
  objectsPrefix?: string;
}

const RUN_ID_RE = /^[0-9a-f]{32}$/;

/**
 * A store: content-addressed objects plus the small metadata that points at them. Every path in
 * it is the same on every backend: `files/md5/…`, `runs/<id>/run.json|artifacts.json|lineage.jsonl`,
 * `runs/<id>/events/<kind>/<name>.plx`.
 */
export class Store {
  readonly name: string;
  readonly meta: StorageBackend;
  readonly metaPrefix: string;
  readonly objects: ContentStore;

  constructor(parts: StoreParts) {
    this.name = parts.name;
    this.meta = parts.meta;
    this.metaPrefix = parts.metaPrefix ?? '';
    this.objects = new ContentStore(
      parts.objects ?? parts.meta,
      parts.objects ? (parts.objectsPrefix ?? '') : this.metaPrefix,
    );
  }

  runKey(runId: string, ...path: string[]): string {
    return joinKey(this.metaPrefix, 'runs', runId, ...path);
  }

  async writeJson(key: string, value: unknown): Promise<void> {
    await this.meta.write(key, `${JSON.stringify(value, null, 2)}\n`, {
      contentType: 'application/json',
    });
  }

  async readText(key: string): Promise<string> {
    const { body } = await this.meta.read(key);
    const chunks: Buffer[] = [];
    for await (const chunk of body) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  async readJson<T>(key: string): Promise<T> {
    const text = await this.readText(key);
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new TroveError('CORRUPT', `${key} is not valid JSON.`, {
        key,
        backend: this.meta.kind,
        cause: err,
      });
    }
  }

  /** Run ids in the store, newest first (ids sort by time). */
  async listRunIds(): Promise<string[]> {
    const ids = new Set<string>();
    const prefix = joinKey(this.metaPrefix, 'runs/');
    for await (const entry of this.meta.list(prefix)) {
      const rest = entry.key.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash > 0 && rest.slice(slash + 1) === 'run.json') ids.add(rest.slice(0, slash));
    }
    return [...ids].sort().reverse();
  }

  /** Full id from an id or a unique prefix of one (at least 4 characters). */
  async resolveRunId(idOrPrefix: string): Promise<string> {
    if (RUN_ID_RE.test(idOrPrefix) && (await this.meta.exists(this.runKey(idOrPrefix, 'run.json'))))
      return idOrPrefix;
    if (!/^[0-9a-f]{4,32}$/.test(idOrPrefix)) {
      throw new TroveError(
        'NOT_FOUND',
        `No run ${JSON.stringify(idOrPrefix)} in store "${this.name}".`,
      );
    }
    const matches = (await this.listRunIds()).filter((id) => id.startsWith(idOrPrefix));
    if (matches.length === 1) return matches[0] as string;
    if (matches.length === 0)
      throw new TroveError('NOT_FOUND', `No run ${idOrPrefix} in store "${this.name}".`);
    throw new TroveError(
      'AMBIGUOUS',
      `Run id prefix ${idOrPrefix} matches ${matches.length} runs.`,
      {
        hint: 'Give more characters of the id.',
      },
    );
  }

  readRun(runId: string): Promise<RunRecord> {
    return this.readJson<RunRecord>(this.runKey(runId, 'run.json'));
  }

  async readArtifacts(runId: string): Promise<Record<string, ArtifactRecord>> {
    try {
      return await this.readJson<Record<string, ArtifactRecord>>(
        this.runKey(runId, 'artifacts.json'),
      );
    } catch (err) {
      if (isTroveError(err, 'NOT_FOUND')) return {};
      throw err;
    }
  }

  async readLineage(runId: string): Promise<LineageRow[]> {
    let text: string;
    try {
      text = await this.readText(this.runKey(runId, 'lineage.jsonl'));
    } catch (err) {
      if (isTroveError(err, 'NOT_FOUND')) return [];
      throw err;
    }
    return text
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as LineageRow);
  }

  async close(): Promise<void> {
    await this.meta.close?.();
    if (this.objects.backend !== this.meta) await this.objects.backend.close?.();
  }
}
