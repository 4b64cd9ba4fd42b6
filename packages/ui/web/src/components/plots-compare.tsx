/**
 * DVCLive's custom and sklearn plots, one name per row, a run per column. The server draws them
 * to SVG; they are shown as images (data: URIs), so nothing in an SVG can run in the page.
 */
import type { CompareSource } from '../compare-source.js';
import { useAsync } from '../use-async.js';
import { ErrorView, Loading } from './error-view.js';

interface Props {
  source: CompareSource;
  runs: string[];
  labels: string[];
}

function svgDataUri(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

export function PlotsCompare({ source, runs, labels }: Props) {
  const plots = useAsync(() => source.plots(runs), [source, runs.join(',')]);
  if (plots.error) return <ErrorView error={plots.error} />;
  if (!plots.data) return <Loading what="plots" />;
  const names = [...new Set(plots.data.map((p) => p.name))].sort();
  return (
    <div class="plots-compare">
      {names.map((name) => (
        <section key={name} class="plot-row" data-plot={name}>
          <h4>{name}</h4>
          <div class="side-by-side">
            {runs.map((run, i) => {
              const plot = plots.data?.find((p) => p.run === run && p.name === name);
              return (
                <figure key={run} data-run={run}>
                  {plot ? (
                    <img src={svgDataUri(plot.svg)} alt={`${name} of ${labels[i]}`} />
                  ) : (
                    <div class="no-image muted">no plot</div>
                  )}
                  <figcaption>{labels[i]}</figcaption>
                </figure>
              );
            })}
          </div>
        </section>
      ))}
    </div>
  );
}
