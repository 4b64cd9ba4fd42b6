/**
 * A lineage graph as a Mermaid flowchart. No library writes Mermaid (its packages only parse and
 * render it), so this stays to the smallest subset: numbered node ids, every label quoted with
 * Mermaid's own entity escapes, one shape per node type.
 */
import type { LineageGraph, LineageNode } from '@trove/core';

const SHAPES: Record<LineageNode['type'], [string, string]> = {
  run: ['[', ']'],
  data: ['[(', ')]'],
  'model-version': ['{{', '}}'],
  alias: ['>', ']'],
};

export function formatMermaid(graph: LineageGraph): string {
  const ids = new Map(graph.nodes.map((n, i) => [n.id, `n${i}`]));
  const lines = ['flowchart LR'];
  for (const n of graph.nodes) {
    const [open, close] = SHAPES[n.type];
    lines.push(`  ${ids.get(n.id)}${open}"${escapeLabel(n.label)}"${close}`);
  }
  for (const e of graph.edges) {
    const from = ids.get(e.from);
    const to = ids.get(e.to);
    if (from && to) lines.push(`  ${from} -->|${e.kind}| ${to}`);
  }
  const start = graph.start.flatMap((id) => ids.get(id) ?? []);
  if (start.length > 0) {
    lines.push('  classDef start stroke-width:3px', `  class ${start.join(',')} start`);
  }
  return `${lines.join('\n')}\n`;
}

/** Mermaid reads `#quot;`, `#35;`… as entities inside a quoted label: no character can break out. */
function escapeLabel(label: string): string {
  return label.replace(/[#"<>\\`\n\r[\]{}|]/g, (c) => `#${c.codePointAt(0)};`);
}
