/** `/compare?runs=a,b,c`: the compare view over the server. */

import { liveSource } from '../compare-source.js';
import { ErrorView } from '../components/error-view.js';
import { CompareView } from './compare-view.js';

export function ComparePage({ query }: { query: URLSearchParams }) {
  const runs = (query.get('runs') ?? '').split(',').filter(Boolean);
  if (runs.length < 2 || runs.length > 100) {
    return (
      <ErrorView
        title="Choose 2 to 100 runs to compare"
        error={new Error(`${runs.length} runs were given; select them on the runs page`)}
      />
    );
  }
  return <CompareView source={liveSource} runs={runs} />;
}
