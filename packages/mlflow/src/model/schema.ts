/**
 * MLflow's model schemas (`mlflow/types/schema.py`) and their inference from data
 * (`mlflow/types/utils.py::_infer_schema`), for the data a TypeScript program has: arrays of
 * records, dicts of values, scalars, and tensors (typed arrays with a shape). The JSON written
 * is the one `Schema.to_json()` gives, so `infer_signature` on the same data in Python produces
 * the same text.
 */
import { TroveError } from '@trove/core';

export type TensorDtype =
  | 'float32'
  | 'float64'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'uint64'
  | 'bool';

export type TypedArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Uint8Array
  | Uint16Array
  | Uint32Array
  | BigUint64Array;

/** A tensor: values in row-major order and a shape (numpy's `ndarray`). */
export interface Tensor {
  data: TypedArray;
  shape: readonly number[];
  /** Overrides the dtype the typed array implies (`bool` stored in a `Uint8Array`). */
  dtype?: TensorDtype;
}

/** One entry of a schema, as MLflow serializes it (`ColSpec` or `TensorSpec` `to_dict()`). */
export type SchemaEntry = Record<string, unknown>;

type DataType =
  | { kind: 'scalar'; name: 'long' | 'double' | 'boolean' | 'string' | 'binary' }
  | { kind: 'array'; items: DataType }
  | { kind: 'object'; props: Prop[] }
  | { kind: 'any' };
interface Prop {
  name: string;
  dtype: DataType;
  required: boolean;
}

const ANY: DataType = { kind: 'any' };

/** Raised inside inference; `infer_signature` turns it into an `any` schema, as MLflow does. */
class InferError extends Error {}

/** `tensor(data, shape)`: a tensor for `inferSignature` and input examples. */
export function tensor(data: TypedArray, shape: readonly number[], dtype?: TensorDtype): Tensor {
  const t: Tensor = { data, shape: [...shape] };
  if (dtype) t.dtype = dtype;
  checkTensor(t);
  return t;
}

export function isTensor(value: unknown): value is Tensor {
  return (
    typeof value === 'object' &&
    value !== null &&
    ArrayBuffer.isView((value as Tensor).data) &&
    Array.isArray((value as Tensor).shape)
  );
}

export function tensorDtype(t: Tensor): TensorDtype {
  if (t.dtype) return t.dtype;
  const d = t.data;
  if (d instanceof Float32Array) return 'float32';
  if (d instanceof Float64Array) return 'float64';
  if (d instanceof Int8Array) return 'int8';
  if (d instanceof Int16Array) return 'int16';
  if (d instanceof Int32Array) return 'int32';
  if (d instanceof BigInt64Array) return 'int64';
  if (d instanceof Uint8Array) return 'uint8';
  if (d instanceof Uint16Array) return 'uint16';
  if (d instanceof Uint32Array) return 'uint32';
  if (d instanceof BigUint64Array) return 'uint64';
  throw new TroveError('INVALID_ARGUMENT', 'A tensor needs a typed array of numbers.');
}

function checkTensor(t: Tensor): void {
  const size = t.shape.reduce((a, b) => a * b, 1);
  if (!t.shape.every((n) => Number.isSafeInteger(n) && n >= 0) || size !== t.data.length) {
    throw new TroveError(
      'INVALID_ARGUMENT',
      `A tensor of shape [${t.shape.join(', ')}] needs ${size} values, not ${t.data.length}.`,
    );
  }
  tensorDtype(t);
}

function tensorSpec(t: Tensor, name?: string): SchemaEntry {
  checkTensor(t);
  const spec = { dtype: tensorDtype(t), shape: [-1, ...t.shape.slice(1)] };
  return name === undefined
    ? { type: 'tensor', 'tensor-spec': spec }
    : { name, type: 'tensor', 'tensor-spec': spec };
}

