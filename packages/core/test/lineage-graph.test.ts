import { describe, expect, it } from 'vitest';
import type { Store } from '../src/record/store.js';
import { impactedBy, lineageGraph } from '../src/refs/lineage.js';
import { openRegistry } from '../src/refs/open-registry.js';
import type { Run } from '../src/run/run.js';
import { withRun } from '../src/run/start-run.js';
import type { LineageGraph } from '../src/tables/lineage-graph.js';
import { memoryProject, rejectionCode } from './helpers.js';

/**
 * prep → ds → train → model (alias candidate; registered as clf v1, alias champion) → eval →
 * report → publish; train also reads s3://bucket/labels.csv, only referred to; loop reads and
 * writes the same bytes (a cycle). An unrelated run sits beside it all.
 */
async function pipeline() {
  const { cwd, store, file } = memoryProject();
  const ids: Record<string, string> = {};
  const md5: Record<string, string> = {};
  const step = async (name: string, body: (run: Run) => Promise<void>) => {
    ids[name] = await withRun({ cwd, store, name, dvcyaml: false }, async (run) => {
      await body(run);
      return run.id;
    });
  };
  await step('prep', async (run) => {
    md5.ds = (await run.logArtifact(file('ds.csv', 'rows'), { name: 'ds' })).md5;
  });
  await step('train', async (run) => {
    await run.useArtifact('ds', { to: 'in.csv', force: true });
    await run.logArtifactRef('s3://bucket/labels.csv', { name: 'labels', isInput: true });
    const m = await run.logArtifact(file('model.pt', 'weights'), {
      name: 'model',
      aliases: ['candidate'],
    });
    md5.model = m.md5;
    await openRegistry(store).registerModel(`runs:/${run.id}/${m.path}`, 'clf');
    await openRegistry(store).setAlias('clf', 'champion', 1);
  });
  await step('eval', async (run) => {
    await run.useArtifact('model@candidate', { to: 'm.pt', force: true });
    md5.report = (await run.logArtifact(file('report.txt', 'good'), { name: 'report' })).md5;
  });
  await step('publish', async (run) => {
    await run.useArtifact('report', { to: 'r.txt', force: true });
  });
  await step('loop', async (run) => {
    await run.useArtifact('report', { to: 'r2.txt', force: true });
    await run.logArtifact(file('again.txt', 'good'), { name: 'report-copy' });
  });
  await step('unrelated', async (run) => {
    await run.logArtifact(file('other.txt', 'other'), { name: 'other' });
  });
  return { store, ids, md5 };
}

function summary(graph: LineageGraph) {
  return {
    nodes: graph.nodes.map((n) => `${n.id}@${n.depth}`).sort(),
    edges: graph.edges.map((e) => `${e.from} -${e.kind}-> ${e.to}`).sort(),
  };
}

describe('the lineage graph', () => {
  it('impactedBy finds every run, artifact, model version and alias downstream, through every hop', async () => {
    const { store, ids, md5 } = await pipeline();
    const graph = await impactedBy(store, 'ds');
    expect(graph.start).toEqual([`data:${md5.ds}`]);
    expect(summary(graph).nodes).toEqual(
      [
        `data:${md5.ds}@0`,
        `run:${ids.train}@1`,
        `data:${md5.model}@2`,
        `run:${ids.eval}@3`,
        `data:${md5.report}@4`,
        `run:${ids.publish}@5`,
        `run:${ids.loop}@5`,
        `model:clf/1@3`,
        'alias:models:/clf@champion@4',
        'alias:model@candidate@3',
      ].sort(),
    );
    // The loop wrote the bytes it read: the walk ends there instead of going round.
    expect(summary(graph).edges).toContain(`run:${ids.loop} -output-> data:${md5.report}`);
    expect(graph.nodes.find((n) => n.id === `run:${ids.train}`)?.label).toBe('train');
    expect(graph.nodes.find((n) => n.id === `data:${md5.model}`)?.names).toEqual(['model']);
    // Without edges (a listing): the same nodes in the same order, no edge made.
    expect(await impactedBy(store, 'ds', { edges: false })).toEqual({ ...graph, edges: [] });
  });

  it('data logged under two names carries both, sorted, and its label names both', async () => {
    const { store, md5 } = await pipeline();
    const graph = await impactedBy(store, 'ds');
    // eval logged the bytes as report, publish and loop read them as report, loop wrote them
    // again as report-copy.
    const report = graph.nodes.find((n) => n.id === `data:${md5.report}`);
    expect(report?.names).toEqual(['report', 'report-copy']);
    expect(report?.label).toBe(`report, report-copy (${md5.report?.slice(0, 8)})`);
  });

  it('a dataset only referred to is found by its name or URI', async () => {
    const { store, ids } = await pipeline();
    for (const ref of ['labels', 's3://bucket/labels.csv']) {
      const graph = await impactedBy(store, ref);
      expect(graph.start).toEqual(['data:s3://bucket/labels.csv']);
      expect(
        graph.nodes
          .filter((n) => n.type === 'run')
          .map((n) => n.label)
          .sort(),
      ).toEqual(['eval', 'loop', 'publish', 'train']);
      expect(graph.nodes.some((n) => n.runId === ids.unrelated)).toBe(false);
    }
  });

  it('up, down and depth limit the walk; a run id starts from the run', async () => {
    const { store, ids, md5 } = await pipeline();
    const up = await lineageGraph(store, 'report', { direction: 'up' });
    expect(
      up.nodes
        .filter((n) => n.type === 'run')
        .map((n) => n.label)
        .sort(),
    ).toEqual(['eval', 'loop', 'prep', 'train']);
    const near = await lineageGraph(store, ids.train ?? '', { depth: 1 });
    // One hop of the run's rows; what names the data reached (versions, aliases) comes with it.
    const [rows, names] = [
      summary(near).edges.filter((e) => / -(input|output|reference)-> /.test(e)),
      summary(near).edges.filter((e) => / -(version|alias)-> /.test(e)),
    ];
    expect(names).toEqual(
      [
        `data:${md5.model} -alias-> alias:model@candidate`,
        `data:${md5.model} -version-> model:clf/1`,
        'model:clf/1 -alias-> alias:models:/clf@champion',
      ].sort(),
    );
    expect(rows).toEqual(
      [
        `data:${md5.ds} -input-> run:${ids.train}`,
        `data:s3://bucket/labels.csv -input-> run:${ids.train}`,
        `run:${ids.train} -output-> data:${md5.model}`,
      ].sort(),
    );
    const down2 = await lineageGraph(store, 'model@candidate', { direction: 'down', depth: 2 });
    expect(down2.nodes.filter((n) => n.type === 'run').map((n) => n.label)).toEqual(['eval']);
    expect(down2.nodes.some((n) => n.id === `data:${md5.report}`)).toBe(true);
  });

  it('refuses a ref that names nothing and a depth that is no count', async () => {
    const { store } = await pipeline();
    expect(await rejectionCode(impactedBy(store, 'nothing-called-this'))).toBe('NOT_FOUND');
    expect(await rejectionCode(lineageGraph(store, 'ds', { depth: 0 }))).toBe('INVALID_ARGUMENT');
    expect(await rejectionCode(lineageGraph(store as Store, ''))).toBe('INVALID_ARGUMENT');
  });
});
