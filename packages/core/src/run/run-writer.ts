import { randomBytes } from 'node:crypto';
import { type EventBatch, EventLog } from '../layout/events.js';
import type { ArtifactRecord, LineageRow, RunRecord, RunStatus } from '../record/records.js';
import { type RecordChanges, RunFolder } from '../record/run-folder.js';
import type { Store } from '../record/store.js';
import { markBacklog } from '../tables/backlog.js';
import { commitBacklog } from '../tables/commit-backlog.js';
import { MetricBatches } from '../tables/metric-batches.js';
import { recordValue } from './record-value.js';

/**
 * What one `Run` object has to save, and the saving: its own artifacts and lineage rows (its
 * part of the run folder), the record changes it made (merged into the shared `run.json`), and
 * event rows (appended to the shared events files). Saves are queued, so the writes of one
 * `Run` never interleave, and what a failed save did not write is kept for the next one.
 */
export class RunWriter {
  readonly #store: Store;
  readonly #folder: RunFolder;
  readonly #record: RunRecord;
  readonly #own: { artifacts: Record<string, ArtifactRecord>; lineage: LineageRow[] } = {
    artifacts: {},
    lineage: [],
  };
  #ownDirty = false;
  #changes: RecordChanges = emptyChanges();
  #recordDirty: boolean;
  /** The summary as last saved, to find values set directly (`run.summary.x = …`). */
  #savedSummary: string;
  readonly events = new EventLog();
  /** Told of each batch of event rows once it is in the store (the Polyaxon dialect's local copy). */
  readonly #onSaved: Array<(batch: EventBatch) => void> = [];
  #queue: Promise<void> = Promise.resolve();
  /** Undefined for the run's creator; the id of this writer's own part when it resumed the run. */
  readonly #writerId: string | undefined;
  #marked = false;
  /** Metric values committed to the metrics table while the run runs. */
  readonly #metricBatches: MetricBatches;

  /** `resumed`: this object continues a run another writer created, and gets a part of its own. */
  constructor(store: Store, record: RunRecord, resumed: boolean) {
    this.#store = store;
    this.#record = record;
    this.#writerId = resumed ? randomBytes(8).toString('hex') : undefined;
    this.#folder = new RunFolder(store, record.id, this.#writerId);
    this.#metricBatches = new MetricBatches(store, record.id);
    this.#recordDirty = !resumed;
    this.#savedSummary = JSON.stringify(record.summary);
  }

  addArtifact(record: ArtifactRecord): void {
    this.#own.artifacts[record.path] = record;
    this.#ownDirty = true;
  }

  addLineage(row: LineageRow): void {
    this.#own.lineage.push(row);
    this.#ownDirty = true;
  }

  setParams(params: Record<string, unknown>): void {
    Object.assign(this.#changes.params, params);
  }

  setTags(tags: Record<string, string>): void {
    Object.assign(this.#changes.tags, tags);
  }

  /** Ends a run that is still `running` when this is saved (another writer may have ended it). */
  end(status: Exclude<RunStatus, 'running'>): void {
    this.#changes.end = { status, endTime: new Date().toISOString() };
  }

  /**
   * Commits the run's rows into the store's tables, then clears this writer's backlog marker
   * (a store whose tables `trove index` has not made yet keeps the marker). Called once the
   * last save is done; the run folder stays the source of truth, so a failure
   * here leaves the marker (searches fold the run in, `trove index` commits it) and is returned.
   */
  async commitToTables(): Promise<unknown> {
    await this.#metricBatches.settle();
    return commitBacklog(this.#store, [this.#record.id], this.#writerId);
  }

  /** `listener` gets every batch of event rows after it is appended to the store, in order. */
  onEventsSaved(listener: (batch: EventBatch) => void): void {
    this.#onSaved.push(listener);
  }

  /** Saves what changed; `final` also saves the record when nothing else changed. */
  save(final = false): Promise<void> {
    const write = (): Promise<void> => this.#write(final);
    this.#queue = this.#queue.then(write, write);
    return this.#queue;
  }

  async #write(final: boolean): Promise<void> {
    this.#store.prepare();
    if (!this.#marked) {
      // Before the first change: a search folds the run in until its rows are committed.
      await markBacklog(this.#store, this.#record.id, this.#writerId);
      this.#marked = true;
    }
    if (this.#ownDirty) {
      this.#ownDirty = false;
      try {
        await this.#folder.saveOwn(this.#own.artifacts, this.#own.lineage);
      } catch (err) {
        this.#ownDirty = true;
        throw err;
      }
    }
    const { changes, refused } = this.#takeChanges();
    if (this.#recordDirty || final || hasChanges(changes)) {
      let stored: RunRecord;
      try {
        stored = await this.#folder.updateRecord(this.#record, changes);
      } catch (err) {
        this.#changes = mergeChanges(changes, this.#changes); // newer changes win
        throw err;
      }
      this.#recordDirty = false;
      Object.assign(this.#record, stored, {
        summary: { ...stored.summary, ...this.#record.summary },
      });
      this.#savedSummary = JSON.stringify(this.#record.summary);
    }
    const batch = this.events.drain();
    for (const [i, saved] of batch.entries()) {
      try {
        await this.#folder.appendEvents(saved.file, saved.header, saved.rows);
      } catch (err) {
        this.events.restore(batch.slice(i));
        throw err;
      }
      this.#metricBatches.add(saved.file, saved.rows);
      for (const listener of this.#onSaved) listener(saved);
    }
    if (refused !== undefined) throw refused;
  }

  /**
   * The record changes since the last save, including summary values set directly. A summary
   * value a record cannot hold (a function, a value that contains itself) is taken out of the
   * summary and returned as `refused`, so that it never stops the rest of the run being saved.
   */
  #takeChanges(): { changes: RecordChanges; refused?: unknown } {
    const changes = this.#changes;
    const summary = this.#record.summary;
    const saved = JSON.parse(this.#savedSummary) as Record<string, unknown>;
    let refused: unknown;
    for (const [key, value] of Object.entries(summary)) {
      let held: unknown;
      try {
        held = recordValue(value, `summary value ${key}`);
      } catch (err) {
        refused ??= err;
        delete summary[key];
        continue;
      }
      summary[key] = held;
      if (JSON.stringify(held) !== JSON.stringify(saved[key])) changes.summary[key] = held;
    }
    this.#changes = emptyChanges();
    return refused === undefined ? { changes } : { changes, refused };
  }
}

function emptyChanges(): RecordChanges {
  return { params: {}, summary: {}, tags: {} };
}

function mergeChanges(older: RecordChanges, newer: RecordChanges): RecordChanges {
  const end = newer.end ?? older.end;
  return {
    params: { ...older.params, ...newer.params },
    summary: { ...older.summary, ...newer.summary },
    tags: { ...older.tags, ...newer.tags },
    ...(end ? { end } : {}),
  };
}

function hasChanges(c: RecordChanges): boolean {
  return (
    c.end !== undefined ||
    Object.keys(c.params).length > 0 ||
    Object.keys(c.summary).length > 0 ||
    Object.keys(c.tags).length > 0
  );
}
