import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LineageGraph } from '@trove/core';
import { tempDir } from '@trove/test-utils';
import { ensureGraphviz } from '@trove/test-utils/graphviz';
import { JSDOM } from 'jsdom';
import { beforeAll, describe, expect, it } from 'vitest';
import { trove, troveJson } from './helpers.js';
import { renderMermaid } from './mermaid-browser.js';

let cwd: string;

/**
 * ds → train → model (registered as clf v1, alias champion; artifact alias best) → eval →
 * report, logged by a script (core's API), so that `trove lineage` has hops to walk.
 */
beforeAll(async () => {
  cwd = tempDir();
  expect(trove(['init'], { cwd }).code).toBe(0);
  const { openRegistry, openStore, withRun } = await import('@trove/core');
  const store = await openStore({ cwd });
  try {
    const places = { cwd, store, dvcyaml: false as const };
    await withRun({ ...places, name: 'prep' }, async (run) => {
      writeFileSync(join(cwd, 'ds.csv'), 'a,b\n1,2\n');
      await run.logArtifact('ds.csv', { name: 'ds', type: 'dataset' });
    });
    await withRun({ ...places, name: 'train "quoted" <run>' }, async (run) => {
      await run.useArtifact('ds', { to: 'in.csv', force: true });
      writeFileSync(join(cwd, 'model.pt'), 'weights');
      const m = await run.logArtifact('model.pt', { name: 'model', aliases: ['best'] });
      await openRegistry(store).registerModel(`runs:/${run.id}/${m.path}`, 'clf');
      await openRegistry(store).setAlias('clf', 'champion', 1);
    });
    await withRun({ ...places, name: 'eval' }, async (run) => {
      await run.useArtifact('model@best', { to: 'm.pt', force: true });
      writeFileSync(join(cwd, 'report.txt'), 'good');
      await run.logArtifact('report.txt', { name: 'report' });
    });
  } finally {
    await store.close();
  }
});

describe('trove lineage: the graph', () => {
  it('--impacted-by lists every run, artifact, model version and alias downstream', () => {
    const graph = troveJson<LineageGraph>(['lineage', '--impacted-by', 'ds'], { cwd });
    const labels = (type: string) =>
      graph.nodes
        .filter((n) => n.type === type && n.depth > 0)
        .map((n) => n.label)
        .sort();
    expect(labels('run')).toEqual(['eval', 'train "quoted" <run>']);
    expect(labels('model-version')).toEqual(['models:/clf/1']);
    expect(labels('alias')).toEqual(['model@best', 'models:/clf@champion']);
    expect(graph.nodes.filter((n) => n.type === 'data').map((n) => n.names)).toEqual([
      ['ds'],
      ['model'],
      ['report'],
    ]);
    const text = trove(['lineage', '--impacted-by', 'ds'], { cwd });
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('runs (2):\n');
    expect(text.stdout).toContain('model versions (1):\n  models:/clf/1\n');
    expect(text.stdout).toContain('aliases (2):\n  model@best\n  models:/clf@champion\n');
  });

  it('--format dot renders with Graphviz: every node and edge is in the picture', () => {
    const graph = troveJson<LineageGraph>(['lineage', 'model@best', '--format', 'json'], { cwd });
    const dot = trove(['lineage', 'model@best', '--format', 'dot'], { cwd });
    expect(dot.code).toBe(0);
    const rendered = spawnSync(ensureGraphviz(), ['-Tsvg'], {
      input: dot.stdout,
      encoding: 'utf8',
    });
    expect(rendered.stderr).toBe('');
    expect(rendered.status).toBe(0);
    const svg = new JSDOM(rendered.stdout, { contentType: 'image/svg+xml' }).window.document;
    const titles = [...svg.querySelectorAll('g.node > title')].map((t) => t.textContent);
    expect(titles.sort()).toEqual(graph.nodes.map((n) => n.id).sort());
    const texts = [...svg.querySelectorAll('g.node > text')].map((t) => t.textContent);
    for (const n of graph.nodes) expect(texts).toContain(n.label);
    expect(svg.querySelectorAll('g.edge')).toHaveLength(graph.edges.length);
    expect(graph.edges.length).toBeGreaterThanOrEqual(7);
  });

  it('--format mermaid renders in headless chromium with Mermaid: every node, label and edge', async () => {
    const graph = troveJson<LineageGraph>(['lineage', 'ds', '--down', '--format', 'json'], { cwd });
    const out = trove(['lineage', 'ds', '--down', '--format', 'mermaid'], { cwd });
    expect(out.code).toBe(0);
    const drawn = await renderMermaid(out.stdout);
    expect(drawn.refused).toEqual([]);
    expect(drawn.errors).toEqual([]);
    expect(drawn.diagramType).toBe('flowchart-v2');
    // trove numbers the nodes in the graph's order: n<i> is graph.nodes[i].
    const mermaidId = new Map(graph.nodes.map((n, i) => [n.id, `n${i}`]));
    expect(drawn.nodes.map((n) => n.id).sort()).toEqual([...mermaidId.values()].sort());
    // Every node is drawn with its own label as the text shown, quotes and brackets included.
    for (const [i, n] of graph.nodes.entries()) {
      const node = drawn.nodes.find((d) => d.id === `n${i}`);
      expect(node?.label, n.id).toBe(n.label);
      expect(node?.width, n.id).toBeGreaterThan(0);
      expect(node?.height, n.id).toBeGreaterThan(0);
    }
    expect(graph.nodes.map((n) => n.label)).toContain('train "quoted" <run>');
    // Every edge is a drawn path between the two nodes it joins, labelled with its kind.
    const edge = (from: string, to: string, label: string) => `${from} -${label}-> ${to}`;
    expect(drawn.edges.map((e) => edge(e.from, e.to, e.label)).sort()).toEqual(
      graph.edges
        .map((e) => edge(mermaidId.get(e.from) ?? '', mermaidId.get(e.to) ?? '', e.kind))
        .sort(),
    );
    expect(graph.edges.length).toBeGreaterThanOrEqual(7);
  });

  it('refuses bad options with one line and the invalid-input exit code (4)', () => {
    for (const args of [
      ['lineage', 'ds', '--format', 'png'],
      ['lineage', 'ds', '--up', '--down'],
      ['lineage', 'ds', '--depth', 'x'],
      ['lineage', 'ds', '--impacted-by', 'ds'],
    ]) {
      const r = trove(args, { cwd });
      expect(r.code, args.join(' ')).toBe(4);
      expect(r.stderr.trim().split('\n')[0]).toMatch(/^trove: error \[INVALID_ARGUMENT\]/);
    }
  });
});
