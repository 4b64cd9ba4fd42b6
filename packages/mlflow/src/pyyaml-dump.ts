/**
 * The YAML MLflow writes: PyYAML's `yaml.safe_dump(d, default_flow_style=False)` (MLmodel,
 * python_env.yaml) and `yaml.dump(d, indent=2, default_flow_style=False)` (`log_dict`). Both
 * leave `allow_unicode` off, so every string with a character outside printable ASCII is
 * double-quoted with escapes.
 *
 * The emitter is the `yaml` package with its YAML 1.1 schema; what PyYAML reads differently from
 * that package is settled here, on the scalars only:
 * - floats are written as PyYAML's `represent_float` writes them (`1.0e-05`, `.nan`): PyYAML's
 *   float resolver wants a `.` and a signed exponent, so `1e-05` would load back as a string;
 * - a string any PyYAML resolver would claim (`yes`, `on`, `~`, `0x1F`, `1_000`, `=`, dates …)
 *   is quoted: PyYAML's own patterns are given to the `yaml` package as its `compat` schema;
 * - strings with characters PyYAML will not write raw (tabs, controls, non-ASCII) are
 *   double-quoted, those characters escaped;
 * - a JS `Date` is a UTC timestamp as `datetime.isoformat(' ')` prints it;
 * - long plain and single-quoted scalars fold where PyYAML folds them (`pyyaml-fold.ts`).
 * Where the bytes still differ from PyYAML's, both load back the same: a key of 123 characters
 * or more, or with a line break, stays an implicit (quoted) key where PyYAML writes `? key`;
 * long double-quoted scalars are not folded; `"it's"` where PyYAML writes `'it''s'`.
 */

import { comparePyStr, isPyInt, PyFloat, pyFloatRepr } from '@trove/core/dialect';
import { Document, Scalar, type ScalarTag, type Tags } from 'yaml';
import { pyYamlFold } from './pyyaml-fold.js';

/** PyYAML's implicit resolvers (resolver.py), each as the strings it claims. */
const PYYAML_RESOLVERS: readonly [tag: string, test: RegExp][] = [
  ['bool', /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/],
  [
    'float',
    /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  ],
  [
    'int',
    /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  ],
  ['merge', /^(?:<<)$/],
  ['null', /^(?:~|null|Null|NULL|)$/],
  [
    'timestamp',
    /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
  ],
  // SafeLoader has no constructor for `=`: a plain `=` fails to load at all.
  ['value', /^(?:=)$/],
];

/** Python's `re.match(r'…$')` also matches before a final newline. */
const withFinalNewline = (re: RegExp) => new RegExp(re.source.replace(/\$$/, '\\n?$'));

/**
 * Used only to decide quoting: a plain scalar matching one of these is quoted. PyYAML also
 * quotes anything starting like a document marker (`---`, `...`), wherever it stands.
 */
const PYYAML_COMPAT: ScalarTag[] = [
  ...PYYAML_RESOLVERS.map(([name, test]): [string, RegExp] => [
    `tag:yaml.org,2002:${name}`,
    withFinalNewline(test),
  ]),
  ['tag:trove,2026:document-marker', /^(?:---|\.\.\.)/] as [string, RegExp],
].map(([tag, test]) => ({ tag, default: true, test, resolve: (s: string) => s }));

/** What PyYAML's `analyze_scalar` calls special with `allow_unicode=False`. */
const NOT_PLAIN_ASCII = /[^\n\x20-\x7e]/u;

/** PyYAML's `ESCAPE_REPLACEMENTS` for the characters the `yaml` package leaves raw. */
const SHORT_ESCAPES: ReadonlyMap<number, string> = new Map([
  [0x85, 'N'],
  [0xa0, '_'],
  [0x2028, 'L'],
  [0x2029, 'P'],
]);

/** PyYAML's escape for one character in a double-quoted scalar (`\xE9`, `\u4E2D`, `\U0001F600`). */
function escapeChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  const short = SHORT_ESCAPES.get(cp);
  if (short !== undefined) return `\\${short}`;
  const hex = cp.toString(16).toUpperCase();
  if (cp <= 0xff) return `\\x${hex.padStart(2, '0')}`;
  if (cp <= 0xffff) return `\\u${hex.padStart(4, '0')}`;
  return `\\U${hex.padStart(8, '0')}`;
}

