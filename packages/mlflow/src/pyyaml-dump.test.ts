import { PyFloat } from '@trove/core/dialect';
import { describe, expect, it } from 'vitest';
import { pyYamlData, pyYamlDump } from './pyyaml-dump.js';

// Expected texts are what PyYAML 6.0.4's `yaml.safe_dump(d, default_flow_style=False)` printed
// for the same data in Python (the round trip through real mlflow is test/mlflow-yaml-roundtrip).
describe('pyYamlDump: the bytes PyYAML writes', () => {
  it('writes floats PyYAML reads as floats (1.0e-05, not 1e-05), ints, bools and null', () => {
    const data = {
      lr: 1e-5,
      big: 1e20,
      small: 1.5e-7,
      neg0: -0,
      nan: Number.NaN,
      inf: Number.POSITIVE_INFINITY,
      ninf: Number.NEGATIVE_INFINITY,
      third: 1 / 3,
      i: 3,
      huge: 2n ** 64n,
      two: new PyFloat(2),
      e16: 1e16,
      t: true,
      f: false,
      none: null,
    };
    expect(pyYamlDump(data)).toBe(
      'big: 1.0e+20\ne16: 1.0e+16\nf: false\nhuge: 18446744073709551616\ni: 3\ninf: .inf\nlr: 1.0e-05\nnan: .nan\nneg0: -0.0\nninf: -.inf\nnone: null\nsmall: 1.5e-07\nt: true\nthird: 0.3333333333333333\ntwo: 2.0\n',
    );
  });

  it('quotes what a YAML 1.1 resolver of PyYAML would claim, and only that', () => {
    const s = [
      'yes',
      'No',
      'on',
      'OFF',
      'null',
      '~',
      '',
      'True',
      '1e3',
      '1.0',
      '0x1F',
      '012',
      '09',
      '1_000',
      '1:30',
      '.inf',
      '=',
      '<<',
      '2024-01-02',
      '2024-01-02 10:00:00.',
      ' lead',
      'a: b',
      '#c',
      '- x',
      'tab\tin',
      'say "hi"',
      'y',
      'plain words',
    ];
    expect(pyYamlDump({ s })).toBe(
      "s:\n- 'yes'\n- 'No'\n- 'on'\n- 'OFF'\n- 'null'\n- '~'\n- ''\n- 'True'\n- 1e3\n- '1.0'\n- '0x1F'\n- '012'\n- 09\n- '1_000'\n- '1:30'\n- '.inf'\n- '='\n- '<<'\n- '2024-01-02'\n- '2024-01-02 10:00:00.'\n- ' lead'\n- 'a: b'\n- '#c'\n- '- x'\n- \"tab\\tin\"\n- say \"hi\"\n- y\n- plain words\n",
    );
  });

  it('escapes everything outside printable ASCII, as allow_unicode=False does', () => {
    const data = { café: 'naïve', emoji: '😀', 中文: ['\x85', '\u2028', '\ufeff', '\x7f', '\0'] };
    expect(pyYamlDump(data)).toBe(
      '"caf\\xE9": "na\\xEFve"\nemoji: "\\U0001F600"\n"\\u4E2D\\u6587":\n- "\\N"\n- "\\L"\n- "\\uFEFF"\n- "\\x7F"\n- "\\0"\n',
    );
  });

  it('quotes what starts like a document marker', () => {
    expect(pyYamlDump({ a: ['---', '--- x', '...', '...x', '-- x', '----'] })).toBe(
      "a:\n- '---'\n- '--- x'\n- '...'\n- '...x'\n- -- x\n- '----'\n",
    );
  });

  it('folds long plain and single-quoted scalars where PyYAML does (past column 80)', () => {
    const json = '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1, 3]}}]';
    const data = {
      signature: { inputs: json, outputs: json },
      x: 'word '.repeat(40).trim(),
      y: `${'a'.repeat(70)} ${'b'.repeat(30)}`,
      z: [`${'c'.repeat(79)} d e`],
    };
    expect(pyYamlDump(data)).toBe(
      `signature:\n  inputs: '${json}'\n  outputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1,\n    3]}}]'\n` +
        `x: ${'word '.repeat(16).trim()}\n  ${'word '.repeat(16).trim()}\n  ${'word '.repeat(8).trim()}\n` +
        `y: ${'a'.repeat(70)} ${'b'.repeat(30)}\n` +
        `z:\n- ${'c'.repeat(79)}\n  d e\n`,
    );
  });

  it('writes multi-line strings quoted, never as block scalars', () => {
    expect(pyYamlDump({ m: 'line1\nline2', n: 'x\n y' })).toBe(
      'm: \'line1\n\n  line2\'\nn: "x\\n y"\n',
    );
  });

  it('writes a Date as the UTC datetime PyYAML prints', () => {
    const old = new Date(Date.UTC(2000, 2, 4, 5, 6, 7));
    old.setUTCFullYear(999);
    const data = {
      d: new Date(Date.UTC(2024, 0, 2, 10, 0, 0, 123)),
      e: new Date(Date.UTC(2024, 0, 2)),
      old,
    };
    expect(pyYamlDump(data)).toBe(
      'd: 2024-01-02 10:00:00.123000+00:00\ne: 2024-01-02 00:00:00+00:00\nold: 0999-03-04 05:06:07+00:00\n',
    );
  });

  it('nests block lists in mappings without indenting them; empty ones in flow', () => {
    const data = { b: [[1, [2, {}]], { a: [1, []], z: { y: null } }], a: {} };
    expect(pyYamlDump(data)).toBe(
      'a: {}\nb:\n- - 1\n  - - 2\n    - {}\n- a:\n  - 1\n  - []\n  z:\n    y: null\n',
    );
  });

  it('keeps the given key order with sortKeys: false (python_env.yaml)', () => {
    const data = {
      python: '3.11',
      build_dependencies: ['pip'],
      dependencies: ['-r requirements.txt'],
    };
    expect(pyYamlDump(data, { sortKeys: false })).toBe(
      "python: '3.11'\nbuild_dependencies:\n- pip\ndependencies:\n- -r requirements.txt\n",
    );
  });

  it('sorts keys by code point, as Python sorts str', () => {
    expect(pyYamlDump({ b: 1, '\uffff': 2, '😀': 3, B: 4 })).toBe(
      'B: 4\nb: 1\n"\\uFFFF": 2\n"\\U0001F600": 3\n',
    );
  });
});

