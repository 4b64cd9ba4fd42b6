/** A lineage graph as Graphviz DOT, built with ts-graphviz (it quotes and escapes every id and label). */
import type { LineageGraph, LineageNode } from '@trove/core';
import { Digraph, Edge, Node, toDot } from 'ts-graphviz';

const SHAPES: Record<LineageNode['type'], string> = {
  run: 'box',
  data: 'cylinder',
  'model-version': 'hexagon',
  alias: 'cds',
};

export function formatDot(graph: LineageGraph): string {
  const g = new Digraph('lineage', { rankdir: 'LR' });
  const start = new Set(graph.start);
  const nodes = new Map<string, Node>();
  for (const n of graph.nodes) {
    const node = new Node(n.id, {
      label: n.label,
      shape: SHAPES[n.type] as never,
      ...(start.has(n.id) ? { style: 'bold' } : {}),
    });
    nodes.set(n.id, node);
    g.addNode(node);
  }
  for (const e of graph.edges) {
    const from = nodes.get(e.from);
    const to = nodes.get(e.to);
    if (from && to) g.addEdge(new Edge([from, to], { label: e.kind }));
  }
  return `${toDot(g)}\n`;
}
