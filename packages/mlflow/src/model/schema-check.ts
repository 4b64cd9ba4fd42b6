/**
 * The schemas MLflow can load: what `ModelSignature.from_dict` (`Schema.from_json`, `ColSpec`,
 * `TensorSpec`, `Array`, `Object`, `Map` in `mlflow/types/schema.py`, mlflow 3.18) accepts. A
 * signature it refuses would make the logged model unloadable (`mlflow.pyfunc.load_model` fails
 * reading `MLmodel`), so `logModel` checks it before the first write. Two places are stricter
 * than MLflow: a tensor's `shape` must be a list of integers (MLflow keeps any value and fails
 * later), and its `dtype` one of numpy's canonical names, as `TensorSpec.to_dict()` writes them
 * (numpy would also take aliases such as `f` or `<f4`).
 */
import { TroveError } from '@trove/core';
import type { SchemaEntry } from './schema.js';

/** `DataType` names (`mlflow.types.schema.DataType`). */
const DATA_TYPES = new Set([
  'boolean',
  'integer',
  'long',
  'float',
  'double',
  'string',
  'binary',
  'datetime',
]);

/** numpy dtype names a `TensorSpec` is written with (numpy refuses unknown names: `TypeError`). */
const TENSOR_DTYPES = new Set([
  'bool',
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'float16',
  'float32',
  'float64',
  'complex64',
  'complex128',
  'str',
  'bytes',
  'object',
]);

/** `ColSpec.__init__`'s keywords: any other key is a `TypeError` in MLflow. */
const COLSPEC_KEYS = new Set(['type', 'name', 'required', 'optional']);

/** Throws `INVALID_ARGUMENT` (naming `which` and the entry) unless MLflow can load `schema`. */
export function checkSchema(which: 'inputs' | 'outputs', schema: readonly SchemaEntry[]): void {
  const bad = (why: string) =>
    new TroveError('INVALID_ARGUMENT', `signature ${which}: ${why}; MLflow could not load it.`, {
      hint: 'Build signatures with inferSignature, or follow MLflow’s schema JSON (mlflow.types.Schema).',
    });
  if (schema.length === 0) throw bad('a schema cannot be empty');
  const tensors = schema.filter((e) => e.type === 'tensor').length;
  if (tensors !== 0 && tensors !== schema.length) {
    throw bad('tensor specs and column specs cannot be mixed');
  }
  const named = schema.filter((e) => e.name !== undefined && e.name !== null).length;
  if (named !== 0 && named !== schema.length) {
    throw bad('named and unnamed entries cannot be mixed');
  }
  schema.forEach((entry, i) => {
    const where = `entry ${i}${entry.name !== undefined ? ` (${String(entry.name)})` : ''}`;
    if (entry.type === 'tensor') {
      const spec = entry['tensor-spec'] as Record<string, unknown> | undefined;
      if (typeof spec !== 'object' || spec === null)
        throw bad(`${where} is a tensor without its "tensor-spec"`);
      if (typeof spec.dtype !== 'string' || !TENSOR_DTYPES.has(spec.dtype)) {
        throw bad(`${where} has dtype ${JSON.stringify(spec.dtype)}, which numpy does not know`);
      }
      const shape = spec.shape;
      if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= -1)) {
        throw bad(`${where} needs a shape: a list of integers (-1 for any size)`);
      }
      return;
    }
    for (const key of Object.keys(entry)) {
      if (!COLSPEC_KEYS.has(key) && !(key in typeKeys(entry.type))) {
        throw bad(`${where} has an unknown key ${JSON.stringify(key)}`);
      }
    }
    const why = typeProblem(entry);
    if (why) throw bad(`${where} ${why}`);
  });
}

/** The keys a composite type brings (`items`, `properties`, `values`). */
function typeKeys(type: unknown): Record<string, true> {
  if (type === 'array') return { items: true };
  if (type === 'object') return { properties: true };
  if (type === 'map') return { values: true };
  return {};
}

/** Why a (nested) type MLflow would refuse, or undefined when it is fine. */
function typeProblem(t: Record<string, unknown>): string | undefined {
  const type = t.type;
  if (typeof type === 'string' && (DATA_TYPES.has(type) || type === 'any')) return undefined;
  const nested = (v: unknown): string | undefined =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? typeProblem(v as Record<string, unknown>)
      : 'has a nested type that is not a mapping';
  switch (type) {
    case 'array':
      return t.items === undefined ? 'is an array without "items"' : nested(t.items);
    case 'map':
      return t.values === undefined ? 'is a map without "values"' : nested(t.values);
    case 'object': {
      const props = t.properties;
      if (typeof props !== 'object' || props === null || Array.isArray(props)) {
        return 'is an object without "properties"';
      }
      for (const p of Object.values(props)) {
        const why = nested(p);
        if (why) return why;
      }
      return undefined;
    }
    default:
      return `has type ${JSON.stringify(type)}, which is not an MLflow type (${[...DATA_TYPES, 'array', 'object', 'map', 'any'].join(', ')})`;
  }
}
