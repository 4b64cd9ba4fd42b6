/**
 * The live app: a header with the store it shows, and the page the path names. A store that is
 * missing, damaged or unreachable shows the error page (from /api/info's JSON error).
 */
import { getJson } from './api.js';
import { ErrorView } from './components/error-view.js';
import { ComparePage } from './pages/compare-page.js';
import { LineagePage } from './pages/lineage-page.js';
import { ModelPage, ModelsPage } from './pages/models-page.js';
import { RunPage } from './pages/run-page.js';
import { RunsPage } from './pages/runs-page.js';
import { type Location, useLocation } from './router.js';
import type { StoreInfo } from './types.js';
import { useAsync } from './use-async.js';

function route(loc: Location) {
  const parts = loc.path.split('/').filter(Boolean).map(decodeURIComponent);
  const [first, second] = parts;
  if (!first || first === 'runs') return <RunsPage query={loc.query} />;
  if (first === 'compare') return <ComparePage query={loc.query} />;
  if (first === 'run' && second) return <RunPage id={second} query={loc.query} />;
  if (first === 'lineage') return <LineagePage query={loc.query} />;
  if (first === 'models' && second) return <ModelPage name={second} />;
  if (first === 'models') return <ModelsPage />;
  return (
    <ErrorView title="No such page" error={new Error(`${loc.path} is not a page of trove ui`)} />
  );
}

export function App() {
  const loc = useLocation();
  const info = useAsync((signal) => getJson<StoreInfo>('info', {}, signal), []);
  const section = loc.path.split('/')[1] || 'runs';
  const nav = (href: string, label: string, match: string) => (
    <a href={href} class={section === match ? 'active' : ''}>
      {label}
    </a>
  );
  return (
    <>
      <header class="top">
        <a href="/" class="brand">
          trove
        </a>
        <nav>
          {nav('/runs', 'Runs', 'runs')}
          {nav('/lineage', 'Lineage', 'lineage')}
          {nav('/models', 'Models', 'models')}
        </nav>
        {info.data && (
          <span class="store" title={info.data.store.location}>
            {info.data.store.kind}: {info.data.store.location} · {info.data.runs} runs
          </span>
        )}
      </header>
      <main class="page">
        {/* the page loads beside /api/info, not after it: the first rows come sooner */}
        {info.error ? <ErrorView error={info.error} /> : route(loc)}
      </main>
    </>
  );
}
