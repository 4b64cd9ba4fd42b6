import { vectors as dvcVectors } from '@trove/test-utils';
import { describe, expect, it } from 'vitest';
import { PyFloat } from './py-format.js';
import { dumpYaml } from './yaml-emit.js';

interface Vectors {
  ruamel_scalar_quoting: { value: string; yaml: string }[];
  ruamel_float_repr: { value: string; yaml: string }[];
  dvc_files: { label: string; filename: string; text: string }[];
  dir_synthetic: {
    label: string;
    dir_md5: string;
    size: number;
    nfiles: number;
    dvc_file_text: string;
  }[];
  dvclive_sessions: { label: string; files: Record<string, string> }[];
}

const vectors = dvcVectors as Vectors;

/** Turns the Python literal text used in `ruamel_float_repr` into the value Python held. */
function fromPythonLiteral(text: string): unknown {
  if (text === 'True') return true;
  if (text === 'False') return false;
  if (text === 'None') return null;
  if (text === 'inf') return Number.POSITIVE_INFINITY;
  if (text === '-inf') return Number.NEGATIVE_INFINITY;
  if (text === 'nan') return Number.NaN;
  if (/^-?\d+$/.test(text)) {
    const big = BigInt(text);
    return big < 2n ** 53n && big > -(2n ** 53n) ? Number(big) : big;
  }
  if (/[.e]/.test(text)) return new PyFloat(Number.parseFloat(text));
  throw new Error(`unexpected literal ${text}`);
}

function dvcFile(labelPart: string): string {
  const v = vectors.dvc_files.find((f) => f.label.includes(labelPart));
  if (v === undefined) throw new Error(`no dvc_files vector labelled ${labelPart}`);
  return v.text;
}

function session(labelPart: string): Record<string, string> {
  const s = vectors.dvclive_sessions.find((x) => x.label.includes(labelPart));
  if (s === undefined) throw new Error(`no dvclive session labelled ${labelPart}`);
  return s.files;
}

const MD5_A = '0cc175b9c0f1b6a831c399e269772661';

describe('dumpYaml: ruamel_scalar_quoting vectors', () => {
  it.each(vectors.ruamel_scalar_quoting)('%j', ({ value, yaml }) => {
    expect(dumpYaml({ k: value })).toBe(yaml);
  });
  it('covers all vectors', () => {
    expect(vectors.ruamel_scalar_quoting.length).toBe(31);
  });
});

describe('dumpYaml: ruamel_float_repr vectors', () => {
  it.each(vectors.ruamel_float_repr)('%j', ({ value, yaml }) => {
    expect(dumpYaml({ p: fromPythonLiteral(value) })).toBe(yaml);
  });
});

describe('dumpYaml: dvc_files vectors', () => {
  it('single file', () => {
    const data = { outs: [{ md5: MD5_A, size: 1, hash: 'md5', path: 'a.txt' }] };
    expect(dumpYaml(data)).toBe(dvcFile('single file'));
  });
  it('executable file', () => {
    const out = {
      md5: 'acbd18db4cc2f85cedef654fccc4a4d8',
      size: 3,
      isexec: true,
      hash: 'md5',
      path: 'foo',
    };
    expect(dumpYaml({ outs: [out] })).toBe(dvcFile('executable'));
  });
  it('legacy 2.x file', () => {
    const out = { md5: 'acbd18db4cc2f85cedef654fccc4a4d8', size: 3, path: 'foo' };
    expect(dumpYaml({ outs: [out] })).toBe(dvcFile('legacy'));
  });
  it('all-digit path is quoted', () => {
    const data = { outs: [{ md5: MD5_A, size: 1, hash: 'md5', path: '123' }] };
    expect(dumpYaml(data)).toBe(dvcFile('all digits'));
  });
  it('long path moves to its own line', () => {
    const path = `${'d/'.repeat(40)}file.bin`;
    const data = { outs: [{ md5: MD5_A, size: 1, hash: 'md5', path }] };
    expect(dumpYaml(data)).toBe(dvcFile('long path'));
  });
  it('annotated out', () => {
    const out = {
      md5: MD5_A,
      size: 1,
      hash: 'md5',
      path: 'model.pkl',
      desc: 'my model',
      type: 'model',
      labels: ['l1', 'l2'],
      meta: { k: 'v' },
    };
    expect(dumpYaml({ outs: [out] })).toBe(dvcFile('annotated'));
  });
  it('covers all vectors', () => {
    expect(vectors.dvc_files.length).toBe(6);
  });
});

