/**
 * Loads something for a page: `{ data, error, loading }`, redone when `deps` change, and the
 * answer of an older request is dropped (its AbortSignal fires) so a slow page never overwrites
 * a newer one.
 */
import { useEffect, useState } from 'preact/hooks';
import { isAbort } from './api.js';

export interface AsyncState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
}

export function useAsync<T>(
  load: (signal: AbortSignal) => Promise<T>,
  deps: unknown[],
): AsyncState<T> {
  const [state, setState] = useState<AsyncState<T>>({
    data: undefined,
    error: undefined,
    loading: true,
  });
  useEffect(() => {
    const controller = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    load(controller.signal).then(
      (data) => {
        if (!controller.signal.aborted) setState({ data, error: undefined, loading: false });
      },
      (error) => {
        if (!controller.signal.aborted && !isAbort(error))
          setState({ data: undefined, error, loading: false });
      },
    );
    return () => controller.abort();
    // the caller names what the load depends on
  }, deps);
  return state;
}
