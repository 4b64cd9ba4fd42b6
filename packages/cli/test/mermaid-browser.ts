/**
 * Draws a Mermaid diagram in headless chromium (Debian's, through playwright-core) with Mermaid's
 * own browser bundle from node_modules, added to the page from the file: every network request
 * is refused, so the picture depends on nothing but the text and the bundle.
 */
import { createRequire } from 'node:module';
import { chromiumPath } from '@trove/test-utils/chromium';
import { chromium } from 'playwright-core';
import { inject } from 'vitest';

const MERMAID_BUNDLE = createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js');

export interface DrawnMermaid {
  diagramType: string;
  /** Each drawn node: its Mermaid id (`n3`), the text shown, and its box on screen. */
  nodes: Array<{ id: string; label: string; width: number; height: number }>;
  /** Each drawn edge path, by the Mermaid ids of its two ends, with its label. */
  edges: Array<{ from: string; to: string; label: string }>;
  /** Requests the page tried to make (all refused), console errors and page errors. */
  refused: string[];
  errors: string[];
}

export async function renderMermaid(text: string): Promise<DrawnMermaid> {
  const executablePath = chromiumPath({
    chromium: inject('chromium'),
    chromiumProblem: inject('chromiumProblem'),
  });
  const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
  try {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const refused: string[] = [];
    await context.route('**/*', (route) => {
      refused.push(route.request().url());
      return route.abort();
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    await page.setContent('<!doctype html><html><body><div id="out"></div></body></html>');
    await page.addScriptTag({ path: MERMAID_BUNDLE });
    const drawn = await page.evaluate(async (source) => {
      const mermaid = (globalThis as unknown as { mermaid: MermaidApi }).mermaid;
      mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
      const { svg, diagramType } = await mermaid.render('lineage', source);
      const out = document.getElementById('out') as HTMLElement;
      out.innerHTML = svg;
      const nodes = [...out.querySelectorAll('g.node')].map((g) => {
        const box = g.getBoundingClientRect();
        // Mermaid names a node's group `lineage-flowchart-<id>-<n>` (or `flowchart-<id>-<n>`).
        const id = /flowchart-(.+)-\d+$/.exec(g.id)?.[1] ?? g.id;
        return { id, label: (g.textContent ?? '').trim(), width: box.width, height: box.height };
      });
      const edges = [...out.querySelectorAll('path.flowchart-link')].map((p) => {
        const dataId = p.getAttribute('data-id') ?? p.id;
        const [, from = '', to = ''] = /^(?:lineage-)?L_(.+?)_(.+?)_\d+$/.exec(dataId) ?? [];
        const label = out.querySelector(`.edgeLabel [data-id="${dataId}"]`)?.textContent ?? '';
        return { from, to, label: label.trim() };
      });
      return { diagramType, nodes, edges };
    }, text);
    return { ...drawn, refused, errors };
  } finally {
    await browser.close();
  }
}

interface MermaidApi {
  initialize(config: Record<string, unknown>): void;
  render(id: string, text: string): Promise<{ svg: string; diagramType: string }>;
}
