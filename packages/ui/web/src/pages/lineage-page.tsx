/**
 * `/lineage?ref=<run id | artifact ref | md5>&dir=both&depth=2`: the graph around a run,
 * artifact or dataset, up (what it came from) and down (what was made of it). A click on a node
 * centres the graph on it; a run node also links to its run page.
 */
import { useEffect, useState } from 'preact/hooks';
import { getJson } from '../api.js';
import { ErrorView, Loading } from '../components/error-view.js';
import { placeGraph } from '../lineage-layout.js';
import { navigate, withQuery } from '../router.js';
import type { LineageGraph } from '../types.js';
import { useAsync } from '../use-async.js';

export function LineagePage({ query }: { query: URLSearchParams }) {
  const ref = query.get('ref') ?? '';
  const dir = query.get('dir') ?? 'both';
  const depth = query.get('depth') ?? '2';
  const [text, setText] = useState(ref);
  useEffect(() => setText(ref), [ref]);
  const go = (changes: Record<string, string>) =>
    navigate(withQuery('/lineage', { ref, dir, depth, ...changes }));
  const graph = useAsync(
    (signal) =>
      ref
        ? getJson<LineageGraph>('lineage', { ref, dir, depth }, signal)
        : Promise.resolve(undefined),
    [ref, dir, depth],
  );
  return (
    <section class="lineage-page">
      <form
        class="controls"
        onSubmit={(e) => {
          e.preventDefault();
          go({ ref: text.trim() });
        }}
      >
        <input
          name="ref"
          aria-label="lineage of"
          placeholder="run id, runs:/<id>/<path>, models:/<name>/<version>, name:v1 or an md5"
          value={text}
          onInput={(e) => setText((e.target as HTMLInputElement).value)}
        />
        <select
          aria-label="direction"
          value={dir}
          onChange={(e) => go({ dir: (e.target as HTMLSelectElement).value })}
        >
          <option value="both">up and down</option>
          <option value="up">up (inputs)</option>
          <option value="down">down (outputs)</option>
        </select>
        <label>
          hops{' '}
          <input
            type="number"
            aria-label="hops"
            min={1}
            max={10}
            value={depth}
            onChange={(e) => go({ depth: (e.target as HTMLInputElement).value })}
          />
        </label>
        <button type="submit">Show</button>
      </form>
      {!ref ? (
        <p class="muted">
          Give a run, an artifact or a dataset to see where it came from and what was made of it.
        </p>
      ) : graph.error ? (
        <ErrorView error={graph.error} />
      ) : !graph.data ? (
        <Loading what="the lineage" />
      ) : (
        <GraphView graph={graph.data} center={ref} onPick={(r) => go({ ref: r })} />
      )}
    </section>
  );
}

function GraphView({
  graph,
  center,
  onPick,
}: {
  graph: LineageGraph;
  center: string;
  onPick(ref: string): void;
}) {
  if (graph.nodes.length === 0) return <p class="muted">No lineage recorded.</p>;
  const { nodes, edges, width, height } = placeGraph(graph);
  return (
    <div class="graph-wrap">
      <svg
        class="lineage"
        width={width}
        height={height}
        viewBox={`0 0 ${width} ${height}`}
        role="img"
      >
        <title>lineage of {center}</title>
        <defs>
          <marker
            id="arrow"
            viewBox="0 0 10 10"
            refX="10"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto"
          >
            <path d="M0,0 L10,5 L0,10 z" />
          </marker>
        </defs>
        {edges.map((e) => (
          <polyline
            key={`${e.from}>${e.to}>${e.kind}`}
            class={`edge edge-${e.kind}`}
            data-edge={`${e.from}>${e.to}`}
            points={e.points.map((p) => `${p.x},${p.y}`).join(' ')}
            marker-end="url(#arrow)"
          />
        ))}
        {nodes.map((n) => (
          // biome-ignore lint/a11y/useSemanticElements: an SVG group cannot be a <button>
          <g
            key={n.id}
            class={`node node-${n.kind}${n.ref === center || n.id === center ? ' center' : ''}`}
            data-node={n.id}
            data-ref={n.ref}
            role="button"
            tabIndex={0}
            transform={`translate(${n.x - n.w / 2},${n.y - n.h / 2})`}
            onClick={() => onPick(n.ref)}
            onKeyDown={(e) => e.key === 'Enter' && onPick(n.ref)}
          >
            <rect width={n.w} height={n.h} rx={n.kind === 'run' ? 4 : 14} />
            <text x={n.w / 2} y={n.h / 2 + 4} text-anchor="middle">
              {n.label.length > 40 ? `${n.label.slice(0, 39)}…` : n.label}
            </text>
            <title>
              {n.kind}: {n.ref}
            </title>
          </g>
        ))}
      </svg>
      <ul class="legend muted">
        <li>
          <span class="key key-run" /> run
        </li>
        <li>
          <span class="key key-artifact" /> artifact
        </li>
        <li>
          <span class="key key-model" /> model version
        </li>
        {graph.nodes
          .filter((n) => n.kind === 'run')
          .map((n) => (
            <li key={n.id}>
              <a href={`/run/${encodeURIComponent(n.ref)}`}>run {n.label}</a>
            </li>
          ))}
      </ul>
    </div>
  );
}
