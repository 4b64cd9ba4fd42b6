/**
 * A failure as the user should see it: the TroveError code, its message and hint, from the
 * server's JSON error. Never a stack: an unexpected exception shows only its message.
 */
import { ApiError } from '../api.js';

export function ErrorView({ error, title }: { error: unknown; title?: string }) {
  const code = error instanceof ApiError ? error.code : 'ERROR';
  const message = error instanceof Error ? error.message : String(error);
  const hint = error instanceof ApiError ? error.hint : undefined;
  return (
    <section class="error-view" role="alert" data-code={code}>
      <h2>{title ?? headline(code)}</h2>
      <p>
        <code class="error-code">{code}</code> {message}
      </p>
      {hint && <p class="hint">{hint}</p>}
    </section>
  );
}

function headline(code: string): string {
  switch (code) {
    case 'NOT_FOUND':
      return 'Not found';
    case 'UNAVAILABLE':
      return 'The store cannot be reached';
    case 'CORRUPT':
      return 'The store is damaged';
    case 'PERMISSION_DENIED':
      return 'Access to the store was refused';
    case 'INVALID_CONFIG':
      return 'The store is not configured right';
    default:
      return 'Something went wrong';
  }
}

export function Loading({ what }: { what: string }) {
  return <p class="loading">Loading {what}…</p>;
}
