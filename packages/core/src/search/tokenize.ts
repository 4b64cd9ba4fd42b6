import { FilterError } from './filter-error.js';

/**
 * The tokenizer for filters and order-by items: one pass, no backtracking, so its time is linear
 * in the text. Quoted text is kept as written between its quotes, as MLflow keeps it: `\'` and
 * `''` do not end a string, and stay in the value as they are.
 */

type TokenType =
  | 'word'
  | 'number'
  | 'string'
  | 'dquote'
  | 'backtick'
  | 'op'
  | '('
  | ')'
  | ','
  | '.'
  | 'eof';

export interface Token {
  readonly type: TokenType;
  /** The word, number or operator as written; for quoted tokens, the text between the quotes. */
  readonly text: string;
  /** 1-based column of the token's first character. */
  readonly column: number;
}

/** Longer filters are refused: a bound on work and memory, far above any hand-written one. */
const MAX_FILTER_LENGTH = 100_000;

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const SPACE = /[ \t\r\n]/y;
const WORD = /[A-Za-z_][A-Za-z0-9_]*/y;
/** A key segment after a dot may start with a digit (`params.1st`). */
const SEGMENT = /[A-Za-z0-9_]+/y;
const NUMBER = /-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/y;
const OPERATOR = /<=|>=|<>|!=|==|=|<|>/y;

function match(re: RegExp, text: string, at: number): string | undefined {
  re.lastIndex = at;
  return re.exec(text)?.[0];
}

/** Splits `text` into tokens, ending with one `eof`; throws a `FilterError` on bad characters. */
export function tokenize(text: string): Token[] {
  if (text.length > MAX_FILTER_LENGTH) {
    throw new FilterError(
      text,
      MAX_FILTER_LENGTH + 1,
      `the filter is ${text.length} characters long, more than the ${MAX_FILTER_LENGTH} allowed`,
    );
  }
  const control = CONTROL.exec(text);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw new FilterError(text, control.index + 1, `unexpected control character U+${code}`);
  }
  const tokens: Token[] = [];
  let at = 0;
  while (at < text.length) {
    const space = match(SPACE, text, at);
    if (space) {
      at += space.length;
      continue;
    }
    const column = at + 1;
    const previous = tokens[tokens.length - 1];
    // Right after a name, a dot joins the next segment (`metrics.acc`); elsewhere `.5` is a number.
    const glued = previous !== undefined && previous.column + rawLength(previous) === column;
    const ch = text[at] as string;
    if (ch === '.' && glued && isName(previous)) {
      tokens.push({ type: '.', text: '.', column });
      at += 1;
      continue;
    }
    if (previous?.type === '.' && glued) {
      const segment = match(SEGMENT, text, at);
      if (segment) {
        tokens.push({ type: 'word', text: segment, column });
        at += segment.length;
        continue;
      }
    }
    if (ch === "'" || ch === '"' || ch === '`') {
      const end = closingQuote(text, at, ch);
      if (end < 0) {
        const what = ch === '`' ? 'backtick' : ch === '"' ? 'double quote' : 'quote';
        throw new FilterError(text, column, `unclosed ${what}: no matching ${ch}`);
      }
      const type = ch === '`' ? 'backtick' : ch === '"' ? 'dquote' : 'string';
      tokens.push({ type, text: text.slice(at + 1, end), column });
      at = end + 1;
      continue;
    }
    if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ type: ch, text: ch, column });
      at += 1;
      continue;
    }
    const found =
      ((ch === '-' || ch === '.' || (ch >= '0' && ch <= '9')) && match(NUMBER, text, at)) ||
      undefined;
    if (found) {
      tokens.push({ type: 'number', text: found, column });
      at += found.length;
      continue;
    }
    const word = match(WORD, text, at);
    if (word) {
      tokens.push({ type: 'word', text: word, column });
      at += word.length;
      continue;
    }
    const op = match(OPERATOR, text, at);
    if (op) {
      tokens.push({ type: 'op', text: op, column });
      at += op.length;
      continue;
    }
    throw new FilterError(text, column, `unexpected character ${JSON.stringify(ch)}`);
  }
  tokens.push({ type: 'eof', text: '', column: text.length + 1 });
  return tokens;
}

function isName(token: Token): boolean {
  return token.type === 'word' || token.type === 'backtick' || token.type === 'dquote';
}

/** How many characters of the text a token took (quoted tokens include their quotes). */
function rawLength(token: Token): number {
  const quoted = token.type === 'string' || token.type === 'dquote' || token.type === 'backtick';
  return token.text.length + (quoted ? 2 : 0);
}

/**
 * The index of the quote that closes the one at `at`, or -1. Inside '…' and "…", a backslash
 * takes the next character with it and a doubled quote stays inside (MLflow's SQL tokenizer);
 * backticks have no escapes.
 */
function closingQuote(text: string, at: number, quote: string): number {
  let i = at + 1;
  while (i < text.length) {
    const c = text[i];
    if (quote !== '`' && c === '\\') {
      i += 2;
      continue;
    }
    if (c === quote) {
      if (quote !== '`' && text[i + 1] === quote) {
        i += 2;
        continue;
      }
      return i;
    }
    i += 1;
  }
  return -1;
}