describe('pyYamlData: plain data checked and copied before anything is written', () => {
  it('copies deeply, drops undefined properties, keeps __proto__ as a key', () => {
    const date = new Date(0);
    const input = JSON.parse('{"__proto__": {"x": 1}}') as Record<string, unknown>;
    Object.assign(input, { list: [1, { d: date }], gone: undefined });
    const copy = pyYamlData(input) as Record<string, unknown>;
    expect(copy).toEqual({ ['__proto__']: { x: 1 }, list: [1, { d: date }] });
    expect(Object.keys(copy)).toEqual(['__proto__', 'list']);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    const list = copy.list as [number, { d: Date }];
    expect(list[1].d).not.toBe(date);
    expect(list[1].d.getTime()).toBe(0);
  });

  it('refuses what PyYAML safe_dump cannot write, naming where', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = { again: cyclic };
    const cases: [unknown, RegExp][] = [
      [{ a: new Map() }, /Map \(a\)/],
      [{ a: { b: () => 1 } }, /function as YAML \(a\.b\)/],
      [{ a: [1, undefined] }, /undefined \(a\[1\]\)/],
      [{ a: Symbol('s') }, /symbol/],
      [{ a: '\ud800' }, /lone surrogate \(a\)/],
      [{ a: new Date(Number.NaN) }, /years 1-9999/],
      [{ a: new Date('+010000-01-01T00:00:00Z') }, /years 1-9999/],
      [cyclic, /contains itself \(self\.again\)/],
    ];
    for (const [value, message] of cases) {
      expect(() => pyYamlData(value)).toThrow(message);
      expect(() => pyYamlDump(value)).toThrow(TypeError);
    }
  });

  it('lets the same object appear twice without anchors (a copy loads back the same)', () => {
    const shared = { k: 1 };
    expect(pyYamlDump({ a: shared, b: shared })).toBe('a:\n  k: 1\nb:\n  k: 1\n');
  });
});
