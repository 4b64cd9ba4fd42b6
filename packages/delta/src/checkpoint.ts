import type { SchemaElement } from 'hyparquet';
import { DeltaError } from './errors.js';
import { checkpointKey, lastCheckpointKey } from './log-paths.js';
import { encodeParquet, readParquetObjects } from './parquet-io.js';
import { longElement, mapElements, stringElement, stringListElements } from './parquet-schema.js';
import { TableState } from './state.js';
import { type DeltaStorage, isPreconditionFailed, readTextIfExists } from './storage.js';

// A classic V1 checkpoint (PROTOCOL.md, "Checkpoints", "Checkpoint Schema"): one Parquet file,
// one row per action, each action a nullable struct column. Fields the protocol marks required
// are REQUIRED inside their struct, as delta-rs and Spark write them; stats go as a JSON string
// (delta.checkpoint.writeStatsAsJson, the default). Written create-only: two writers racing to
// checkpoint one version write the same state, and the first one stays.

/** A checkpoint every this many versions, by whichever writer made that version. */
export const CHECKPOINT_INTERVAL = 10;

/** Tombstones older than this leave the checkpoint (Delta's default deletedFileRetentionDuration). */
const TOMBSTONE_RETENTION_MS = 7 * 24 * 3600 * 1000;

const required = (e: SchemaElement): SchemaElement => ({ ...e, repetition_type: 'REQUIRED' });
const bool = (name: string, repetition: 'REQUIRED' | 'OPTIONAL' = 'REQUIRED'): SchemaElement => ({
  name,
  type: 'BOOLEAN',
  repetition_type: repetition,
});
const struct = (
  name: string,
  children: SchemaElement[][],
  repetition: 'REQUIRED' | 'OPTIONAL' = 'OPTIONAL',
) => [
  { name, repetition_type: repetition, num_children: children.length } as SchemaElement,
  ...children.flat(),
];

const CHECKPOINT_SCHEMA: SchemaElement[] = [
  { name: 'schema', num_children: 5 },
  ...struct('txn', [
    [stringElement('appId', 'REQUIRED')],
    [longElement('version', 'REQUIRED')],
    [longElement('lastUpdated')],
  ]),
  ...struct('add', [
    [stringElement('path', 'REQUIRED')],
    mapElements('partitionValues', stringElement('value'), 'REQUIRED'),
    [longElement('size', 'REQUIRED')],
    [longElement('modificationTime', 'REQUIRED')],
    [bool('dataChange')],
    [stringElement('stats')],
    mapElements('tags', stringElement('value')),
  ]),
  ...struct('remove', [
    [stringElement('path', 'REQUIRED')],
    [longElement('deletionTimestamp')],
    [bool('dataChange')],
    [bool('extendedFileMetadata', 'OPTIONAL')],
    mapElements('partitionValues', stringElement('value')),
    [longElement('size')],
  ]),
  ...struct('metaData', [
    [stringElement('id', 'REQUIRED')],
    [stringElement('name')],
    [stringElement('description')],
    struct(
      'format',
      [
        [stringElement('provider', 'REQUIRED')],
        mapElements('options', required(stringElement('value')), 'REQUIRED'),
      ],
      'REQUIRED',
    ),
    [stringElement('schemaString', 'REQUIRED')],
    stringListElements('partitionColumns', 'REQUIRED').map((e) =>
      e.name === 'element' ? required(e) : e,
    ),
    [longElement('createdTime')],
    mapElements('configuration', required(stringElement('value')), 'REQUIRED'),
  ]),
  ...struct('protocol', [
    [{ name: 'minReaderVersion', type: 'INT32', repetition_type: 'REQUIRED' }],
    [{ name: 'minWriterVersion', type: 'INT32', repetition_type: 'REQUIRED' }],
  ]),
];

const big = (n: number | null | undefined) => (n === null || n === undefined ? null : BigInt(n));

