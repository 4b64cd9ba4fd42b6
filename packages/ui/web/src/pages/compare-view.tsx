/**
 * The compare view of 2–50 runs: curves, params and summary, images, plots, texts. It reads
 * through a CompareSource, so the live app and the offline report draw with this same code.
 */
import { useState } from 'preact/hooks';
import { type CompareSource, runLink, type XAxis } from '../compare-source.js';
import { Choice } from '../components/choice.js';
import { DiffTable } from '../components/diff-table.js';
import { ErrorView, Loading } from '../components/error-view.js';
import { ImageCompare } from '../components/image-compare.js';
import { MetricChart } from '../components/metric-chart.js';
import { PlotsCompare } from '../components/plots-compare.js';
import { RunLegend } from '../components/run-legend.js';
import { TextDiff } from '../components/text-diff.js';
import { Toggle } from '../components/toggle.js';
import { shortId } from '../format.js';
import { useAsync } from '../use-async.js';
import { useToggleSet } from '../use-toggle-set.js';

const X_AXES: readonly XAxis[] = ['step', 'time'];

export function CompareView({ source, runs }: { source: CompareSource; runs: string[] }) {
  const data = useAsync(() => source.compare(runs), [source, runs.join(',')]);
  const [x, setX] = useState<XAxis>('step');
  const [smoothing, setSmoothing] = useState(0);
  const [log, setLog] = useState(false);
  const [onlyDiffs, setOnlyDiffs] = useState(false);
  const [hidden, toggle] = useToggleSet();

  if (data.error) return <ErrorView error={data.error} />;
  if (!data.data) return <Loading what="the comparison" />;
  const cmp = data.data;
  const ids = cmp.runs.map((r) => r.id);
  const labels = cmp.runs.map((r) => (r.name ? String(r.name) : shortId(r.id)));

  return (
    <section class="compare-view">
      <h1>Comparing {ids.length} runs</h1>
      <RunLegend
        runs={ids}
        labels={labels}
        hidden={hidden}
        onToggle={toggle}
        link={(run) => runLink(source, run)}
      />

      <h2>Metrics</h2>
      <div class="controls chart-controls">
        <Choice label="x" ariaLabel="x axis" value={x} options={X_AXES} onChange={(v) => setX(v)} />
        <label>
          smoothing <output>{smoothing.toFixed(2)}</output>{' '}
          <input
            type="range"
            aria-label="smoothing"
            min={0}
            max={0.99}
            step={0.01}
            value={smoothing}
            onInput={(e) => setSmoothing(Number((e.target as HTMLInputElement).value))}
          />
        </label>
        <Toggle label="log scale" checked={log} onChange={setLog} />
        <span class="muted">drag to zoom, double-click for the whole range</span>
      </div>
      {cmp.metricKeys.length === 0 && <p class="muted">No metrics logged.</p>}
      <div class="charts">
        {cmp.metricKeys.map((key) => (
          <MetricChart
            key={`${key}-${x}`}
            source={source}
            runs={ids}
            labels={labels}
            metric={key}
            x={x}
            smoothing={smoothing}
            log={log}
            hidden={hidden}
          />
        ))}
      </div>

      <h2>Params and summary</h2>
      <div class="controls">
        <Toggle label="only the differences" checked={onlyDiffs} onChange={setOnlyDiffs} />
      </div>
      <DiffTable title="params" rows={cmp.params} labels={labels} onlyDiffs={onlyDiffs} />
      <DiffTable title="summary" rows={cmp.summary} labels={labels} onlyDiffs={onlyDiffs} />

      {cmp.imageNames.length > 0 && (
        <>
          <h2>Images</h2>
          <ImageCompare source={source} runs={ids} labels={labels} names={cmp.imageNames} />
        </>
      )}
      {cmp.plotNames.length > 0 && (
        <>
          <h2>Plots</h2>
          <PlotsCompare source={source} runs={ids} labels={labels} />
        </>
      )}
      {cmp.textPaths.length > 0 && (
        <>
          <h2>Texts</h2>
          <TextDiff source={source} runs={ids} labels={labels} paths={cmp.textPaths} />
        </>
      )}
    </section>
  );
}
