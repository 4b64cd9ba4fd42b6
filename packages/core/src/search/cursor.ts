import type { FilterKey } from './ast.js';
import { FilterError } from './filter-error.js';
import { type AttributeType, type Grammar, PREFIX_NAMES, prefixKind, RUN_GRAMMAR } from './keys.js';
import { type Token, tokenize } from './tokenize.js';

/** A key as parsed: what it names, how it compares, and how the user wrote it (for messages). */
export interface ParsedKey {
  readonly key: FilterKey;
  readonly type: AttributeType | 'metric' | 'param' | 'tag';
  readonly written: string;
  readonly column: number;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'like', 'ilike', 'is', 'null', 'asc', 'desc']);

/** Walks the tokens of one filter or order-by item; every error names the text and a column. */
export class Cursor {
  readonly text: string;
  private readonly tokens: Token[];
  private index = 0;
  private readonly grammar: Grammar;

  constructor(text: string, grammar: Grammar = RUN_GRAMMAR) {
    this.text = text;
    this.tokens = tokenize(text);
    this.grammar = grammar;
  }

  peek(): Token {
    return this.tokens[this.index] as Token;
  }

  next(): Token {
    const token = this.peek();
    if (token.type !== 'eof') this.index += 1;
    return token;
  }

  /** True (and consumes it) when the next token is the keyword `word`, in any case. */
  keyword(word: string): boolean {
    const token = this.peek();
    if (token.type === 'word' && token.text.toLowerCase() === word) {
      this.index += 1;
      return true;
    }
    return false;
  }

  fail(token: Token, message: string): never {
    throw new FilterError(this.text, token.column, message);
  }

  /** `metrics.acc`, ``params.`a b` ``, `tags."x.y"`, or a bare attribute such as `run_name`. */
  key(): ParsedKey {
    const first = this.next();
    const named = first.type === 'word' || first.type === 'backtick';
    if (!named || (first.type === 'word' && KEYWORDS.has(first.text.toLowerCase()))) {
      this.fail(
        first,
        `expected a key (metrics.<name>, params.<name>, tags.<name> or an attribute) but found ${describe(first)}`,
      );
    }
    if (this.peek().type !== '.') {
      const found = this.grammar.attributes.get(first.text);
      if (!found) {
        this.fail(
          first,
          `unknown key '${first.text}': expected ${PREFIX_NAMES} before a name, or one of the attributes ${this.grammar.names}`,
        );
      }
      return this.made({ kind: 'attribute', name: found[0] }, found[1], first.text, first);
    }
    const kind = prefixKind(first.text);
    if (!kind) this.fail(first, `unknown prefix '${first.text}.': expected ${PREFIX_NAMES}`);
    this.next();
    const name = this.name(first.text);
    const written = `${first.text}.${name}`;
    if (kind !== 'attribute') return this.made({ kind, name }, kind, written, first);
    const found = this.grammar.attributes.get(name);
    if (!found) {
      this.fail(first, `unknown attribute '${name}': expected one of ${this.grammar.names}`);
    }
    return this.made({ kind: 'attribute', name: found[0] }, found[1], written, first);
  }

  private made(key: FilterKey, type: ParsedKey['type'], written: string, first: Token): ParsedKey {
    return { key, type, written, column: first.column };
  }

  /** The name after a prefix: quoted, or plain segments joined by dots (`params.a.b`). */
  private name(prefix: string): string {
    const token = this.next();
    if (token.type === 'backtick' || token.type === 'dquote') {
      if (token.text === '') this.fail(token, `empty name after '${prefix}.'`);
      return token.text;
    }
    if (token.type !== 'word') {
      this.fail(token, `expected a name after '${prefix}.' but found ${describe(token)}`);
    }
    let name = token.text;
    while (this.peek().type === '.') {
      this.next();
      const more = this.next();
      if (more.type !== 'word') {
        this.fail(more, `expected a name after '${prefix}.${name}.' but found ${describe(more)}`);
      }
      name += `.${more.text}`;
    }
    return name;
  }
}

/** A token as a message shows it. */
export function describe(token: Token): string {
  switch (token.type) {
    case 'eof':
      return 'the end of the filter';
    case 'string':
      return `the string '${token.text}'`;
    case 'dquote':
      return `"${token.text}"`;
    case 'backtick':
      return `\`${token.text}\``;
    case 'number':
      return `the number ${token.text}`;
    default:
      return `'${token.text}'`;
  }
}
