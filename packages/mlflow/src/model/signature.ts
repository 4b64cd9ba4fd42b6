/**
 * MLflow's `ModelSignature` (`mlflow/models/signature.py`): input and output schemas, written
 * into `MLmodel` as JSON strings. `inferSignature(input, output?)` is
 * `mlflow.models.infer_signature` for JavaScript data.
 */
import { TroveError } from '@trove/core';
import { pyJsonDumps } from '@trove/core/dialect';
import { inferSchema, type SchemaEntry } from './schema.js';
import { checkSchema } from './schema-check.js';

export interface ModelSignature {
  inputs: SchemaEntry[];
  outputs?: SchemaEntry[];
}

/**
 * The signature of a model from example data, equal to `mlflow.models.infer_signature` on the
 * same data: an array of records (tabular), a dict of values, a scalar or list, a `Tensor`
 * (`tensor(new Float32Array(…), [n, 3])`), or a dict of tensors. Data MLflow cannot infer
 * gets MLflow's fallback schema (`any`).
 *
 * @example
 * const signature = inferSignature([{ sepal: 5.1, petal: 1.4 }], [0]);
 */
export function inferSignature(input: unknown, output?: unknown): ModelSignature {
  const signature: ModelSignature = { inputs: inferSchema(input) };
  if (output !== undefined) signature.outputs = inferSchema(output);
  return signature;
}

/** The signature as `MLmodel` holds it (`ModelSignature.to_dict()`). */
export function signatureDict(signature: ModelSignature): Record<string, string | null> {
  return {
    inputs: pyJsonDumps(signature.inputs),
    outputs: signature.outputs ? pyJsonDumps(signature.outputs) : null,
    params: null,
  };
}

/** A signature given by the user: a `ModelSignature`, or the dict `MLmodel` holds. */
export function checkSignature(value: unknown): ModelSignature {
  const bad = () =>
    new TroveError(
      'INVALID_ARGUMENT',
      'signature must be { inputs, outputs? } with schema lists (see inferSignature).',
    );
  if (typeof value !== 'object' || value === null) throw bad();
  const { inputs, outputs } = value as { inputs?: unknown; outputs?: unknown };
  const parse = (v: unknown): SchemaEntry[] | undefined => {
    if (v === undefined || v === null) return undefined;
    const list = typeof v === 'string' ? safeParse(v) : v;
    if (
      !Array.isArray(list) ||
      !list.every((e) => typeof e === 'object' && e !== null && 'type' in e)
    )
      throw bad();
    return list as SchemaEntry[];
  };
  const ins = parse(inputs);
  if (!ins) throw bad();
  checkSchema('inputs', ins);
  const outs = parse(outputs);
  if (outs) checkSchema('outputs', outs);
  return outs ? { inputs: ins, outputs: outs } : { inputs: ins };
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Throws `INVALID_ARGUMENT` when an input example does not fit the signature's inputs: a
 * required column or tensor missing, another type, another tensor rank or fixed dimension.
 */
export function checkExampleFits(example: unknown, signature: ModelSignature): void {
  const expected = signature.inputs;
  if (expected.length === 1 && expected[0]?.type === 'any') return;
  const actual = inferSchema(example);
  const fail = (why: string) =>
    new TroveError('INVALID_ARGUMENT', `The input example does not match the signature: ${why}.`);
  const isTensorSchema = (s: SchemaEntry[]) => s.every((e) => e.type === 'tensor');
  if (isTensorSchema(expected) !== isTensorSchema(actual)) {
    throw fail(
      isTensorSchema(expected) ? 'the signature expects tensors' : 'the signature expects columns',
    );
  }
  const byName = (s: SchemaEntry[]) => new Map(s.map((e, i) => [String(e.name ?? `#${i}`), e]));
  const got = byName(actual);
  for (const [name, want] of byName(expected)) {
    const have = got.get(name);
    if (!have) {
      if (want.required === false) continue;
      throw fail(`"${name}" is missing`);
    }
    if (want.type === 'tensor') {
      const w = want['tensor-spec'] as { dtype: string; shape: number[] };
      const h = have['tensor-spec'] as { dtype: string; shape: number[] };
      if (w.dtype !== h.dtype) throw fail(`${name} is ${h.dtype}, not ${w.dtype}`);
      if (
        w.shape.length !== h.shape.length ||
        w.shape.some((d, i) => d !== -1 && i > 0 && d !== h.shape[i])
      )
        throw fail(`${name} has shape [${h.shape}], not [${w.shape}]`);
      continue;
    }
    const widened = want.type === 'double' && have.type === 'long';
    if (want.type !== 'any' && have.type !== 'any' && want.type !== have.type && !widened) {
      throw fail(`"${name}" is ${String(have.type)}, not ${String(want.type)}`);
    }
  }
}
