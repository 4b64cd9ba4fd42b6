/**
 * Entry: the live app served by `trove ui`, or, when the page carries embedded compare data
 * (an offline report from `trove report --compare`), the compare view alone over that data.
 */
import 'uplot/dist/uPlot.min.css';
import './styles/base.css';
import './styles/runs.css';
import './styles/compare.css';
import './styles/run.css';
import './styles/lineage.css';
import { render } from 'preact';
import { prefetch } from './api.js';
import { App } from './app.js';
import { type EmbeddedCompare, embeddedSource } from './compare-source.js';
import { CompareView } from './pages/compare-view.js';
import { interceptLinks } from './router.js';
import { prefetchFirstRows } from './run-rows.js';

const root = document.getElementById('app') as HTMLElement;
const embedded = document.getElementById('trove-data');

if (embedded?.textContent) {
  const data = JSON.parse(embedded.textContent) as EmbeddedCompare;
  document.title = `trove compare: ${data.compare.runs.length} runs`;
  render(
    <main class="page offline">
      <CompareView source={embeddedSource(data)} runs={data.compare.runs.map((r) => r.id)} />
    </main>,
    root,
  );
} else {
  // the data of the page opened, asked for before the first render (the app would ask after it)
  const path = window.location.pathname;
  const query = new URLSearchParams(window.location.search);
  if (path === '/' || path === '/runs') {
    prefetchFirstRows({ filter: query.get('filter') ?? '', orderBy: query.get('orderBy') ?? '' });
  } else if (path === '/compare' && query.get('runs')) {
    prefetch('compare', { runs: query.get('runs') });
  }
  interceptLinks(root);
  render(<App />, root);
}
