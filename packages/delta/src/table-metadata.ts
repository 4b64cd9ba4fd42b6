// A table's protocol and metadata: what its first commit declares, and what later writers check.
import { randomUUID } from 'node:crypto';
import type { Action } from './actions.js';
import { DeltaError } from './errors.js';
import { type DeltaSchema, schemaString } from './schema.js';
import type { Snapshot } from './state.js';

/** The columns a writer means the table to have. */
interface TableShape {
  schema: DeltaSchema;
  partitionColumns: readonly string[];
}

/** The first actions of a new table: protocol (reader 1 / writer 2: no table features) and metadata. */
export function creationActions(table: TableShape, now: number): Action[] {
  return [
    { protocol: { minReaderVersion: 1, minWriterVersion: 2 } },
    {
      metaData: {
        id: randomUUID(),
        format: { provider: 'parquet', options: {} },
        schemaString: schemaString(table.schema),
        partitionColumns: [...table.partitionColumns],
        createdTime: now,
        configuration: {},
      },
    },
  ];
}

/** Refuses to write to a table whose schema or partitioning is not the one given. */
export function checkSchema(table: TableShape, snapshot: Snapshot): void {
  const existing = snapshot.metadata;
  if (!existing) return;
  if (
    existing.schemaString !== schemaString(table.schema) ||
    JSON.stringify(existing.partitionColumns) !== JSON.stringify(table.partitionColumns)
  ) {
    throw new DeltaError(
      'INVALID_ARGUMENT',
      'the table exists with another schema or partitioning than the one given',
      {
        hint: `the table's schema is ${existing.schemaString}`,
      },
    );
  }
}
