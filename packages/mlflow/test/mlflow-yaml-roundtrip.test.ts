/**
 * MLflow's YAML read back by real MLflow: 400 generated dicts, each logged with `logDict` (a
 * `.yaml` file) and put in a model's `metadata` (MLmodel), are loaded with
 * `mlflow.artifacts.load_dict` and `mlflow.models.Model.load` in one Python process and compared
 * value for value, type for type (`'1e-05'` is not `1e-05`, `'yes'` is not `True`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isPyInt, PyFloat, pyFloatRepr } from '@trove/core/dialect';
import { beforeAll, describe, expect, it } from 'vitest';
import * as mlflow from '../src/index.js';
import { memoryStore, tempDir } from './helpers.js';
import { ensureMlflow, python } from './mlflow-python.js';

beforeAll(() => {
  ensureMlflow();
}, 900_000);

/** mulberry32: a small seeded generator, so a failing dict can be made again. */
function seeded(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[int(0, xs.length - 1)] as T;
  return { next, int, pick };
}
type Rng = ReturnType<typeof seeded>;

/** Strings YAML 1.1 (or YAML itself) would read as something else when written plain. */
// biome-ignore format: a table of cases reads better packed
const TRICKY = [
  'yes', 'Yes', 'YES', 'no', 'No', 'on', 'On', 'ON', 'off', 'Off', 'y', 'n', 'true', 'True',
  'FALSE', 'null', 'Null', 'NULL', '~', '', '1e3', '1e-05', '1.0', '.5', '1.', '0x1F', '012',
  '0o17', '0b101', '1_000', '09', '-0', '+1', '1:30', '190:20:30.15', '.inf', '-.inf', '.nan',
  '.NaN', '<<', '=', '2024-01-02', '2024-1-2 10:00:00', '2001-12-14t21:59:43.10-05:00',
  '2024-01-02 10:00:00.', '2002-12-14', ' lead', 'trail ', 'a: b', 'a:b', 'a #b', 'a#b', '#c',
  '- x', '-', '?', ':', '? x', '@x', '`x', '%x', '!x', '&x', '*x', '|', '>', ',', '[x]', '{x}',
  "it's", 'say "hi"', `both ' and "`, 'tab\tinside', 'back\\slash', '---', '...', '--- x',
  'line1\nline2', 'trailing newline\n', '\n', 'a\n\nb', ' \n ', 'x\n y', 'café', '中文', 'ключ',
  '😀 emoji', 'nul\0byte', 'bell\x07', 'del\x7f', 'nel\x85', 'nbsp\xa0', 'ls\u2028 ps\u2029',
  'bom\ufeff', 'cr\r\nlf', '  ', '\t',
];
// biome-ignore format: a table of cases reads better packed
const FLOATS = [
  1e-5, 1e20, 1e16, 1e-7, 1.5e-7, 0.1, -2.5, 1e300, 5e-324, Number.MAX_VALUE, -0, Number.NaN,
  Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 123456789.123, 1 / 3, 2 ** 53, -1e-300,
];
// biome-ignore format: a table of cases reads better packed
const ALPHABET = [
  ...'abcxyzABC0123456789 ', ...' :#-?,[]{}&*!|>\'"%@`~=<._\\/', '\n', '\t', 'é', '中', '😀',
  '\u2028', '\x85', '\0', '\x7f', '\ufeff', '\r',
];
const WORDS = ['lorem', 'ipsum', 'dolor', 'sit', 'amet', 'yes', 'no', '1e-05', 'x:', '#'];

function randomString(r: Rng): string {
  switch (r.int(0, 5)) {
    case 0:
    case 1:
      return r.pick(TRICKY);
    case 2: // long, folded by the writer
      return Array.from({ length: r.int(15, 60) }, () => r.pick(WORDS)).join(r.pick([' ', '  ']));
    case 3: // long without a space to fold at; past 1024 characters (escaped) a key is `? key`
      return r.pick(['w', 'w', 'w', 'é']).repeat(r.pick([r.int(81, 200), r.int(300, 1100)]));
    case 4: // multi-line
      return Array.from({ length: r.int(2, 5) }, () => r.pick(['', ' ', '  in', ...WORDS])).join(
        '\n',
      );
    default:
      return Array.from({ length: r.int(1, 30) }, () => r.pick(ALPHABET)).join('');
  }
}

function randomDate(r: Rng): Date {
  const d = new Date(r.int(-2e12, 4e12) - (r.next() < 0.5 ? r.int(0, 999) : 0));
  if (r.next() < 0.1) d.setUTCFullYear(r.int(1, 999));
  return d;
}

function randomLeaf(r: Rng): unknown {
  switch (r.int(0, 9)) {
    case 0:
      return r.pick(FLOATS);
    case 1:
      return (r.next() * 2 - 1) * 10 ** r.int(-30, 30);
    case 2:
      return r.pick([0, -1, 7, 2 ** 31, 2 ** 53 - 1, -(2 ** 53 - 1), r.int(-1e6, 1e6)]);
    case 3:
      return r.pick([
        true,
        false,
        null,
        2n ** 64n + BigInt(r.int(0, 99)),
        new PyFloat(r.int(-3, 3)),
      ]);
    case 4:
      return randomDate(r);
    default:
      return randomString(r);
  }
}

function randomValue(r: Rng, depth: number): unknown {
  const roll = r.next();
  if (depth < 3 && roll < 0.15) return randomDict(r, depth + 1);
  if (depth < 3 && roll < 0.3)
    return Array.from({ length: r.int(0, 4) }, () => randomValue(r, depth + 1));
  return randomLeaf(r);
}

