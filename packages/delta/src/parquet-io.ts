import {
  type AsyncBuffer,
  asyncBufferFromFile,
  type Compressors,
  parquetRead,
  parquetReadObjects,
  type SchemaElement,
} from 'hyparquet';
import { type ColumnSource, parquetWriteBuffer } from 'hyparquet-writer';
import { type DeltaStorage, readBytes } from './storage.js';

// Parquet in and out, through libraries made for it: hyparquet-writer encodes (snappy, its
// built-in codec), hyparquet decodes (with hyparquet-compressors, so files other engines wrote
// with gzip, zstd, brotli or lz4 read too).

/**
 * hyparquet-compressors, loaded at the first decode: its codecs build their tables when loaded
 * (about 25 ms of CPU), which a process that decodes no Parquet here (`trove lineage`, whose
 * engine reads the files) need not pay.
 */
let loadedCompressors: Promise<Compressors> | undefined;
const compressors = () =>
  (loadedCompressors ??= import('hyparquet-compressors').then((m) => m.compressors));

/**
 * Bytes of a Parquet file with `schema` holding `columns` (one array per top-level column), in
 * row groups of `rowGroupSize` rows (default: the writer's). Every column chunk carries min/max
 * statistics; strings are kept whole up to 64 bytes in them (the writer's default of 16 would
 * cut trove's run ids, 16 hex digits of time then more, to a bound many runs share).
 */
export function encodeParquet(
  schema: SchemaElement[],
  columns: { name: string; data: unknown[] }[],
  rowGroupSize?: number,
): Uint8Array {
  const buffer = parquetWriteBuffer({
    schema,
    columnData: columns as ColumnSource[],
    codec: 'SNAPPY',
    createdBy: 'trove-delta',
    statistics: true,
    statisticsTruncateLength: 64,
    ...(rowGroupSize ? { rowGroupSize } : {}),
  });
  return new Uint8Array(buffer);
}

/**
 * A stored object as hyparquet's AsyncBuffer: byte ranges read on demand where the store can
 * (only the footer and the columns asked for travel), else the whole object once.
 */
function storageBuffer(storage: DeltaStorage, key: string, size: number): AsyncBuffer {
  if (!storage.capabilities?.rangeRead) {
    let whole: Promise<ArrayBuffer> | undefined;
    return {
      byteLength: size,
      slice: async (start, end) => {
        whole ??= readBytes(storage, key).then(
          (b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer,
        );
        return (await whole).slice(start, end ?? size);
      },
    };
  }
  return {
    byteLength: size,
    slice: async (start, end) => {
      const b = await readBytes(storage, key, { start, end: end ?? size });
      return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
    },
  };
}

/** Every row of a stored Parquet file as objects (maps as plain objects, INT64 as bigint). */
export async function readParquetObjects(
  storage: DeltaStorage,
  key: string,
  size: number,
  columns?: string[],
): Promise<Record<string, unknown>[]> {
  return parquetReadObjects({
    file: storageBuffer(storage, key, size),
    compressors: await compressors(),
    ...(columns ? { columns } : {}),
  });
}

/**
 * Columns of a local Parquet file, whole, as hyparquet decodes them (DOUBLE as a Float64Array,
 * INT64 as bigints, strings as strings), read by range from the file (only the footer and the
 * columns asked for). For small files read often, where a query engine's per-query cost
 * dominates.
 */
export async function readParquetColumns(
  path: string,
  columns: readonly string[],
): Promise<Record<string, ArrayLike<unknown>>> {
  const chunks: Record<string, { rowStart: number; data: ArrayLike<unknown> }[]> =
    Object.fromEntries(columns.map((c) => [c, []]));
  await parquetRead({
    file: await asyncBufferFromFile(path),
    columns: [...columns],
    compressors: await compressors(),
    onChunk: ({ columnName, columnData, rowStart }) => {
      chunks[columnName]?.push({ rowStart, data: columnData });
    },
  });
  return Object.fromEntries(columns.map((c) => [c, joinChunks(chunks[c] ?? [])]));
}

/** A column's chunks as one array: a Float64Array when they all are (no copy for one). */
function joinChunks(chunks: { rowStart: number; data: ArrayLike<unknown> }[]): ArrayLike<unknown> {
  chunks.sort((a, b) => a.rowStart - b.rowStart);
  if (chunks.length === 1) return (chunks[0] as { data: ArrayLike<unknown> }).data;
  const length = chunks.reduce((n, c) => Math.max(n, c.rowStart + c.data.length), 0);
  if (chunks.every((c) => c.data instanceof Float64Array)) {
    const out = new Float64Array(length);
    for (const c of chunks) out.set(c.data as Float64Array, c.rowStart);
    return out;
  }
  const out = new Array<unknown>(length);
  for (const c of chunks) for (let i = 0; i < c.data.length; i++) out[c.rowStart + i] = c.data[i];
  return out;
}
