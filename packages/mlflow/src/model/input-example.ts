/**
 * MLflow's saved input example (`mlflow/models/utils.py::_save_example`): `input_example.json`
 * (`json.dumps` of the example; tensors as nested lists) and `serving_input_example.json`
 * (`{"inputs": …}`, indented by 2), described in `MLmodel` by `saved_input_example_info`.
 */
import { TroveError } from '@trove/core';
import { PyFloat, pyJsonDumps } from '@trove/core/dialect';
import { isTensor, type Tensor, tensorDtype } from './schema.js';

export interface SavedExample {
  inputExample: string;
  servingExample: string;
  info: { artifact_path: string; serving_input_path: string; type: 'ndarray' | 'json_object' };
}

const INPUT_EXAMPLE_FILE = 'input_example.json';
const SERVING_EXAMPLE_FILE = 'serving_input_example.json';

/** Nested lists of a tensor's values, floats kept as floats (`1.0`) as numpy's `tolist()` does. */
function tensorList(t: Tensor): unknown {
  const dtype = tensorDtype(t);
  const value = (i: number): unknown => {
    const v = t.data[i] as number | bigint;
    if (dtype === 'bool') return Boolean(v);
    if (dtype === 'float32' || dtype === 'float64') {
      // float32 values print as the float64 numpy widens them to (tolist()).
      return new PyFloat(Number(v));
    }
    return typeof v === 'bigint' ? v : Number(v);
  };
  if (t.shape.length === 0) return value(0);
  const build = (dim: number, offset: number): unknown[] => {
    const n = t.shape[dim] as number;
    const stride = t.shape.slice(dim + 1).reduce((a, b) => a * b, 1);
    const out: unknown[] = [];
    for (let i = 0; i < n; i++) {
      out.push(
        dim === t.shape.length - 1 ? value(offset + i) : build(dim + 1, offset + i * stride),
      );
    }
    return out;
  };
  return build(0, 0);
}

function plain(value: unknown): unknown {
  if (isTensor(value)) return tensorList(value);
  if (value instanceof Uint8Array) {
    throw new TroveError('INVALID_ARGUMENT', 'Bytes in an input example are not supported.');
  }
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new TroveError('INVALID_ARGUMENT', 'An input example holds only finite numbers.');
  }
  return value;
}

export function saveExample(example: unknown): SavedExample {
  const isNd =
    isTensor(example) ||
    (typeof example === 'object' &&
      example !== null &&
      !Array.isArray(example) &&
      Object.values(example).length > 0 &&
      Object.values(example).every(isTensor));
  const value = plain(example);
  return {
    inputExample: pyJsonDumps(value),
    servingExample: pyJsonDumps({ inputs: value }, { indent: 2 }),
    info: {
      artifact_path: INPUT_EXAMPLE_FILE,
      serving_input_path: SERVING_EXAMPLE_FILE,
      type: isNd ? 'ndarray' : 'json_object',
    },
  };
}
