/**
 * Byte-exact emulation of the YAML that DVC / DVCLive write.
 *
 * Both use ruamel.yaml's round-trip dumper with `default_flow_style = False`
 * (spec: dvc-formats.md §0.1). Its output depends on emitter state that a
 * "pretty printer" would not track — the current column, whether the last
 * thing written was whitespace or an indentation indicator, the indent stack —
 * so this module keeps the same state and makes the same decisions at the same
 * points. Only the subset reachable from plain data is modelled: block
 * mappings and sequences, empty `[]`/`{}`, and scalars; no comments, anchors,
 * tags or non-empty flow collections.
 *
 * Widths are counted in code points because Python's `len()` does.
 */

import { isPyInt, mappingEntries, PyFloat, pyFloatRepr } from './py-format.js';

/** ruamel `best_width`: where plain and quoted scalars start wrapping. */
const BEST_WIDTH = 80;
/** ruamel `best_map_indent` / `best_sequence_indent` (both default 2). */
const INDENT_STEP = 2;
/** ruamel `MAX_SIMPLE_KEY_LENGTH`; the key's `!!str` tag counts towards it. */
const MAX_SIMPLE_KEY_LENGTH = 128;
const STR_TAG_LENGTH = '!!str'.length;

/** Characters YAML treats as line breaks when analysing/writing scalars. */
const LINE_BREAKS = new Set(['\n', '\x85', '\u2028', '\u2029']);
/** What counts as whitespace around an indicator character (`: `, ` #`). */
const WHITESPACE = new Set(['\0', ' ', '\t', '\r', '\n', '\x85', '\u2028', '\u2029']);
/** Characters that cannot start a plain scalar. */
const LEADING_INDICATORS = new Set([...'#,[]{}&*!|>\'"%@`']);

/**
 * YAML 1.2 implicit resolvers of ruamel (resolver.py). A string that any of
 * these match would load back as a non-string, so it must be quoted.
 * ruamel only tries the resolvers registered for the first character.
 */
const IMPLICIT_RESOLVERS: readonly { first: readonly string[]; re: RegExp }[] = [
  { first: [...'tTfF'], re: /^(?:true|True|TRUE|false|False|FALSE)$/ },
  {
    first: [...'-+0123456789.'],
    re: /^(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  },
  {
    first: [...'-+0123456789'],
    re: /^(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)$/,
  },
  { first: ['<'], re: /^<<$/ },
  { first: ['~', 'n', 'N', ''], re: /^(?:~|null|Null|NULL|)$/ },
  {
    first: [...'0123456789'],
    re: /^(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{4}-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9]{2})?))?)$/,
  },
  { first: ['='], re: /^=$/ },
  { first: [...'!&*'], re: /^(?:!|&|\*)$/ },
];

/** Python `re.match(r'...$')`: `$` also matches just before a final newline. */
function pyFullMatch(re: RegExp, s: string): boolean {
  return re.test(s) || (s.endsWith('\n') && re.test(s.slice(0, -1)));
}

/** True when the string, written plain, would load back as a string. */
function resolvesAsString(s: string): boolean {
  const first = s === '' ? '' : (s[0] ?? '');
  return !IMPLICIT_RESOLVERS.some((r) => r.first.includes(first) && pyFullMatch(r.re, s));
}

/** The facts from ruamel `analyze_scalar` that matter in block context. */
interface ScalarAnalysis {
  readonly empty: boolean;
  readonly multiline: boolean;
  readonly allowBlockPlain: boolean;
  readonly allowSingleQuoted: boolean;
}

