/** A lineage graph for a person: each node once, by depth from the start, with its edges. */
import type { LineageGraph } from '@trove/core';

const TYPE_NAMES = {
  run: 'run',
  data: 'data',
  'model-version': 'model',
  alias: 'alias',
} as const;

export function formatText(graph: LineageGraph): string {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const name = (id: string) => {
    const n = byId.get(id);
    return n ? `${TYPE_NAMES[n.type]} ${n.label}${n.type === 'run' ? ` (${n.runId})` : ''}` : id;
  };
  const out: string[] = [];
  for (const n of graph.nodes) {
    out.push(
      `${'  '.repeat(Math.min(n.depth, 20))}${name(n.id)}${n.depth === 0 ? '  [start]' : ''}`,
    );
  }
  if (graph.edges.length > 0) out.push('', 'edges:');
  for (const e of graph.edges) out.push(`  ${name(e.from)} -${e.kind}-> ${name(e.to)}`);
  return `${out.join('\n')}\n`;
}

/** What `--impacted-by` found, by kind: runs, data, model versions, aliases. */
export function formatImpact(graph: LineageGraph): string {
  const out: string[] = [];
  for (const [type, title] of [
    ['run', 'runs'],
    ['data', 'data'],
    ['model-version', 'model versions'],
    ['alias', 'aliases'],
  ] as const) {
    const nodes = graph.nodes.filter((n) => n.type === type && n.depth > 0);
    out.push(`${title} (${nodes.length}):`);
    for (const n of nodes) out.push(`  ${n.label}${n.type === 'run' ? ` (${n.runId})` : ''}`);
  }
  return `${out.join('\n')}\n`;
}
