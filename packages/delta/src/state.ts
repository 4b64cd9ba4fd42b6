import type { AddFile, Metadata, Protocol, RemoveFile, Txn } from './actions.js';
import { DeltaError } from './errors.js';
import { type DeltaSchema, parseSchemaString } from './schema.js';

/** A table at one version, from log replay (PROTOCOL.md, "Action Reconciliation"). */
export interface Snapshot {
  /** -1 when the table does not exist yet. */
  readonly version: number;
  readonly metadata: Metadata | undefined;
  readonly protocol: Protocol | undefined;
  /** The schema `metadata` declares. */
  readonly schema: DeltaSchema | undefined;
  /** The table's data files. */
  readonly files: readonly AddFile[];
  /** Files removed and not yet vacuumed (for vacuum). */
  readonly tombstones: readonly RemoveFile[];
  /** The latest `txn.version` per `appId`: what an application already committed. */
  readonly appTxns: ReadonlyMap<string, number>;
}

/** What this library can read and write: no table features (reader 1, writer ≤ 2). */
const MAX_READER = 1;
const MAX_WRITER = 2;

/** The mutable replay state behind a snapshot; `apply` folds one commit's (or checkpoint's) actions in. */
export class TableState {
  version = -1;
  metadata: Metadata | undefined;
  protocol: Protocol | undefined;
  readonly files = new Map<string, AddFile>();
  readonly tombstones = new Map<string, RemoveFile>();
  readonly txns = new Map<string, Txn>();

  clone(): TableState {
    const out = new TableState();
    out.version = this.version;
    out.metadata = this.metadata;
    out.protocol = this.protocol;
    for (const [k, v] of this.files) out.files.set(k, v);
    for (const [k, v] of this.tombstones) out.tombstones.set(k, v);
    for (const [k, v] of this.txns) out.txns.set(k, v);
    return out;
  }

  apply(actions: readonly Record<string, unknown>[]): void {
    for (const action of actions) {
      if (action.add) {
        const add = action.add as AddFile;
        this.files.set(add.path, add);
        this.tombstones.delete(add.path);
      } else if (action.remove) {
        const remove = action.remove as RemoveFile;
        this.files.delete(remove.path);
        this.tombstones.set(remove.path, remove);
      } else if (action.metaData) {
        this.metadata = action.metaData as Metadata;
      } else if (action.protocol) {
        this.protocol = action.protocol as Protocol;
      } else if (action.txn) {
        const txn = action.txn as Txn;
        this.txns.set(txn.appId, txn);
      }
    }
  }

  snapshot(): Snapshot {
    const protocol = this.protocol;
    if (
      protocol &&
      (protocol.minReaderVersion > MAX_READER || protocol.minWriterVersion > MAX_WRITER)
    ) {
      throw new DeltaError(
        'UNSUPPORTED',
        `the table needs Delta reader ${protocol.minReaderVersion} / writer ${protocol.minWriterVersion}; this library handles reader ${MAX_READER} / writer ${MAX_WRITER}`,
      );
    }
    return {
      version: this.version,
      metadata: this.metadata,
      protocol,
      schema: this.metadata ? parseSchemaString(this.metadata.schemaString) : undefined,
      files: [...this.files.values()],
      tombstones: [...this.tombstones.values()],
      appTxns: new Map([...this.txns].map(([id, t]) => [id, t.version])),
    };
  }
}
