/**
 * Reading what DVCLive wrote, the way Python reads it: a float stays a float (`1.0` loads as
 * `PyFloat(1)`, so it is written back as `1.0`), `NaN`/`Infinity` are accepted in JSON.
 */

import { TroveError } from '@trove/core';
import { PyFloat } from '@trove/core/dialect';
import { isMap, isScalar, isSeq, type Node, parseDocument } from 'yaml';

/** Python `json.loads`: numbers with a fraction or exponent become `PyFloat`. */
export function loadJsonPy(text: string, file: string): unknown {
  let i = 0;
  const fail = (): never => {
    throw new TroveError('CORRUPT', `${file} is not valid JSON (at offset ${i}).`, { key: file });
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text.charAt(i))) i++;
  };
  const value = (): unknown => {
    ws();
    const c = text.charAt(i);
    if (c === '{') {
      i++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text.charAt(i) === '}') {
        i++;
        return obj;
      }
      for (;;) {
        ws();
        const key = value();
        if (typeof key !== 'string') fail();
        ws();
        if (text.charAt(i++) !== ':') fail();
        obj[key as string] = value();
        ws();
        const next = text.charAt(i++);
        if (next === '}') return obj;
        if (next !== ',') fail();
      }
    }
    if (c === '[') {
      i++;
      const arr: unknown[] = [];
      ws();
      if (text.charAt(i) === ']') {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(value());
        ws();
        const next = text.charAt(i++);
        if (next === ']') return arr;
        if (next !== ',') fail();
      }
    }
    if (c === '"') {
      const start = i;
      i++;
      while (i < text.length && text.charAt(i) !== '"') i += text.charAt(i) === '\\' ? 2 : 1;
      i++;
      try {
        return JSON.parse(text.slice(start, i)) as string;
      } catch {
        return fail();
      }
    }
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
      ['NaN', new PyFloat(Number.NaN)],
      ['Infinity', new PyFloat(Number.POSITIVE_INFINITY)],
      ['-Infinity', new PyFloat(Number.NEGATIVE_INFINITY)],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) return fail();
    i += m[0].length;
    const n = Number(m[0]);
    return m[1] !== undefined || m[2] !== undefined ? new PyFloat(n) : n;
  };
  const out = value();
  ws();
  if (i !== text.length) fail();
  return out;
}

/** ruamel's safe loader as far as DVCLive files need: floats stay floats, order is kept. */
export function loadYamlPy(text: string, file: string): unknown {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    throw new TroveError('CORRUPT', `${file} is not valid YAML: ${doc.errors[0]?.message}`, {
      key: file,
      cause: doc.errors[0],
    });
  }
  return doc.contents ? fromNode(doc.contents) : null;
}

export function fromNode(node: unknown): unknown {
  if (isMap(node)) {
    const obj: Record<string, unknown> = {};
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      obj[key] = fromNode(pair.value);
    }
    return obj;
  }
  if (isSeq(node)) return node.items.map((n) => fromNode(n));
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v === 'number') {
      const src = (node as Node & { source?: string }).source ?? '';
      if (/[.eE]|inf|nan/i.test(src) && !/^[-+]?0x/i.test(src)) return new PyFloat(v);
    }
    return v;
  }
  return node ?? null;
}