/** Printable without escaping when unicode output is allowed (ruamel's list). */
function isPrintable(ch: string): boolean {
  const cp = ch.codePointAt(0) ?? 0;
  if (ch === '\n' || (cp >= 0x20 && cp <= 0x7e)) return true;
  if (cp === 0xfeff) return false;
  return (
    cp === 0x85 ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

/** Whether `ch` at position `i` makes a plain scalar ambiguous with YAML syntax. */
function isBlockIndicator(cps: readonly string[], i: number, followedByWs: boolean): boolean {
  const ch = cps[i] ?? '';
  if (i === 0) {
    if (LEADING_INDICATORS.has(ch)) return true;
    return (ch === '?' || ch === ':' || ch === '-') && followedByWs;
  }
  if (ch === ':') return followedByWs;
  return ch === '#' && WHITESPACE.has(cps[i - 1] ?? '');
}

/** Whitespace placement that rules out plain (and sometimes single-quoted) style. */
function whitespaceFlags(cps: readonly string[]) {
  let edge = false; // leading/trailing space or break
  let spaceNextToBreak = false; // ` \n` or `\n `
  let prevSpace = false;
  let prevBreak = false;
  const last = cps.length - 1;
  cps.forEach((ch, i) => {
    const isSpace = ch === ' ';
    const isBreak = LINE_BREAKS.has(ch);
    if ((isSpace || isBreak) && (i === 0 || i === last)) edge = true;
    if ((isSpace && prevBreak) || (isBreak && prevSpace)) spaceNextToBreak = true;
    prevSpace = isSpace;
    prevBreak = isBreak;
  });
  return { edge, spaceNextToBreak };
}

/** ruamel `analyze_scalar`, reduced to block context with allow_unicode on. */
function analyzeScalar(cps: readonly string[]): ScalarAnalysis {
  if (cps.length === 0) {
    return { empty: true, multiline: false, allowBlockPlain: true, allowSingleQuoted: true };
  }
  const head = cps.slice(0, 3).join('');
  let indicators = head === '---' || head === '...';
  let lineBreaks = false;
  let special = false;
  for (let i = 0; i < cps.length; i++) {
    const ch = cps[i] ?? '';
    const next = cps[i + 1];
    const followedByWs = next === undefined || WHITESPACE.has(next);
    if (isBlockIndicator(cps, i, followedByWs)) indicators = true;
    if (LINE_BREAKS.has(ch)) lineBreaks = true;
    if (!isPrintable(ch)) special = true;
  }
  const { edge, spaceNextToBreak } = whitespaceFlags(cps);
  const allowSingleQuoted = !special && !spaceNextToBreak;
  return {
    empty: false,
    multiline: lineBreaks,
    allowBlockPlain: allowSingleQuoted && !edge && !lineBreaks && !indicators,
    allowSingleQuoted,
  };
}

/** ruamel's double-quote escapes that have a short form. */
const DQ_ESCAPES: ReadonlyMap<string, string> = new Map([
  ['\0', '0'],
  ['\x07', 'a'],
  ['\b', 'b'],
  ['\t', 't'],
  ['\n', 'n'],
  ['\v', 'v'],
  ['\f', 'f'],
  ['\r', 'r'],
  ['\x1b', 'e'],
  ['"', '"'],
  ['\\', '\\'],
  ['\x85', 'N'],
  ['\xa0', '_'],
  ['\u2028', 'L'],
  ['\u2029', 'P'],
]);

function needsDqEscape(ch: string): boolean {
  return (
    ch === '"' ||
    ch === '\\' ||
    ch === '\x85' ||
    ch === '\u2028' ||
    ch === '\u2029' ||
    ch === '\ufeff' ||
    ch === '\n' ||
    !isPrintable(ch)
  );
}

function dqEscape(ch: string): string {
  const short = DQ_ESCAPES.get(ch);
  if (short !== undefined) return `\\${short}`;
  const cp = ch.codePointAt(0) ?? 0;
  const hex = cp.toString(16).toUpperCase();
  if (cp <= 0xff) return `\\x${hex.padStart(2, '0')}`;
  if (cp <= 0xffff) return `\\u${hex.padStart(4, '0')}`;
  return `\\U${hex.padStart(8, '0')}`;
}

/**
 * A scalar after representation: its text and whether it is a Python `str`
 * (strings need quoting analysis; int/float/bool/null text is always plain).
 */
interface Scalar {
  readonly cps: readonly string[];
  readonly isStr: boolean;
}

type Style = 'plain' | 'single' | 'double';

/** Where a node sits; mirrors the context flags ruamel's `expect_node` sets. */
interface NodeCtx {
  readonly root?: boolean;
  readonly sequence?: boolean;
  readonly mapping?: boolean;
  readonly simpleKey?: boolean;
}

/** ruamel `represent_float`: repr, lower-cased, with YAML spellings of nan/inf. */
function yamlFloat(x: number): string {
  if (Number.isNaN(x)) return '.nan';
  if (x === Number.POSITIVE_INFINITY) return '.inf';
  if (x === Number.NEGATIVE_INFINITY) return '-.inf';
  return pyFloatRepr(x).toLowerCase();
}

function nativeScalar(text: string): Scalar {
  return { cps: [...text], isStr: false };
}

/** Maps a JS leaf value to the scalar text ruamel's representer would produce. */
function representScalar(value: unknown, root: boolean): Scalar {
  if (typeof value === 'string') return { cps: [...value], isStr: true };
  // Non-root None is an empty scalar (`p:`); at the root ruamel writes `null`.
  if (value === null) return nativeScalar(root ? 'null' : '');
  if (typeof value === 'boolean') return nativeScalar(value ? 'true' : 'false');
  if (typeof value === 'bigint') return nativeScalar(value.toString());
  if (typeof value === 'number')
    return nativeScalar(isPyInt(value) ? String(value) : yamlFloat(value));
  if (value instanceof PyFloat) return nativeScalar(yamlFloat(value.value));
  throw new TypeError(`cannot represent ${typeof value} as YAML`);
}

function isMapping(value: unknown): value is Map<unknown, unknown> | Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  if (value instanceof Map) return true;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** ruamel `choose_scalar_style` for an unstyled scalar in block context. */
function chooseStyle(s: Scalar, ctx: NodeCtx): Style {
  if (!s.isStr) return 'plain';
  const a = analyzeScalar(s.cps);
  const text = s.cps.join('');
  const keyForbidsPlain = ctx.simpleKey === true && (a.empty || a.multiline);
  if (resolvesAsString(text) && !keyForbidsPlain && a.allowBlockPlain) return 'plain';
  // Double quotes avoid doubling `'` and keep newlines readable as `\n`.
  if (text.includes("'") || text.includes('\n')) return 'double';
  if (a.allowSingleQuoted && !(ctx.simpleKey === true && a.multiline)) return 'single';
  return 'double';
}

class YamlEmitter {
  private readonly chunks: string[] = [];
  private column = 0;
  /** null until the root collection opens (ruamel's `indent = None`). */
  private indent: number | null = null;
  private readonly indents: { indent: number | null; seq: boolean | null }[] = [];
  /** Last character written was whitespace (so an indicator needs no space). */
  private whitespace = true;
  /** Only indentation and `-`/`?`/`:` indicators written on this line so far. */
  private indention = true;
  /** A root plain scalar needs an explicit `...` document end. */
  private openEnded = false;

  dumpDocument(value: unknown): string {
    this.node(value, { root: true });
    this.writeIndent();
    if (this.openEnded) {
      this.writeIndicator('...', true);
      this.writeIndent();
    }
    return this.chunks.join('');
  }

  private put(text: string, width: number): void {
    this.chunks.push(text);
    this.column += width;
  }

  private putCps(cps: readonly string[]): void {
    this.put(cps.join(''), cps.length);
  }

  private writeIndicator(
    indicator: string,
    needWhitespace: boolean,
    whitespace = false,
    indention = false,
  ): void {
    const data = this.whitespace || !needWhitespace ? indicator : ` ${indicator}`;
    this.whitespace = whitespace;
    this.indention = this.indention && indention;
    this.openEnded = false;
    this.put(data, [...data].length);
  }

  /** Moves to the current indent, breaking the line unless we are already there. */
  private writeIndent(): void {
    const indent = this.indent ?? 0;
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace)) {
      this.writeLineBreak();
    }
    if (this.column < indent) {
      this.whitespace = true;
      this.put(' '.repeat(indent - this.column), indent - this.column);
    }
  }

  private writeLineBreak(br = '\n'): void {
    this.whitespace = true;
    this.indention = true;
    this.chunks.push(br);
    this.column = 0;
  }

  /** ruamel `increase_indent`; scalars push a "flow" level so wrapped lines indent +2. */
  private increaseIndent(flow: boolean, seq: boolean | null, indentless = false): void {
    this.indents.push({ indent: this.indent, seq });
    if (this.indent === null) {
      this.indent = flow ? null : 0;
    } else if (!indentless) {
      this.indent += INDENT_STEP;
    }
  }

  private popIndent(): void {
    const top = this.indents.pop();
    this.indent = top === undefined ? null : top.indent;
  }

  /** Both this level and its parent are sequences (`- - x`). */
  private isSeqInSeq(): boolean {
    const n = this.indents.length;
    return n >= 2 && this.indents[n - 2]?.seq === true && this.indents[n - 1]?.seq === true;
  }

  private node(value: unknown, ctx: NodeCtx): void {
    if (Array.isArray(value)) this.sequence(value, ctx);
    else if (isMapping(value)) this.mapping(mappingEntries(value));
    else this.scalar(representScalar(value, ctx.root === true), ctx);
  }

  private sequence(items: readonly unknown[], ctx: NodeCtx): void {
    if (items.length === 0) {
      this.emptyFlow('[', ']', true);
      return;
    }
    // A sequence directly under a key is not indented (`outs:\n- a`).
    const indentless = ctx.mapping === true && !this.indention;
    this.increaseIndent(false, true, indentless);
    if (this.isSeqInSeq()) this.indention = true;
    for (const item of items) {
      if (item === undefined) throw new TypeError('cannot represent undefined as YAML');
      this.writeIndent();
      this.writeIndicator('-', true, false, true);
      this.node(item, { sequence: true });
    }
    this.popIndent();
  }

  private mapping(entries: readonly [string, unknown][]): void {
    if (entries.length === 0) {
      this.emptyFlow('{', '}', false);
      return;
    }
    this.increaseIndent(false, false);
    for (const [key, value] of entries) {
      this.writeIndent();
      const keyScalar: Scalar = { cps: [...key], isStr: true };
      if (this.isSimpleKey(keyScalar)) {
        this.scalar(keyScalar, { mapping: true, simpleKey: true });
        this.writeIndicator(':', false);
      } else {
        // Long or multi-line keys need the explicit `? key\n: value` form.
        this.writeIndicator('?', true, false, true);
        this.scalar(keyScalar, { mapping: true });
        this.writeIndent();
        this.writeIndicator(':', true, false, true);
      }
      this.node(value, { mapping: true });
    }
    this.popIndent();
  }

  private isSimpleKey(key: Scalar): boolean {
    const length = STR_TAG_LENGTH + key.cps.length;
    return length < MAX_SIMPLE_KEY_LENGTH && !analyzeScalar(key.cps).multiline;
  }

  /** Empty collections are the only flow-style nodes DVC's data produces. */
  private emptyFlow(open: string, close: string, isSeq: boolean): void {
    const pad = this.flowAlignment();
    this.writeIndicator(' '.repeat(Math.max(0, pad)) + open, true, true);
    this.increaseIndent(true, isSeq);
    if (isSeq && this.isSeqInSeq()) this.indention = true;
    this.popIndent();
    this.writeIndicator(close, false);
    this.writeLineBreak();
  }

  /** ruamel `Indents.seq_flow_align` (without comments); may be negative = no padding. */
  private flowAlignment(): number {
    const n = this.indents.length;
    const top = this.indents[n - 1];
    if (n < 2 || top === undefined || top.seq !== true) return 0;
    return (top.indent ?? 0) + INDENT_STEP - this.column - 1;
  }

  private scalar(s: Scalar, ctx: NodeCtx): void {
    const style = chooseStyle(s, ctx);
    this.increaseIndent(true, null);
    // Items of a block sequence get their `- ` spacing from this indent.
    if (ctx.sequence === true) this.writeIndent();
    const split = ctx.simpleKey !== true;
    if (style === 'plain') this.writePlain(s.cps, split, ctx.root === true);
    else if (style === 'single') this.writeSingleQuoted(s.cps, split);
    else this.writeDoubleQuoted(s.cps, split);
    this.popIndent();
  }

  /**
   * ruamel `write_plain`. Two wrapping rules (ruamel >= 0.18.13): a word that
   * would cross column 80 starts a new line (when not already at the indent),
   * and a single space reached at column >= 80 becomes a line break.
   */
  private writePlain(cps: readonly string[], split: boolean, root: boolean): void {
    if (root) this.openEnded = true;
    if (cps.length === 0) return;
    if (!this.whitespace) this.put(' ', 1);
    this.whitespace = false;
    this.indention = false;
    let spaces = false;
    let start = 0;
    for (let end = 0; end <= cps.length; end++) {
      const ch = cps[end];
      if (spaces) {
        if (ch !== ' ') {
          if (start + 1 === end && this.column >= BEST_WIDTH && split) this.breakInsideScalar();
          else this.putCps(cps.slice(start, end));
          start = end;
        }
      } else if (ch === undefined || ch === ' ') {
        const word = cps.slice(start, end);
        if (
          word.length + this.column > BEST_WIDTH &&
          this.indent !== null &&
          this.column > this.indent
        ) {
          this.writeIndent();
        }
        this.putCps(word);
        start = end;
      }
      spaces = ch === ' ';
    }
  }

  private breakInsideScalar(): void {
    this.writeIndent();
    this.whitespace = false;
    this.indention = false;
  }

  /** ruamel `write_single_quoted`: folds at single spaces past column 80, keeps breaks. */
  private writeSingleQuoted(cps: readonly string[], split: boolean): void {
    this.writeIndicator("'", true);
    let spaces = false;
    let breaks = false;
    let start = 0;
    for (let end = 0; end <= cps.length; end++) {
      const ch = cps[end];
      if (spaces) {
        if (ch !== ' ') {
          const fold =
            start + 1 === end &&
            this.column > BEST_WIDTH &&
            split &&
            start !== 0 &&
            end !== cps.length;
          if (fold) this.writeIndent();
          else this.putCps(cps.slice(start, end));
          start = end;
        }
      } else if (breaks) {
        if (ch === undefined || !LINE_BREAKS.has(ch)) {
          this.writeBreakRun(cps.slice(start, end));
          this.writeIndent();
          start = end;
        }
      } else if (ch === undefined || ch === ' ' || ch === "'" || LINE_BREAKS.has(ch)) {
        if (start < end) {
          this.putCps(cps.slice(start, end));
          start = end;
        }
      }
      if (ch === "'") {
        this.put("''", 2);
        start = end + 1;
      }
      if (ch !== undefined) {
        spaces = ch === ' ';
        breaks = LINE_BREAKS.has(ch);
      }
    }
    this.writeIndicator("'", false);
  }

  /** In flow scalars one line break folds to a space, so `\n` needs an extra blank line. */
  private writeBreakRun(run: readonly string[]): void {
    if (run[0] === '\n') this.writeLineBreak();
    for (const br of run) this.writeLineBreak(br);
  }

  /** ruamel `write_double_quoted`, including its backslash-continuation folding. */
  private writeDoubleQuoted(cps: readonly string[], split: boolean): void {
    this.writeIndicator('"', true);
    let start = 0;
    for (let end = 0; end <= cps.length; end++) {
      const ch = cps[end];
      if (ch === undefined || needsDqEscape(ch)) {
        if (start < end) {
          this.putCps(cps.slice(start, end));
          start = end;
        }
        if (ch !== undefined) {
          this.put(dqEscape(ch), dqEscape(ch).length);
          start = end + 1;
        }
      }
      const atFoldPoint = 0 < end && end < cps.length - 1 && (ch === ' ' || start >= end);
      if (atFoldPoint && this.column + (end - start) > BEST_WIDTH && split) {
        start = this.foldDoubleQuoted(cps, start, end);
      }
    }
    this.writeIndicator('"', false);
  }

  /** Breaks a double-quoted line at `end`; returns the new `start`. */
  private foldDoubleQuoted(cps: readonly string[], start: number, end: number): number {
    const needBackslash = this.dqNeedsBackslash(cps, start, end);
    const head = cps.slice(start, end);
    let next = Math.max(start, end);
    this.put(head.join('') + (needBackslash ? '\\' : ''), head.length + (needBackslash ? 1 : 0));
    this.writeIndent();
    this.whitespace = false;
    this.indention = false;
    if (cps[next] === ' ') {
      // Without a backslash the leading space would be eaten by folding, so
      // it is dropped here and reloaded from the line break; with one, it is
      // protected by writing `\` before it.
      if (needBackslash) this.put('\\', 1);
      else next += 1;
    }
    return next;
  }

  /**
   * ruamel decides whether a plain line break (which loads as a space) can
   * stand in for the space at the break point, or a `\` continuation is needed.
   */
  private dqNeedsBackslash(cps: readonly string[], start: number, end: number): boolean {
    let spacePos = cps.indexOf(' ', end);
    if (spacePos === -1) return true;
    const newline = cps.slice(end, spacePos).indexOf('\n');
    if (newline !== -1) spacePos = end + newline;
    if (cps[spacePos] === '\n') return true;
    const between = cps.slice(end, spacePos);
    const after = cps[spacePos + 1];
    return (
      between.includes('"') ||
      between.includes("'") ||
      after === undefined ||
      after === ' ' ||
      after === '\n' ||
      cps.slice(end - 1, end + 1).join('') === '  ' ||
      start === end
    );
  }
}

/**
 * Serialises plain data (objects/Maps with string keys in insertion order,
 * arrays, strings, numbers, bigints, booleans, null, {@link PyFloat}) exactly
 * as ruamel.yaml 0.19.1's round-trip dumper configured like DVC would.
 * Object properties whose value is `undefined` are skipped.
 */
export function dumpYaml(value: unknown): string {
  return new YamlEmitter().dumpDocument(value);
}