/** The checkpoint file of a state: protocol, metadata, txns, live files and tombstones. */
function encodeCheckpoint(state: TableState): Uint8Array {
  const rows: Record<string, unknown>[] = [];
  if (state.protocol) {
    const { minReaderVersion, minWriterVersion } = state.protocol;
    rows.push({ protocol: { minReaderVersion, minWriterVersion } });
  }
  if (state.metadata) {
    const m = state.metadata;
    rows.push({
      metaData: {
        id: m.id,
        name: m.name ?? null,
        description: m.description ?? null,
        format: { provider: m.format.provider, options: m.format.options ?? {} },
        schemaString: m.schemaString,
        partitionColumns: m.partitionColumns,
        createdTime: big(m.createdTime),
        configuration: m.configuration ?? {},
      },
    });
  }
  for (const t of state.txns.values()) {
    rows.push({
      txn: { appId: t.appId, version: BigInt(t.version), lastUpdated: big(t.lastUpdated) },
    });
  }
  for (const a of state.files.values()) {
    rows.push({
      add: {
        path: a.path,
        partitionValues: a.partitionValues ?? {},
        size: BigInt(a.size),
        modificationTime: BigInt(a.modificationTime),
        dataChange: a.dataChange,
        stats: a.stats ?? null,
        tags: a.tags ?? null,
      },
    });
  }
  const expired = Date.now() - TOMBSTONE_RETENTION_MS;
  for (const r of state.tombstones.values()) {
    if ((r.deletionTimestamp ?? 0) < expired) continue;
    rows.push({
      remove: {
        path: r.path,
        deletionTimestamp: big(r.deletionTimestamp),
        dataChange: r.dataChange,
        extendedFileMetadata: r.extendedFileMetadata ?? null,
        partitionValues: r.partitionValues ?? null,
        size: big(r.size),
      },
    });
  }
  const names = ['txn', 'add', 'remove', 'metaData', 'protocol'];
  return encodeParquet(
    CHECKPOINT_SCHEMA,
    names.map((name) => ({ name, data: rows.map((row) => row[name] ?? null) })),
  );
}

/** Plain JSON-like values: bigint to number, absent (undefined) fields dropped. */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = plain(v);
    return out;
  }
  return value;
}

/** The state a checkpoint holds, at its version. Throws `CORRUPT` if it cannot be read. */
export async function readCheckpoint(
  storage: DeltaStorage,
  prefix: string,
  version: number,
  size: number,
): Promise<TableState> {
  const key = checkpointKey(prefix, version);
  let rows: Record<string, unknown>[];
  try {
    rows = await readParquetObjects(storage, key, size, [
      'txn',
      'add',
      'remove',
      'metaData',
      'protocol',
    ]);
  } catch (err) {
    throw new DeltaError('CORRUPT', `checkpoint ${key} cannot be read`, { key, cause: err });
  }
  const state = new TableState();
  state.apply(rows.map((row) => plain(row) as Record<string, unknown>));
  state.version = version;
  if (!state.protocol || !state.metadata) {
    throw new DeltaError('CORRUPT', `checkpoint ${key} lacks protocol or metadata`, { key });
  }
  return state;
}

/** The version `_last_checkpoint` names; undefined when it is absent or torn (then readers list). */
export async function readLastCheckpoint(
  storage: DeltaStorage,
  prefix: string,
): Promise<number | undefined> {
  const text = await readTextIfExists(storage, lastCheckpointKey(prefix));
  if (text === undefined) return undefined;
  try {
    const version = (JSON.parse(text) as { version?: unknown }).version;
    return typeof version === 'number' && Number.isSafeInteger(version) && version >= 0
      ? version
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes the checkpoint of `state` (create-only) and points `_last_checkpoint` at it unless it
 * already names a version at least as new. A hint only: readers never trust it blindly.
 */
export async function writeCheckpoint(
  storage: DeltaStorage,
  prefix: string,
  state: TableState,
): Promise<void> {
  const bytes = encodeCheckpoint(state);
  try {
    await storage.write(checkpointKey(prefix, state.version), bytes, { ifNoneMatch: '*' });
  } catch (err) {
    if (!isPreconditionFailed(err)) throw err;
  }
  const current = await readLastCheckpoint(storage, prefix);
  if (current !== undefined && current >= state.version) return;
  const hint = {
    version: state.version,
    size:
      (state.protocol ? 1 : 0) +
      (state.metadata ? 1 : 0) +
      state.txns.size +
      state.files.size +
      state.tombstones.size,
    sizeInBytes: bytes.byteLength,
    numOfAddFiles: state.files.size,
  };
  await storage.write(lastCheckpointKey(prefix), JSON.stringify(hint));
}
