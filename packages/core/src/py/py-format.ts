/**
 * Python-compatible number and JSON formatting.
 *
 * DVC and DVCLive are Python programs; every float they write goes through
 * `repr(float)` and every JSON file through `json.dumps`. To produce files that
 * are byte-identical to theirs we reproduce those two functions exactly
 * (spec: dvc-formats.md §0.2).
 */

/**
 * Marks a number as a Python `float` even when it is integral.
 *
 * JS has a single number type, so `1` and `1.0` are indistinguishable; Python
 * prints them differently (`1` vs `1.0`). Wrap a value in `PyFloat` wherever the
 * Python original would hold a float.
 */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** Largest magnitude below which an integral JS number is treated as a Python int. */
const MAX_EXACT_INT = 2 ** 53;

/**
 * CPython `repr(float)` (float_repr_style 'short').
 *
 * The digit string is the shortest one that round-trips, which is exactly what
 * `toExponential()` without an argument yields; only the layout differs from
 * JS (`1e-07` vs `1e-7`, `1.0` vs `1`, switch to exponent at 1e16 not 1e21).
 */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Number.POSITIVE_INFINITY) return 'inf';
  if (x === Number.NEGATIVE_INFINITY) return '-inf';
  // toExponential() drops the sign of -0, Python keeps it.
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  const [mantissa = '', exponent = '0'] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  // decpt: value = 0.DIGITS * 10**decpt, the quantity CPython's rule is stated in.
  const decpt = Number(exponent) + 1;
  return sign + layoutRepr(digits, decpt);
}

