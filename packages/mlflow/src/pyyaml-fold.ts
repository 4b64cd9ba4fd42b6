/**
 * PyYAML's line folding, for the scalars {@link pyYamlDump} writes with the `yaml` package.
 *
 * Both break long plain and quoted scalars at single spaces, but at different places: the
 * `yaml` package keeps a line within the width, PyYAML (`write_plain`, `write_single_quoted`)
 * breaks at the first single space met once the column is past 80, so a line ends with the
 * word that crossed it. MLmodel files are compared byte for byte with what PyYAML writes, so the
 * package's folding is switched off and this one applied to the unfolded scalar.
 */
import type { ScalarTag } from 'yaml';

/** The `yaml` package's context for one stringify call (its type is not exported by name). */
export type StringifyContext = Parameters<NonNullable<ScalarTag['stringify']>>[1];

/** PyYAML's `best_width`. */
const BEST_WIDTH = 80;

/** Where a scalar's stringify call sits: the column it starts at, and whether PyYAML may fold it. */
interface ScalarPlace {
  readonly column: number;
  readonly split: boolean;
}

/**
 * The column a scalar starts at in the `yaml` package's block output. A mapping value's context
 * carries `indentAtStart` (its key and `: `, counted from the mapping's indent, one step less than
 * the context's); a sequence item starts at its context's indent. Simple keys are never folded.
 */
function placeOf(ctx: StringifyContext): ScalarPlace {
  if (ctx.implicitKey === true) return { column: 0, split: false };
  if (ctx.indentAtStart === undefined) return { column: ctx.indent.length, split: true };
  const mappingIndent = ctx.indent.length - ctx.indentStep.length;
  return { column: mappingIndent + ctx.indentAtStart, split: true };
}

/**
 * Folds one unfolded plain or single-quoted scalar as PyYAML would (`'` quotes and `''` count as
 * written); PyYAML never breaks at a space just inside the quotes.
 */
export function pyYamlFold(text: string, ctx: StringifyContext, quoted: boolean): string {
  const { column: start, split } = placeOf(ctx);
  if (!split) return text;
  let out = '';
  let column = start;
  for (let i = 0; i < text.length; ) {
    if (text[i] === '\n') {
      // A line break of a single-quoted scalar, then its indentation: no space here is content.
      let j = i + 1;
      while (text[j] === ' ') j++;
      out += text.slice(i, j);
      column = j - i - 1;
      i = j;
    } else if (text[i] === ' ') {
      let j = i;
      while (text[j] === ' ') j++;
      const inside = !quoted || (i > 1 && j < text.length - 1);
      if (j - i === 1 && column > BEST_WIDTH && inside) {
        out += `\n${ctx.indent}`;
        column = ctx.indent.length;
      } else {
        out += text.slice(i, j);
        column += j - i;
      }
      i = j;
    } else {
      out += text[i];
      column += 1;
      i += 1;
    }
  }
  return out;
}
