import { type AsyncBuffer, parquetReadObjects, type SchemaElement } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { type ColumnSource, parquetWriteBuffer } from 'hyparquet-writer';
import { type DeltaStorage, readBytes } from './storage.js';

// Parquet in and out, through libraries made for it: hyparquet-writer encodes (snappy, its
// built-in codec), hyparquet decodes (with hyparquet-compressors, so files other engines wrote
// with gzip, zstd, brotli or lz4 read too).

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
    compressors,
    ...(columns ? { columns } : {}),
  });
}