/** Applies CPython's fixed-vs-exponent decision to a shortest digit string. */
function layoutRepr(digits: string, decpt: number): string {
  if (decpt > -4 && decpt <= 16) {
    if (decpt <= 0) return `0.${'0'.repeat(-decpt)}${digits}`;
    if (decpt >= digits.length) return `${digits}${'0'.repeat(decpt - digits.length)}.0`;
    return `${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
  }
  const exp = decpt - 1;
  const expText = `${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  const head = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${head}e${expText}`;
}

/** True when a JS number should print as a Python int rather than a float. */
export function isPyInt(x: number): boolean {
  return Number.isInteger(x) && Math.abs(x) < MAX_EXACT_INT;
}

/** Python text of a number as JSON would write it (`allow_nan=True`). */
function jsonNumber(x: number, forceFloat: boolean): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Number.POSITIVE_INFINITY) return 'Infinity';
  if (x === Number.NEGATIVE_INFINITY) return '-Infinity';
  // String(-0) is '0', matching Python's int 0.
  if (!forceFloat && isPyInt(x)) return String(x);
  return pyFloatRepr(x);
}

/** Python's json ESCAPE_DCT entries that have a short form. */
const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/**
 * `json.encoder.py_encode_basestring_ascii`.
 *
 * Iterating UTF-16 code units (not code points) is deliberate: Python escapes
 * astral characters as a surrogate pair, which is exactly the unit sequence.
 */
export function pyJsonString(s: string): string {
  // Fast path: most names are printable ASCII with nothing to escape (100,000-entry manifests).
  if (!/[^\x20-\x7e]|["\\]/.test(s)) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s.charAt(i);
    const code = s.charCodeAt(i);
    const short = SHORT_ESCAPES[ch];
    if (short !== undefined) out += short;
    else if (code >= 0x20 && code <= 0x7e) out += ch;
    else out += `\\u${code.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}

/**
 * Compares strings by Unicode code point, as Python `str` ordering does.
 *
 * JS `<` compares UTF-16 units, which puts astral characters (surrogates
 * 0xD800-0xDFFF) before U+E000..U+FFFF; Python puts them after.
 */
export function comparePyStr(a: string, b: string): number {
  // Per UTF-16 unit, which is code point order except where a surrogate (an astral character)
  // meets U+E000..U+FFFF: there the surrogate side is the larger one.
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      const xs = x >= 0xd800 && x <= 0xdfff;
      const ys = y >= 0xd800 && y <= 0xdfff;
      if (xs !== ys) return xs ? 1 : -1;
      return x < y ? -1 : 1;
    }
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

export interface PyJsonOptions {
  /** Python `indent`; `undefined` means single-line output with `", "` separators. */
  readonly indent?: number;
  /** Python `sort_keys`; sorts by code point. */
  readonly sortKeys?: boolean;
}

/** Formatting state shared by the recursive encoder. */
interface JsonCtx {
  readonly indent: string | undefined;
  readonly sortKeys: boolean;
  readonly itemSep: string;
}

/** Plain-object test; class instances other than PyFloat/Map are rejected. */
function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Key/value pairs of a mapping in Python dict order. `undefined` values are
 * dropped because Python has no such value (mirrors JSON.stringify).
 */
export function mappingEntries(
  v: Map<unknown, unknown> | Record<string, unknown>,
): [string, unknown][] {
  const raw: [unknown, unknown][] = v instanceof Map ? [...v.entries()] : Object.entries(v);
  const out: [string, unknown][] = [];
  for (const [k, val] of raw) {
    if (typeof k !== 'string') throw new TypeError(`mapping keys must be strings, got ${typeof k}`);
    if (val !== undefined) out.push([k, val]);
  }
  return out;
}

/** Emits one value at nesting `level` (`json.encoder._make_iterencode`). */
function encodeJson(value: unknown, ctx: JsonCtx, level: number): string {
  if (value === null) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'string') return pyJsonString(value);
  if (typeof value === 'number') return jsonNumber(value, false);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof PyFloat) return jsonNumber(value.value, true);
  if (Array.isArray(value)) {
    return encodeJsonContainer('[', ']', value, ctx, level, (item) => {
      if (item === undefined) throw new TypeError('undefined is not JSON serializable');
      return encodeJson(item, ctx, level + 1);
    });
  }
  if (typeof value === 'object' && (value instanceof Map || isPlainObject(value))) {
    const entries = mappingEntries(value);
    if (ctx.sortKeys) entries.sort((a, b) => comparePyStr(a[0], b[0]));
    return encodeJsonContainer('{', '}', entries, ctx, level, ([k, v]) => {
      return `${pyJsonString(k)}: ${encodeJson(v, ctx, level + 1)}`;
    });
  }
  throw new TypeError(`Object of type ${typeof value} is not JSON serializable`);
}

/** Lays out a list or dict body; Python writes empty containers as `[]`/`{}` even when indenting. */
function encodeJsonContainer<T>(
  open: string,
  close: string,
  items: readonly T[],
  ctx: JsonCtx,
  level: number,
  encodeItem: (item: T) => string,
): string {
  if (items.length === 0) return open + close;
  const parts = items.map(encodeItem);
  if (ctx.indent === undefined) return open + parts.join(ctx.itemSep) + close;
  const inner = `\n${ctx.indent.repeat(level + 1)}`;
  const outer = `\n${ctx.indent.repeat(level)}`;
  return open + inner + parts.join(ctx.itemSep + inner) + outer + close;
}

/**
 * Python `json.dumps(value, indent=..., sort_keys=...)` with the remaining
 * defaults (`ensure_ascii=True`, `allow_nan=True`, default separators: `", "`
 * without indent, `","` with indent).
 */
export function pyJsonDumps(value: unknown, options: PyJsonOptions = {}): string {
  const indent = options.indent === undefined ? undefined : ' '.repeat(options.indent);
  const ctx: JsonCtx = {
    indent,
    sortKeys: options.sortKeys ?? false,
    itemSep: indent === undefined ? ', ' : ',',
  };
  return encodeJson(value, ctx, 0);
}

/** DVCLive `serialize.dump_json`: `json.dump(content, f, indent=4)` then a newline. */
export function dumpJsonDvclive(value: unknown): string {
  return `${pyJsonDumps(value, { indent: 4 })}\n`;
}