function randomDict(r: Rng, depth: number): Record<string, unknown> {
  const entries = Array.from({ length: r.int(0, 7) }, (): [string, unknown] => [
    r.next() < 0.6 ? randomString(r) : `k${r.int(0, 99)}`,
    randomValue(r, depth),
  ]);
  return Object.fromEntries(entries);
}

/** The Python value each JS value stands for, spelled so the check below can build it. */
function expected(v: unknown): unknown {
  if (v === null) return ['none'];
  if (typeof v === 'boolean') return ['bool', v];
  if (typeof v === 'string') return ['str', v];
  if (typeof v === 'bigint') return ['int', v.toString()];
  if (v instanceof PyFloat) return ['float', pyFloatRepr(v.value)];
  if (typeof v === 'number')
    return isPyInt(v) && !Object.is(v, -0) ? ['int', String(v)] : ['float', pyFloatRepr(v)];
  if (v instanceof Date) return ['datetime', v.toISOString().replace('Z', '+00:00')];
  if (Array.isArray(v)) return ['list', v.map(expected)];
  return ['dict', Object.entries(v as object).map(([k, x]) => [k, expected(x)])];
}

/** Loads every dict as MLflow does and lists the ones that differ from what was logged. */
const CHECK = `
import sys, json, math, datetime, yaml
import mlflow.artifacts
from mlflow.models import Model
root, cases = sys.argv[1], json.load(open(sys.argv[2]))

def build(e):
    kind = e[0]
    if kind == 'none': return None
    if kind in ('bool', 'str'): return e[1]
    if kind == 'int': return int(e[1])
    if kind == 'float': return float(e[1])
    if kind == 'datetime': return datetime.datetime.fromisoformat(e[1])
    if kind == 'list': return [build(x) for x in e[1]]
    return {k: build(x) for k, x in e[1]}

def same(a, b):
    if type(a) is not type(b): return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))
    if isinstance(a, datetime.datetime): return a == b and a.utcoffset() == b.utcoffset()
    if isinstance(a, list): return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict): return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return a == b

bad, identical = [], {'log_dict': 0, 'MLmodel': 0}
for i, case in enumerate(cases):
    want = build(case)
    path = f'{root}/dicts/d{i}.yaml'
    try:
        got = mlflow.artifacts.load_dict(path)
        if not same(got, want): bad.append([i, 'load_dict', repr(got)[:300]])
        elif open(path, encoding='utf-8').read() == yaml.dump(want, indent=2, default_flow_style=False):
            identical['log_dict'] += 1
    except Exception as e:
        bad.append([i, 'load_dict', repr(e)[:300]])
    mlmodel = f'{root}/m{i}/MLmodel'
    try:
        got = Model.load(mlmodel).metadata
        if not same(got, want): bad.append([i, 'Model.load', repr(got)[:300]])
        else:
            text = open(mlmodel, encoding='utf-8').read()
            if text == yaml.safe_dump(yaml.safe_load(text), default_flow_style=False):
                identical['MLmodel'] += 1
    except Exception as e:
        bad.append([i, 'Model.load', repr(e)[:300]])
print(json.dumps({'bad': bad, 'identical': identical}))
`;

describe('MLflow YAML: logDict and MLmodel metadata read back by PyYAML and mlflow', () => {
  it('400 generated dicts load back equal with load_dict and Model.load', async () => {
    const r = seeded(17);
    const dicts = Array.from({ length: 400 }, () => randomDict(r, 0));
    const cwd = tempDir();
    mkdirSync(join(cwd, '.trove'));
    writeFileSync(join(cwd, 'weights.bin'), Buffer.alloc(16, 1));
    const run = await mlflow.startRun({ cwd, store: memoryStore() });
    // A dict refused here is a failure too; it is listed with the others instead of stopping.
    const refused: [number, string, string][] = [];
    const attempt = async (i: number, step: string, call: () => Promise<unknown>) => {
      try {
        await call();
      } catch (e) {
        refused.push([i, step, (e as Error).message]);
      }
    };
    const models: string[] = [];
    for (const [i, d] of dicts.entries()) {
      await attempt(i, 'logDict', () => mlflow.logDict(d, `dicts/d${i}.yaml`));
      await attempt(i, 'logModel', async () => {
        models.push(
          (await mlflow.logModel('weights.bin', { name: `m${i}`, metadata: d })).modelUri,
        );
      });
    }
    await mlflow.endRun();
    const root = await mlflow.downloadArtifacts({ runId: run.id, dstPath: tempDir() });
    // Logged models are not in the run (MLflow 3): each is downloaded beside, as m<i>/.
    for (const uri of models) await mlflow.downloadArtifacts({ artifactUri: uri, dstPath: root });
    const casesFile = join(tempDir(), 'cases.json');
    writeFileSync(casesFile, JSON.stringify(dicts.map(expected)));

    const out = JSON.parse(python(CHECK, [root, casesFile])) as {
      bad: [number, string, string][];
      identical: { log_dict: number; MLmodel: number };
    };
    const bad = [...refused, ...out.bad];
    const failing = (step: string) => new Set(bad.filter((b) => b[1] === step).map((b) => b[0]));
    const summary = (write: string, read: string) => {
      const refusedHere = failing(write);
      const differ = [...failing(read)].filter((i) => !refusedHere.has(i)).length;
      return `${refusedHere.size} refused, ${differ} written but read back different`;
    };
    // Reported, not required: how many files are byte for byte what PyYAML writes.
    process.stderr.write(
      `[mlflow yaml] of 400 dicts: logDict ${summary('logDict', 'load_dict')}; ` +
        `MLmodel metadata ${summary('logModel', 'Model.load')}; ` +
        `byte-identical to PyYAML's dump ${JSON.stringify(out.identical)}\n`,
    );
    expect(bad).toEqual([]);
  }, 300_000);
});
