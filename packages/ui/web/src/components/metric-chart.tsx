/**
 * One metric's curves for every compared run, drawn by uPlot (canvas; made for large time
 * series). The data comes downsampled to the chart's width; a drag zooms and fetches the
 * zoomed range again, refined; a double click goes back to the whole range. The chart loads when
 * it comes near the screen, so the first chart of a long page is drawn first.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { isAbort } from '../api.js';
import type { CompareSource, XAxis } from '../compare-source.js';
import { align, forLog, runColor, seriesOf, smooth } from '../series-math.js';
import { taskQueue } from '../task-queue.js';
import type { Series } from '../types.js';
import { ErrorView } from './error-view.js';

interface Props {
  source: CompareSource;
  runs: string[];
  labels: string[];
  metric: string;
  x: XAxis;
  smoothing: number;
  log: boolean;
  hidden: ReadonlySet<string>;
}

const HEIGHT = 260;

/** Every chart's curves are fetched through this queue, two at a time, in the order charts appear. */
const fetchCurves = taskQueue(2);

export function MetricChart({ source, runs, labels, metric, x, smoothing, log, hidden }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const [near, setNear] = useState(false);
  const [range, setRange] = useState<{ xmin: number; xmax: number } | undefined>(undefined);
  const [raw, setRaw] = useState<Series[] | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) {
          setNear(true);
          observer.disconnect();
        }
      },
      { rootMargin: '400px' },
    );
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  useEffect(() => setRange(undefined), [x]);

  useEffect(() => {
    if (!near || !box.current) return;
    const controller = new AbortController();
    const width = box.current.clientWidth || 800;
    fetchCurves(
      () => source.metrics(runs, { keys: [metric], x, width, ...range }, controller.signal),
      controller.signal,
    ).then(setRaw, (err) => !isAbort(err) && setError(err));
    return () => controller.abort();
  }, [near, source, runs.join(','), metric, x, range?.xmin, range?.xmax]);

  useEffect(() => {
    const el = box.current;
    if (!el || !raw) return;
    const width = el.clientWidth || 800;
    const per = seriesOf(raw, runs, metric).map((s) => {
      const y = smooth(s?.y ?? [], smoothing);
      return { x: s?.x ?? [], y: log ? forLog(y) : y };
    });
    const { x: xs, ys } = align(per, width * 2);
    el.dataset.state = xs.length ? 'drawing' : 'empty';
    const opts: uPlot.Options = {
      width,
      height: HEIGHT,
      ms: 1,
      legend: { show: false },
      cursor: {
        drag: { x: true, y: false },
        // double click is ours: it fetches the whole range again, uPlot's would only re-fit
        bind: { dblclick: () => () => null },
      },
      scales: {
        x: { time: x === 'time' },
        y: log ? { distr: 3 } : {},
      },
      axes: [{}, { size: 60 }],
      series: [
        { label: x },
        ...runs.map((run, i) => ({
          label: labels[i] ?? run,
          stroke: runColor(i),
          width: 1.5,
          spanGaps: true,
          points: { show: false },
          show: !hidden.has(run),
        })),
      ],
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width < 4) return;
            const xmin = u.posToVal(u.select.left, 'x');
            const xmax = u.posToVal(u.select.left + u.select.width, 'x');
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            setRange({ xmin, xmax });
          },
        ],
        draw: [
          () => {
            if (!xs.length) return;
            el.dataset.state = 'drawn';
            // for bench/ui.mjs: when a chart of this page load was first drawn
            performance.mark(`trove:chart-drawn:${metric}`);
          },
        ],
      },
    };
    plot.current?.destroy();
    plot.current = new uPlot(opts, [xs, ...ys] as uPlot.AlignedData, el);
    const reset = () => setRange(undefined);
    el.addEventListener('dblclick', reset);
    return () => el.removeEventListener('dblclick', reset);
  }, [raw, smoothing, log, runs.join(','), labels.join('\0')]);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    runs.forEach((run, i) => {
      const show = !hidden.has(run);
      if (u.series[i + 1]?.show !== show) u.setSeries(i + 1, { show });
    });
  }, [hidden, raw]);

  useEffect(() => () => plot.current?.destroy(), []);

  const points = raw?.reduce((n, s) => n + s.x.length, 0) ?? 0;
  const total = raw?.reduce((n, s) => n + s.total, 0) ?? 0;
  return (
    <figure class="metric-chart" data-metric={metric}>
      <figcaption>
        <strong>{metric}</strong>
        {raw && (
          <span class="muted">
            {' '}
            {points.toLocaleString('en')} of {total.toLocaleString('en')} points
            {range ? ' (zoomed: double-click for all)' : ''}
          </span>
        )}
      </figcaption>
      {error ? <ErrorView error={error} /> : null}
      <div class="chart" ref={box} style={{ minHeight: `${HEIGHT}px` }} data-state="loading" />
    </figure>
  );
}
