import { vectors as dvcVectors } from '@trove/test-utils';
import { describe, expect, it } from 'vitest';
import { comparePyStr, dumpJsonDvclive, PyFloat, pyFloatRepr, pyJsonDumps } from './py-format.js';

interface Vectors {
  ruamel_float_repr: { value: string; yaml: string }[];
  dir_synthetic: {
    label: string;
    files: { relpath: string; md5: string }[];
    dir_manifest_bytes_utf8: string;
  }[];
  dvclive_sessions: { label: string; files: Record<string, string> }[];
}

const vectors = dvcVectors as Vectors;

function session(labelPart: string): Record<string, string> {
  const s = vectors.dvclive_sessions.find((x) => x.label.includes(labelPart));
  if (s === undefined) throw new Error(`no dvclive session labelled ${labelPart}`);
  return s.files;
}

describe('pyFloatRepr', () => {
  // Expected values are CPython 3.11 `repr(float)` output.
  it.each([
    [0.1, '0.1'],
    [1e-7, '1e-07'],
    [1e21, '1e+21'],
    [123456789012345680000, '1.2345678901234568e+20'],
    [5e-324, '5e-324'],
    [-0, '-0.0'],
    [0, '0.0'],
    [1e16, '1e+16'],
    [9999999999999998.0, '9999999999999998.0'],
    [1, '1.0'],
    [100, '100.0'],
    [0.0001, '0.0001'],
    [1e-5, '1e-05'],
    [1e15, '1000000000000000.0'],
    [2.5e-10, '2.5e-10'],
    [1e300, '1e+300'],
    [-1.5, '-1.5'],
    [1.7976931348623157e308, '1.7976931348623157e+308'],
    [2.2250738585072014e-308, '2.2250738585072014e-308'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1 / 3, '0.3333333333333333'],
    [123456.789, '123456.789'],
    [-1e-300, '-1e-300'],
    [2 ** 53, '9007199254740992.0'],
    [1e22, '1e+22'],
    [12345678901234568, '1.2345678901234568e+16'],
    [Number.NaN, 'nan'],
    [Number.POSITIVE_INFINITY, 'inf'],
    [Number.NEGATIVE_INFINITY, '-inf'],
  ])('%d -> %s', (x, expected) => {
    expect(pyFloatRepr(x)).toBe(expected);
  });

  it('agrees with the ruamel_float_repr vector texts (finite floats)', () => {
    const floats = vectors.ruamel_float_repr.filter(
      (v) => /^-?[0-9.]+(e[-+]\d+)?$/.test(v.value) && /[.e]/.test(v.value),
    );
    expect(floats.length).toBeGreaterThan(5);
    for (const v of floats) expect(pyFloatRepr(Number.parseFloat(v.value))).toBe(v.value);
  });
});

describe('pyJsonDumps', () => {
  it('uses Python default separators and ensure_ascii escaping', () => {
    const value = {
      b: [1, new PyFloat(2), null, true, 'x"\\\n\r\t\b\f\x01\x7f é\u{1F600}'],
      a: {},
      c: [],
      n: Number.NaN,
      i: Number.POSITIVE_INFINITY,
      j: Number.NEGATIVE_INFINITY,
    };
    expect(pyJsonDumps(value)).toBe(
      '{"b": [1, 2.0, null, true, "x\\"\\\\\\n\\r\\t\\b\\f\\u0001\\u007f \\u00e9\\ud83d\\ude00"], ' +
        '"a": {}, "c": [], "n": NaN, "i": Infinity, "j": -Infinity}',
    );
  });

  it('indents with "," + newline and keeps empty containers compact', () => {
    const value = { b: [1, new PyFloat(2), {}], a: { z: [] } };
    expect(pyJsonDumps(value, { indent: 4 })).toBe(
      '{\n    "b": [\n        1,\n        2.0,\n        {}\n    ],\n    "a": {\n        "z": []\n    }\n}',
    );
  });

  it('indent 0 still breaks lines', () => {
    expect(pyJsonDumps({ b: [1, new PyFloat(2)], a: { z: 1 } }, { indent: 0 })).toBe(
      '{\n"b": [\n1,\n2.0\n],\n"a": {\n"z": 1\n}\n}',
    );
  });

  it('prints integral numbers as ints, others as Python floats, bigint exactly', () => {
    expect(pyJsonDumps([3, -7, 0.5, 1e-7, 2 ** 53, 10n ** 30n, new PyFloat(1e16)])).toBe(
      '[3, -7, 0.5, 1e-07, 9007199254740992.0, 1000000000000000000000000000000, 1e+16]',
    );
  });

  it('sortKeys orders by code point (astral after U+FFFD), not UTF-16 unit', () => {
    const value = { '\u{1F600}': 1, '\ufffd': 2, a: 3, '\uff61': 4 };
    // CPython: json.dumps(value, sort_keys=True)
    expect(pyJsonDumps(value, { sortKeys: true })).toBe(
      '{"a": 3, "\\uff61": 4, "\\ufffd": 2, "\\ud83d\\ude00": 1}',
    );
    expect(comparePyStr('\u{1F600}', '\uffff')).toBe(1);
    expect(comparePyStr('ab', 'abc')).toBe(-1);
    expect(comparePyStr('x', 'x')).toBe(0);
  });

  it('keeps Map insertion order (JS objects would hoist integer-like keys)', () => {
    const value = new Map<string, unknown>([
      ['b', 1],
      ['2', 2],
    ]);
    expect(pyJsonDumps(value)).toBe('{"b": 1, "2": 2}');
  });

  it.each(vectors.dir_synthetic)('reproduces the .dir manifest of $label', (v) => {
    const entries = v.files
      .map((f) => ({ md5: f.md5, relpath: f.relpath }))
      .sort((a, b) => comparePyStr(a.relpath, b.relpath));
    expect(pyJsonDumps(entries, { sortKeys: true })).toBe(v.dir_manifest_bytes_utf8);
  });
});

describe('dumpJsonDvclive: dvclive session JSON files', () => {
  it('metrics.json with nested metrics', () => {
    const files = session('params+nested');
    const metrics = { train: { loss: 0.5 }, acc: 0.75, step: 1, final: { score: 7 } };
    expect(dumpJsonDvclive(metrics)).toBe(files['dvclive/metrics.json']);
  });

  it('empty metrics.json and sklearn/custom plot JSON', () => {
    const files = session('sklearn');
    expect(dumpJsonDvclive({})).toBe(files['dvclive/metrics.json']);
    const cm = [
      { actual: '0', predicted: '0' },
      { actual: '0', predicted: '1' },
      { actual: '1', predicted: '1' },
      { actual: '1', predicted: '0' },
    ];
    expect(dumpJsonDvclive(cm)).toBe(files['dvclive/plots/sklearn/confusion_matrix.json']);
    expect(dumpJsonDvclive(cm)).toBe(files['dvclive/plots/sklearn/cm_norm.json']);
    const pr = [
      { x: 1, y: 0.5 },
      { x: 2, y: 0.25 },
    ];
    expect(dumpJsonDvclive(pr)).toBe(files['dvclive/plots/custom/pr.json']);
  });

  it('empty list', () => {
    expect(dumpJsonDvclive([])).toBe('[]\n');
  });
});
