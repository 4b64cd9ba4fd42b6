/**
 * The filter box: MLflow's search grammar (docs/search.md). A bad filter's error is shown under
 * the box with the filter repeated and a caret at the server's 1-based column, and the
 * offending character marked, so the fix is where the eye already is.
 */
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api.js';

interface Props {
  value: string;
  error: unknown;
  onSearch(filter: string): void;
}

export function SearchBox({ value, error, onSearch }: Props) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  const bad = error instanceof ApiError && error.code === 'INVALID_ARGUMENT' ? error : undefined;
  return (
    <form
      class="search"
      onSubmit={(e) => {
        e.preventDefault();
        onSearch(text.trim());
      }}
    >
      <input
        type="search"
        name="filter"
        aria-label="filter"
        spellcheck={false}
        placeholder="metrics.acc > 0.9 and params.lr = '0.01'"
        value={text}
        aria-invalid={bad ? 'true' : 'false'}
        onInput={(e) => setText((e.target as HTMLInputElement).value)}
      />
      <button type="submit">Search</button>
      {bad && <FilterError filter={value} error={bad} />}
    </form>
  );
}

function FilterError({ filter, error }: { filter: string; error: ApiError }) {
  // the message's own caret block repeats the filter; its first line is the sentence
  const sentence = error.message.split('\n')[0] ?? error.message;
  const col = error.position;
  const at = col !== undefined && col >= 1 ? Math.min(col - 1, filter.length) : undefined;
  return (
    <div class="filter-error" role="alert" data-position={col}>
      <p>{sentence}</p>
      {at !== undefined && (
        <pre class="caret">
          {filter.slice(0, at)}
          <mark>{filter.slice(at, at + 1) || ' '}</mark>
          {filter.slice(at + 1)}
          {'\n'}
          {' '.repeat(at)}^
        </pre>
      )}
    </div>
  );
}