function isNone(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

function scalarType(v: unknown): DataType {
  if (typeof v === 'boolean') return { kind: 'scalar', name: 'boolean' };
  if (typeof v === 'string') return { kind: 'scalar', name: 'string' };
  if (typeof v === 'bigint') return { kind: 'scalar', name: 'long' };
  if (typeof v === 'number')
    return { kind: 'scalar', name: Number.isInteger(v) ? 'long' : 'double' };
  if (v instanceof Uint8Array) return { kind: 'scalar', name: 'binary' };
  throw new InferError(`Data ${String(v)} is not one of the supported DataType`);
}

/** `_infer_datatype`. */
function inferDatatype(v: unknown): DataType {
  if (isNone(v) || (Array.isArray(v) && v.length === 0)) return ANY;
  if (isRecord(v) && !(v instanceof Uint8Array)) {
    const entries = Object.entries(v);
    if (entries.length === 0) return ANY;
    return {
      kind: 'object',
      props: sortProps(
        entries.map(([name, val]) => {
          const dtype = inferDatatype(val);
          return { name, dtype, required: dtype.kind !== 'any' };
        }),
      ),
    };
  }
  if (Array.isArray(v)) return inferArray(v);
  return scalarType(v);
}

/** `_infer_array_datatype`: the list's element type, merged across items. */
function inferArray(items: readonly unknown[]): DataType {
  let result: DataType | undefined;
  for (const item of items) {
    const dtype = inferDatatype(item);
    if (result === undefined) result = dtype;
    else if (result.kind !== 'scalar') result = merge(result, dtype);
    else if (dtype.kind !== 'any' && !sameType(dtype, result))
      throw new InferError('Expected all values in list to be of same type');
  }
  return { kind: 'array', items: result ?? ANY };
}

function sameType(a: DataType, b: DataType): boolean {
  return JSON.stringify(typeJson(a)) === JSON.stringify(typeJson(b));
}

function merge(a: DataType, b: DataType): DataType {
  if (a.kind === 'any') return b;
  if (b.kind === 'any') return a;
  if (a.kind === 'array' && b.kind === 'array')
    return { kind: 'array', items: merge(a.items, b.items) };
  if (a.kind === 'object' && b.kind === 'object') {
    const names = new Set([...a.props.map((p) => p.name), ...b.props.map((p) => p.name)]);
    const props: Prop[] = [];
    for (const name of names) {
      const pa = a.props.find((p) => p.name === name);
      const pb = b.props.find((p) => p.name === name);
      if (pa && pb)
        props.push({
          name,
          dtype: merge(pa.dtype, pb.dtype),
          required: pa.required && pb.required,
        });
      else props.push({ ...((pa ?? pb) as Prop), required: false });
    }
    return { kind: 'object', props: sortProps(props) };
  }
  if (sameType(a, b)) return a;
  throw new InferError('Types are incompatible');
}

function sortProps(props: Prop[]): Prop[] {
  return props.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
}

function typeJson(t: DataType): Record<string, unknown> {
  switch (t.kind) {
    case 'scalar':
      return { type: t.name };
    case 'any':
      return { type: 'any' };
    case 'array':
      return { type: 'array', items: typeJson(t.items) };
    case 'object':
      return {
        type: 'object',
        properties: Object.fromEntries(
          t.props.map((p) => [p.name, { ...typeJson(p.dtype), required: p.required }]),
        ),
      };
  }
}

function colSpec(t: DataType, name: string | undefined, required: boolean): SchemaEntry {
  return { ...typeJson(t), ...(name !== undefined ? { name } : {}), required };
}

function elementType(t: DataType): DataType {
  return t.kind === 'array' ? t.items : t;
}

/**
 * `_infer_schema(data)` for JavaScript data. Throws `InferError` where MLflow raises, which the
 * caller turns into MLflow's fallback schema (`[{"type": "any", "required": true}]`).
 */
function inferSchemaStrict(data: unknown): SchemaEntry[] {
  if (Array.isArray(data) && data.length === 0)
    return [colSpec({ kind: 'scalar', name: 'string' }, undefined, true)];
  if (isTensor(data)) return [tensorSpec(data)];
  if (Array.isArray(data) && data.every(isRecord)) {
    const columns = new Map<string, unknown[]>();
    for (const row of data) {
      for (const [k, v] of Object.entries(row)) {
        if (!columns.has(k)) columns.set(k, []);
        columns.get(k)?.push(v);
      }
    }
    return [...columns].map(([name, values]) =>
      colSpec(
        elementType(inferArray(values)),
        name,
        data.every((row) => !isNone(row[name]) && row[name] !== undefined),
      ),
    );
  }
  if (isRecord(data)) {
    const values = Object.values(data);
    if (values.length > 0 && values.every(isTensor)) {
      return Object.entries(data).map(([name, t]) => tensorSpec(t as Tensor, name));
    }
    return Object.entries(data).map(([name, v]) =>
      colSpec(inferDatatype(v), name, Array.isArray(v) ? !v.some(isNone) : !isNone(v)),
    );
  }
  if (Array.isArray(data)) return [colSpec(elementType(inferArray(data)), undefined, true)];
  return [colSpec(inferDatatype(data), undefined, true)];
}

/** The schema of `data`, or MLflow's `any` schema where MLflow's inference fails. */
export function inferSchema(data: unknown): SchemaEntry[] {
  try {
    return inferSchemaStrict(data);
  } catch (err) {
    if (err instanceof InferError) return [{ type: 'any', required: true }];
    throw err;
  }
}
