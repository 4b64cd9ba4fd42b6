import { readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { impactedBy } from '../src/refs/lineage.js';
import { resumeRun, startRun, withRun } from '../src/run/start-run.js';
import type { LineageGraph } from '../src/tables/lineage-graph.js';
import { memoryProject, tempDir } from './helpers.js';

/**
 * `trove lineage` reads the lineage snapshot from a DuckDB file in the user's cache, one a
 * snapshot: the answer must be the same as from the rows themselves, fold in runs not committed
 * yet, and follow every new commit (a new file, the old one removed).
 */
let cache: string;

beforeEach(() => {
  cache = join(tempDir(), 'cache');
  process.env.TROVE_CACHE_DIR = cache;
});

const lineageFiles = () =>
  readdirSync(join(cache, 'tables', 'db')).filter((f) => f.startsWith('lineage-'));

const runLabels = (graph: LineageGraph) =>
  graph.nodes
    .filter((n) => n.type === 'run')
    .map((n) => n.label)
    .sort();

async function project() {
  const { cwd, store, file } = memoryProject();
  const places = { cwd, store, dvcyaml: false as const };
  await withRun({ ...places, name: 'prep' }, async (run) => {
    await run.logArtifact(file('ds.csv', 'rows'), { name: 'ds' });
  });
  await withRun({ ...places, name: 'train' }, async (run) => {
    await run.useArtifact('ds', { to: 'in.csv', force: true });
    await run.logArtifactRef('s3://bucket/labels.csv', { name: 'labels', isInput: true });
    await run.logArtifact(file('model.pt', 'weights'), { name: 'model' });
  });
  return { store, file, places };
}

describe('the lineage snapshot kept in the cache', () => {
  it('is made once a snapshot and gives the same graph when read again', async () => {
    const { store } = await project();
    const first = await impactedBy(store, 'ds');
    const files = lineageFiles();
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^lineage-[0-9a-f-]{36}-v\d+-[0-9a-f]{16}\.duckdb$/);
    const again = await impactedBy(store, 'ds');
    expect(lineageFiles()).toEqual(files);
    expect(again).toEqual(first);
    expect(runLabels(again)).toEqual(['train']);
    // A dataset only referred to is found by its name and by its URI in the file's names.
    for (const ref of ['labels', 's3://bucket/labels.csv']) {
      expect((await impactedBy(store, ref)).start).toEqual(['data:s3://bucket/labels.csv']);
    }
  });

  it("folds in a run not committed yet, then reads the next snapshot's file, the old one gone", async () => {
    const { store, file, places } = await project();
    await impactedBy(store, 'ds');
    const before = lineageFiles();
    const open = await startRun({ ...places, name: 'eval' });
    await open.useArtifact('model', { to: 'm.pt', force: true });
    await open.logArtifact(file('report.txt', 'good'), { name: 'report' });
    const folded = await impactedBy(store, 'ds');
    expect(runLabels(folded)).toEqual(['eval', 'train']);
    expect(folded.nodes.filter((n) => n.type === 'data').flatMap((n) => n.names)).toEqual([
      'ds',
      'model',
      'report',
    ]);
    expect(lineageFiles()).toEqual(before);
    // Files being made: one a process left two hours ago, one another process is making now.
    const dir = join(cache, 'tables', 'db');
    const left = `${before[0]}.dead01.tmp`;
    const making = `${before[0]}.live01.tmp`;
    for (const name of [left, making]) writeFileSync(join(dir, name), 'partial');
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    utimesSync(join(dir, left), twoHoursAgo, twoHoursAgo);
    await open.end();
    const committed = await impactedBy(store, 'ds');
    expect(committed).toEqual(folded);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([making]);
    const after = lineageFiles().filter((f) => f.endsWith('.duckdb'));
    expect(after).toHaveLength(1);
    expect(after).not.toEqual(before);
    // The same table: only the version and the hash of its files differ.
    expect(after[0]?.slice(0, 'lineage-'.length + 36)).toBe(
      before[0]?.slice(0, 'lineage-'.length + 36),
    );
  });

  it("reads a committed run's rows from its folder while it is resumed, each edge once", async () => {
    const { store, file, places } = await project();
    const before = await impactedBy(store, 'ds');
    const train = before.nodes.find((n) => n.label === 'train')?.runId ?? '';
    const resumed = await resumeRun(train, places);
    await resumed.logArtifact(file('extra.txt', 'more'), { name: 'extra' });
    const folded = await impactedBy(store, 'ds');
    expect(runLabels(folded)).toEqual(['train']);
    const dataNames = (graph: LineageGraph) =>
      graph.nodes.flatMap((n) => (n.type === 'data' ? (n.names ?? []) : [])).sort();
    expect(dataNames(before)).toEqual(['ds', 'model']);
    expect(dataNames(folded)).toEqual(['ds', 'extra', 'model']);
    const edges = folded.edges.map((e) => `${e.from} ${e.kind} ${e.to}`);
    expect(new Set(edges).size).toBe(edges.length);
    expect(folded.edges.filter((e) => e.from === `run:${train}`).map((e) => e.kind)).toEqual([
      'output',
      'output',
    ]);
    await resumed.end();
    expect(await impactedBy(store, 'ds')).toEqual(folded);
  });

  it('names a run whose name holds a line break as it is (read one by one, not as lines)', async () => {
    const { store, places } = await project();
    await withRun({ ...places, name: 'two\nlines' }, async (run) => {
      await run.useArtifact('ds', { to: 'again.csv', force: true });
    });
    expect(runLabels(await impactedBy(store, 'ds'))).toEqual(['train', 'two\nlines']);
  });
});
