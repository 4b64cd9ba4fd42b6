import { DeltaError } from './errors.js';

/**
 * A table's columns, in the subset of Delta's (Spark's) types trove's tables need. Serialised as
 * Delta's `schemaString` and as the Parquet schema of every data file (see `parquet-schema.ts`).
 */
export type DeltaType =
  | 'string'
  | 'long'
  | 'integer'
  | 'double'
  | 'boolean'
  | 'timestamp'
  | 'map<string,string>'
  | 'map<string,double>'
  | 'array<string>';

export interface DeltaField {
  name: string;
  type: DeltaType;
  /** Default true. A non-nullable column refuses rows without a value. */
  nullable?: boolean;
}

export interface DeltaSchema {
  readonly fields: readonly Required<DeltaField>[];
}

/** Types with per-file min/max statistics (data skipping). */
export const SIMPLE_TYPES: ReadonlySet<DeltaType> = new Set<DeltaType>([
  'string',
  'long',
  'integer',
  'double',
  'boolean',
  'timestamp',
]);

const TYPES: ReadonlySet<string> = new Set<DeltaType>([
  ...SIMPLE_TYPES,
  'map<string,string>',
  'map<string,double>',
  'array<string>',
]);

/**
 * A table schema from its fields, checked: known types, unique names (case-insensitively, as
 * Delta requires), no empty names.
 *
 * @example defineSchema([{ name: 'run_id', type: 'string', nullable: false }, { name: 'params', type: 'map<string,string>' }])
 */
export function defineSchema(fields: readonly DeltaField[]): DeltaSchema {
  if (!Array.isArray(fields) || fields.length === 0) {
    throw new DeltaError('INVALID_ARGUMENT', 'a Delta schema needs at least one field');
  }
  const seen = new Set<string>();
  const out: Required<DeltaField>[] = [];
  for (const field of fields) {
    if (typeof field?.name !== 'string' || field.name === '' || /[ ,;{}()\n\t=]/.test(field.name)) {
      throw new DeltaError(
        'INVALID_ARGUMENT',
        `invalid column name ${JSON.stringify(field?.name)}`,
      );
    }
    if (!TYPES.has(field.type)) {
      throw new DeltaError(
        'INVALID_ARGUMENT',
        `column ${field.name}: unknown type ${JSON.stringify(field.type)} (one of ${[...TYPES].join(', ')})`,
      );
    }
    const lower = field.name.toLowerCase();
    if (seen.has(lower)) {
      throw new DeltaError('INVALID_ARGUMENT', `column ${field.name} appears twice`);
    }
    seen.add(lower);
    out.push({ name: field.name, type: field.type, nullable: field.nullable ?? true });
  }
  return { fields: out };
}

function typeJson(type: DeltaType): unknown {
  switch (type) {
    case 'map<string,string>':
      return { type: 'map', keyType: 'string', valueType: 'string', valueContainsNull: true };
    case 'map<string,double>':
      return { type: 'map', keyType: 'string', valueType: 'double', valueContainsNull: true };
    case 'array<string>':
      return { type: 'array', elementType: 'string', containsNull: true };
    default:
      return type;
  }
}

/** Delta's `schemaString`: Spark's JSON schema. */
export function schemaString(schema: DeltaSchema): string {
  return JSON.stringify({
    type: 'struct',
    fields: schema.fields.map((f) => ({
      name: f.name,
      type: typeJson(f.type),
      nullable: f.nullable,
      metadata: {},
    })),
  });
}

function typeFromJson(json: unknown): DeltaType | undefined {
  if (typeof json === 'string') return TYPES.has(json) ? (json as DeltaType) : undefined;
  const t = json as {
    type?: string;
    keyType?: unknown;
    valueType?: unknown;
    elementType?: unknown;
  };
  if (t?.type === 'map' && t.keyType === 'string' && typeof t.valueType === 'string') {
    const name = `map<string,${t.valueType}>`;
    return TYPES.has(name) ? (name as DeltaType) : undefined;
  }
  if (t?.type === 'array' && t.elementType === 'string') return 'array<string>';
  return undefined;
}

/** The schema a table's `metaData.schemaString` declares; `UNSUPPORTED` for types outside ours. */
export function parseSchemaString(text: string): DeltaSchema {
  const parsed = JSON.parse(text) as {
    fields?: { name: string; type: unknown; nullable?: boolean }[];
  };
  return defineSchema(
    (parsed.fields ?? []).map((f) => {
      const type = typeFromJson(f.type);
      if (!type) {
        throw new DeltaError(
          'UNSUPPORTED',
          `column ${f.name} has a type this library does not handle: ${JSON.stringify(f.type)}`,
        );
      }
      return { name: f.name, type, nullable: f.nullable ?? true };
    }),
  );
}
