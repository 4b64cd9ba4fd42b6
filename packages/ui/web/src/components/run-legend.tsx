/** The compared runs with their colors; a click hides or shows a run's curves in every chart. */
import { runColor } from '../series-math.js';

interface Props {
  runs: string[];
  labels: string[];
  hidden: ReadonlySet<string>;
  onToggle(run: string): void;
  link?: (run: string) => string | undefined;
}

export function RunLegend({ runs, labels, hidden, onToggle, link }: Props) {
  return (
    <ul class="run-legend" aria-label="runs">
      {runs.map((run, i) => {
        const href = link?.(run);
        return (
          <li key={run} class={hidden.has(run) ? 'hidden' : ''}>
            <button
              type="button"
              class="legend-entry"
              data-run={run}
              aria-pressed={!hidden.has(run)}
              title={hidden.has(run) ? 'show this run' : 'hide this run'}
              onClick={() => onToggle(run)}
            >
              <span class="swatch" style={{ background: runColor(i) }} />
              {labels[i]}
            </button>
            {href && (
              <a class="muted" href={href} title="open the run">
                ↗
              </a>
            )}
          </li>
        );
      })}
    </ul>
  );
}
