/**
 * Places a lineage graph left to right (inputs before what was made of them) with dagre, and
 * returns boxes and edge polylines in SVG coordinates.
 */
import { Graph, layout } from '@dagrejs/dagre';
import type { LineageGraph, LineageNode } from './types.js';

export interface PlacedNode extends LineageNode {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface PlacedEdge {
  from: string;
  to: string;
  kind: string;
  points: { x: number; y: number }[];
}

const CHAR_W = 7;
const NODE_H = 34;

export function placeGraph(graph: LineageGraph): {
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  width: number;
  height: number;
} {
  const g = new Graph({ multigraph: true });
  g.setGraph({ rankdir: 'LR', nodesep: 18, ranksep: 70, marginx: 10, marginy: 10 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of graph.nodes) {
    const label = n.label.length > 40 ? `${n.label.slice(0, 39)}…` : n.label;
    g.setNode(n.id, { width: Math.max(80, label.length * CHAR_W + 36), height: NODE_H });
  }
  const ids = new Set(graph.nodes.map((n) => n.id));
  graph.edges.forEach((e, i) => {
    if (ids.has(e.from) && ids.has(e.to)) g.setEdge(e.from, e.to, {}, String(i));
  });
  layout(g);
  const nodes = graph.nodes.map((n) => {
    const p = g.node(n.id);
    return { ...n, x: p.x, y: p.y, w: p.width, h: p.height };
  });
  const edges = graph.edges
    .map((e, i) => ({
      ...e,
      points: g.edge({ v: e.from, w: e.to, name: String(i) })?.points ?? [],
    }))
    .filter((e) => e.points.length > 0);
  const label = g.graph();
  return { nodes, edges, width: label.width ?? 0, height: label.height ?? 0 };
}