describe('dumpYaml: dir_synthetic .dvc files', () => {
  it.each(vectors.dir_synthetic)('$label', (v) => {
    const out = { md5: v.dir_md5, size: v.size, nfiles: v.nfiles, hash: 'md5', path: 'data' };
    expect(dumpYaml({ outs: [out] })).toBe(v.dvc_file_text);
  });
});

describe('dumpYaml: dvclive session YAML files', () => {
  it('params + metrics session: dvc.yaml and params.yaml', () => {
    const files = session('params+nested');
    const dvcYaml = {
      params: ['dvclive/params.yaml'],
      metrics: ['dvclive/metrics.json'],
      plots: [{ 'dvclive/plots/metrics': { x: 'step' } }],
    };
    expect(dumpYaml(dvcYaml)).toBe(files['dvc.yaml']);
    const params = {
      lr: 0.001,
      epochs: 2,
      optimizer: { name: 'adam', betas: [0.9, 0.999] },
      tag: '123',
    };
    expect(dumpYaml(params)).toBe(files['dvclive/params.yaml']);
  });

  it('sklearn/custom plots + artifacts session: dvc.yaml', () => {
    const files = session('sklearn');
    const confusion = (template: string) => ({
      template,
      x: 'actual',
      y: 'predicted',
      title: 'Confusion Matrix',
      x_label: 'True Label',
      y_label: 'Predicted Label',
    });
    const dvcYaml = {
      plots: [
        { 'dvclive/plots/sklearn/confusion_matrix.json': confusion('confusion') },
        { 'dvclive/plots/sklearn/cm_norm.json': confusion('confusion_normalized') },
        { 'dvclive/plots/custom/pr.json': { template: 'linear', x: 'x', y: 'y', title: 't' } },
      ],
      artifacts: {
        model: { path: 'model.pkl', type: 'model', desc: 'best', labels: ['a'], meta: { k: 1 } },
        weights: { path: 'dvclive/artifacts/weights', type: 'model' },
      },
    };
    expect(dumpYaml(dvcYaml)).toBe(files['dvc.yaml']);
  });
});

describe('dumpYaml: long plain words (ruamel >= 0.18.13 wrapping)', () => {
  it('`k: ` value of 77 chars stays, 78 moves to its own line', () => {
    expect(dumpYaml({ k: 'a'.repeat(77) })).toBe(`k: ${'a'.repeat(77)}\n`);
    expect(dumpYaml({ k: 'a'.repeat(78) })).toBe(`k: \n  ${'a'.repeat(78)}\n`);
  });
  it('`  path: ` in an outs item: 72 stays, 73 moves', () => {
    expect(dumpYaml({ outs: [{ path: 'p'.repeat(72) }] })).toBe(
      `outs:\n- path: ${'p'.repeat(72)}\n`,
    );
    expect(dumpYaml({ outs: [{ path: 'p'.repeat(73) }] })).toBe(
      `outs:\n- path: \n    ${'p'.repeat(73)}\n`,
    );
  });
  it('`    path: ` in dvc.yaml artifacts: 70 stays, 71 moves', () => {
    const art = (path: string) => dumpYaml({ artifacts: { model: { path } } });
    expect(art('m'.repeat(70))).toBe(`artifacts:\n  model:\n    path: ${'m'.repeat(70)}\n`);
    expect(art('m'.repeat(71))).toBe(`artifacts:\n  model:\n    path: \n      ${'m'.repeat(71)}\n`);
  });
  it('list items are never moved', () => {
    expect(dumpYaml(['w'.repeat(100)])).toBe(`- ${'w'.repeat(100)}\n`);
  });
  it('counts code points, not UTF-16 units', () => {
    // 39 astral chars are 78 UTF-16 units but only 39 columns.
    const s = '\u{1F600}'.repeat(39);
    expect(dumpYaml({ k: s })).toBe(`k: ${s}\n`);
  });
});

describe('dumpYaml: md5 quoting', () => {
  it('all-digit md5 resolves as int and is quoted', () => {
    const md5 = '12345678901234567890123456789012';
    expect(dumpYaml({ md5 })).toBe(`md5: '${md5}'\n`);
  });
  it('digits with one e between digits resolve as float and are quoted', () => {
    const md5 = '123456e7890123456789012345678901';
    expect(dumpYaml({ md5 })).toBe(`md5: '${md5}'\n`);
  });
  it('ordinary hex and .dir values stay plain', () => {
    expect(dumpYaml({ md5: MD5_A })).toBe(`md5: ${MD5_A}\n`);
    expect(dumpYaml({ md5: `${MD5_A}.dir` })).toBe(`md5: ${MD5_A}.dir\n`);
  });
});