/** PyYAML `represent_float`: `repr`, lower case, `.0` before a bare exponent. */
function pyYamlFloat(x: number): string {
  if (Number.isNaN(x)) return '.nan';
  if (x === Number.POSITIVE_INFINITY) return '.inf';
  if (x === Number.NEGATIVE_INFINITY) return '-.inf';
  const repr = pyFloatRepr(x).toLowerCase();
  return repr.includes('.') || !repr.includes('e') ? repr : repr.replace('e', '.0e');
}

/** Python `datetime.isoformat(' ')` of the instant in UTC (PyYAML `represent_datetime`). */
function pyYamlTimestamp(d: Date): string {
  const year = d.getUTCFullYear();
  if (Number.isNaN(d.getTime()) || year < 1 || year > 9999)
    throw new TypeError('cannot represent a Date outside years 1-9999 as a Python datetime');
  const iso = d.toISOString(); // 2024-01-02T10:00:00.123Z
  const ms = iso.slice(20, 23);
  const base = `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
  return `${base}${ms === '000' ? '' : `.${ms}000`}+00:00`;
}

/** JS numbers that are Python floats: not integral, too large for an exact int, or `-0`. */
const isPyFloat = (v: unknown) =>
  v instanceof PyFloat || (typeof v === 'number' && (!isPyInt(v) || Object.is(v, -0)));

const FLOAT_TAG: ScalarTag = {
  tag: 'tag:yaml.org,2002:float',
  identify: isPyFloat,
  default: true,
  resolve: (s: string) => Number.parseFloat(s),
  stringify: ({ value }) => pyYamlFloat(value instanceof PyFloat ? value.value : Number(value)),
};

const TIMESTAMP_TAG: ScalarTag = {
  tag: 'tag:yaml.org,2002:timestamp',
  identify: (v) => v instanceof Date,
  default: true,
  resolve: (s: string) => new Date(s),
  stringify: ({ value }, ctx) => pyYamlFold(pyYamlTimestamp(value as Date), ctx, false),
};

/**
 * The tags PyYAML's safe dumper writes with. The `yaml` package's own patterns are dropped:
 * which strings need quotes is PyYAML's to say ({@link PYYAML_COMPAT}), and its 1.1 extras
 * (merge keys, sexagesimal numbers, binary, sets) are not what `safe_dump` writes plain data as.
 */
function pyYamlTags(all: Tags): Tags {
  const tags = all.filter((t) => typeof t === 'object');
  const pick = (tag: string, identify: unknown) => {
    const found = tags.find(
      (t): t is ScalarTag =>
        t.tag === `tag:yaml.org,2002:${tag}` &&
        !t.format &&
        'identify' in t &&
        t.identify?.(identify) === true,
    );
    if (found === undefined) throw new Error(`the yaml package has no ${tag} tag`);
    const { test: _patternsArePyYamls, ...rest } = found;
    return rest;
  };
  const str = pick('str', '');
  const base = str.stringify;
  if (base === undefined) throw new Error('the yaml package cannot write strings');
  const strTag: ScalarTag = {
    ...str,
    stringify(item, ctx, onComment, onChompKeep) {
      const value = String(item.value);
      if (!NOT_PLAIN_ASCII.test(value)) {
        const text = base(item, ctx, onComment, onChompKeep);
        return text.startsWith('"') ? text : pyYamlFold(text, ctx, text.startsWith("'"));
      }
      // Only the scalar's own characters are outside ASCII (line breaks the package folds in
      // are `\n`), so escaping them all is what PyYAML's `write_double_quoted` does.
      const double = item.clone() as Scalar;
      double.type = Scalar.QUOTE_DOUBLE;
      const quoted = base(double, ctx, onComment, onChompKeep);
      return quoted.replace(/[^\n\x20-\x7e]/gu, escapeChar);
    },
  };
  const collections = tags.filter(
    (t) =>
      'nodeClass' in t && (t.tag === 'tag:yaml.org,2002:map' || t.tag === 'tag:yaml.org,2002:seq'),
  );
  return [
    ...collections,
    strTag,
    pick('null', null),
    pick('bool', true),
    pick('bool', false),
    // Before the int tag, which also claims -0 (a float in Python).
    FLOAT_TAG,
    pick('int', 1),
    TIMESTAMP_TAG,
  ];
}

export interface PyYamlDumpOptions {
  /** PyYAML's `sort_keys` (default true): keys in Python's `str` order. */
  sortKeys?: boolean;
}

/**
 * Writes plain data (objects with string keys, arrays, strings, numbers, bigints, booleans,
 * null, `Date`, {@link PyFloat}) as PyYAML's block-style dump with `allow_unicode=False` does, so
 * `yaml.safe_load` gives back the same values. Properties whose value is `undefined` are left
 * out; anything else that is not plain data throws a `TypeError`.
 *
 * @example pyYamlDump({ lr: 0.00001, on: 'yes' }) // "lr: 1.0e-05\n'on': 'yes'\n"
 */
export function pyYamlDump(value: unknown, options: PyYamlDumpOptions = {}): string {
  const doc = new Document(pyYamlData(value), {
    version: '1.1',
    customTags: pyYamlTags,
    // PyYAML would write `&id001`/`*id001` for an object met twice; a copy loads back the same.
    aliasDuplicateObjects: false,
    compat: PYYAML_COMPAT,
    sortMapEntries:
      options.sortKeys !== false &&
      ((a, b) => comparePyStr(String((a.key as Scalar).value), String((b.key as Scalar).value))),
  });
  return doc.toString({
    indentSeq: false,
    singleQuote: true,
    blockQuote: false,
    // Folding is PyYAML's (pyYamlFold); `\n` stays an escape in double quotes, as PyYAML writes it.
    lineWidth: 0,
    doubleQuotedMinMultiLineLength: Number.POSITIVE_INFINITY,
  });
}

/**
 * A deep copy of plain data PyYAML's safe dumper can write (see {@link pyYamlDump}), without
 * the `undefined` properties; throws a `TypeError` naming the first value it cannot write.
 * Callers check with it before anything is written, and keep the copy from later changes.
 */
export function pyYamlData(value: unknown): unknown {
  return copyPlainData(value, [], new Set());
}

function copyPlainData(value: unknown, path: readonly string[], open: Set<object>): unknown {
  const where = () => (path.length === 0 ? 'the value' : path.join('.'));
  const t = typeof value;
  if (value === null || t === 'number' || t === 'bigint' || t === 'boolean') return value;
  if (t === 'string') {
    if (/\p{Cs}/u.test(value as string))
      throw new TypeError(`cannot write a string with a lone surrogate (${where()})`);
    return value;
  }
  if (value instanceof PyFloat) return value;
  if (value instanceof Date) {
    pyYamlTimestamp(value);
    return new Date(value.getTime());
  }
  if (t !== 'object') throw new TypeError(`cannot write ${t} as YAML (${where()})`);
  const obj = value as object;
  if (open.has(obj)) throw new TypeError(`cannot write a value that contains itself (${where()})`);
  const proto = Object.getPrototypeOf(obj);
  if (!Array.isArray(obj) && proto !== Object.prototype && proto !== null)
    throw new TypeError(`cannot write a ${proto?.constructor?.name ?? 'object'} (${where()})`);
  open.add(obj);
  try {
    if (Array.isArray(obj)) {
      return obj.map((item, i) => {
        if (item === undefined) throw new TypeError(`cannot write undefined (${where()}[${i}])`);
        return copyPlainData(item, [...path, String(i)], open);
      });
    }
    // fromEntries defines keys such as `__proto__` as own properties, as JSON.parse does.
    return Object.fromEntries(
      Object.entries(obj)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, copyPlainData(v, [...path, k], open)]),
    );
  } finally {
    open.delete(obj);
  }
}