describe('dumpYaml: folding of long strings with spaces', () => {
  it('plain scalar folds at the first space after column 80', () => {
    const desc = Array.from({ length: 20 }, (_, i) => `word${String(i).padStart(2, '0')}`).join(
      ' ',
    );
    expect(dumpYaml({ desc })).toBe(
      'desc: word00 word01 word02 word03 word04 word05 word06 word07 word08 word09 \n' +
        '  word10 word11 word12 word13 word14 word15 word16 word17 word18 word19\n',
    );
  });
  it('single-quoted scalar folds past column 80', () => {
    expect(dumpYaml(['v '.repeat(50)])).toBe(
      "- 'v v v v v v v v v v v v v v v v v v v v v v v v v v v v v v v v v v v v v v v v\n" +
        "  v v v v v v v v v v '\n",
    );
  });
  it('double-quoted scalar folds with escapes', () => {
    expect(dumpYaml({ desc: 'line one is here\n'.repeat(6) })).toBe(
      'desc: "line one is here\\nline one is here\\nline one is here\\nline one is here\\nline\n' +
        '  one is here\\nline one is here\\n"\n',
    );
  });
});

describe('dumpYaml: complex keys', () => {
  it('keys of 122 chars are simple, 123 become `? key`', () => {
    expect(dumpYaml({ ['k'.repeat(122)]: 1 })).toBe(`${'k'.repeat(122)}: \n  1\n`);
    expect(dumpYaml({ ['k'.repeat(123)]: 1 })).toBe(`? ${'k'.repeat(123)}\n: 1\n`);
  });
  it('long dvclive plot path in a plots list', () => {
    const key = `dvclive/plots/metrics/${'n'.repeat(110)}.tsv`;
    expect(dumpYaml({ plots: [{ [key]: { x: 'step' } }] })).toBe(
      `plots:\n- ? ${key}\n  : x: step\n`,
    );
  });
  it('complex keys fold at spaces', () => {
    const key = `${'x'.repeat(125)} tail ${'y'.repeat(10)}`;
    expect(dumpYaml({ [key]: { a: 1 } })).toBe(
      `? ${'x'.repeat(125)}\n  tail ${'y'.repeat(10)}\n: a: 1\n`,
    );
  });
  it('multi-line keys are complex and double-quoted', () => {
    expect(dumpYaml({ 'a\nb': 1 })).toBe('? "a\\nb"\n: 1\n');
  });
});

describe('dumpYaml: structure', () => {
  it('nested sequences and mappings', () => {
    expect(dumpYaml([[1, 2], [[3]], { a: [[], {}] }, [{ b: null }]])).toBe(
      '- - 1\n  - 2\n- - - 3\n- a:\n  - []\n  - {}\n- - b:\n',
    );
  });
  it('empty root mapping and list', () => {
    expect(dumpYaml({})).toBe('{}\n');
    expect(dumpYaml([])).toBe('[]\n');
    expect(dumpYaml({ k: [], m: {} })).toBe('k: []\nm: {}\n');
  });
  it('null values and null list items', () => {
    expect(dumpYaml({ p: null, q: [null, 1] })).toBe('p:\nq:\n- \n- 1\n');
  });
  it('skips undefined object values', () => {
    expect(dumpYaml({ a: 1, b: undefined, c: 2 })).toBe('a: 1\nc: 2\n');
  });
  it('keeps Map insertion order even for integer-like keys', () => {
    expect(
      dumpYaml(
        new Map([
          ['b', 1],
          ['10', 2],
          ['2', 3],
        ]),
      ),
    ).toBe("b: 1\n'10': 2\n'2': 3\n");
  });
  it('root scalars get an explicit document end when plain', () => {
    expect(dumpYaml('plain root')).toBe('plain root\n...\n');
    expect(dumpYaml(null)).toBe('null\n...\n');
    expect(dumpYaml('123')).toBe("'123'\n");
  });
  it('emits unicode raw and escapes what YAML cannot hold', () => {
    expect(dumpYaml({ k: 'café 日本' })).toBe('k: café 日本\n');
    expect(dumpYaml({ k: "it's\tx\u00e9\u{1F600}\x7f\ufeff" })).toBe(
      'k: "it\'s\\txé\u{1F600}\\x7F\\uFEFF"\n',
    );
  });
  it('numbers: ints, floats, PyFloat, bigint', () => {
    expect(dumpYaml({ a: 3, b: 0.5, c: new PyFloat(2), d: 10n ** 20n, e: 2 ** 53, f: -0 })).toBe(
      'a: 3\nb: 0.5\nc: 2.0\nd: 100000000000000000000\ne: 9007199254740992.0\nf: 0\n',
    );
  });
});
