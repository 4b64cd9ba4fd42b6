/**
 * The Polyaxon dialect beside Polyaxon's real tracking client (offline): the same call sequences,
 * the same run folders path for path, the same events row for row (timestamps aside), and
 * traceml's own reader parsing trove's events files to the same values; reference lineage and the
 * Git code reference as the client records them. One file, so the client's venv is set up once.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tracking from '../src/index.js';
import { ARTIFACT_KINDS } from '../src/kinds.js';
import { memoryStore, readEvents, snapshotTree, storeKeys, tempDir } from './helpers.js';
import {
  type ClientCall,
  type ClientJob,
  ensurePolyaxonClient,
  runClient,
} from './polyaxon-client.js';

/** Compared on their own: events (timestamps) and the bookkeeping files (ids, times, hashes). */
const APART = ['run.plx.json', 'lineages.plx.json', 'events'];

const SEQUENCES: Record<string, ClientCall[]> = {
  // Seed 002, in its own words.
  seed: [
    ['log_artifact', { name: 'file', path: 'file.csv', kind: 'csv' }],
    ['log_artifact', { name: 'file', path: 'file.csv', kind: 'csv', rel_path: 'csv_files/new/' }],
    ['log_model', { name: 'file', path: 'model.h5', framework: 'scikit', summary: { k: 'v' } }],
    ['log_model', { path: 'model.h5', framework: 'scikit', rel_path: 'different_folder' }],
    ['log_curve', { name: 'custom-curve', x: [1, 2, 3], y: [0.5, 0.25, 1], step: 14 }],
    ['log_curve', { name: 'custom-curve', x: [0.1], y: [2], step: 140, annotation: 'a=1' }],
    ['log_model', { path: 'ckpt', name: 'model', framework: 'tensorflow', step: 3 }],
    ['log_model', { path: 'ckpt', name: 'model', framework: 'tensorflow', step: 140 }],
    ['log_artifact', { path: 'df.pkl', kind: 'dataframe', name: 'df-pickle', step: 3 }],
    ['log_artifact', { path: 'df.pkl', kind: 'dataframe', name: 'df-pickle', step: 140 }],
    ['write_output', { rel_path: 'model/model.h5', content: 'weights' }],
    ['write_output', { rel_path: 'sub-folder', is_dir: true, file: 'a.txt', content: 'a' }],
  ],
  // Names and extensions as the client derives them.
  names: [
    ['log_artifact', { path: 'file.tar.gz', step: 1 }],
    ['log_artifact', { path: 'file.tar.gz', step: 2, kind: 'tensor' }],
    ['log_artifact', { path: 'Model.TAR.GZ', step: 0 }],
    ['log_artifact', { path: 'my.model.pt', step: 5, kind: 'model' }],
    ['log_artifact', { path: 'data.v1', step: 2 }],
    ['log_model', { path: 'data.v1', step: 2, summary: { layers: 3 } }],
    ['log_model', { path: 'my.model.pt', name: 'my model', step: 7 }],
    ['log_artifact', { path: 'file.tar.gz', rel_path: 'a/b' }],
    ['log_artifact', { path: 'data.v1' }],
  ],
  // Every one of Polyaxon's kinds at a step (JSON-lines kinds among them), metrics with and without steps.
  kinds: [
    ...ARTIFACT_KINDS.map(
      (kind): ClientCall => ['log_artifact', { path: 'file.csv', kind, step: 4 }],
    ),
    ['log_metric', { name: 'loss', value: 0.5, step: 1 }],
    ['log_metric', { name: 'loss', value: 1, step: 2 }],
    ['log_metric', { name: 'loss', value: 1e-7 }],
    ['log_metric', { name: 'my.metric name', value: 123456789012345680000 }],
    ['log_metrics', { step: 3, acc: 0.25, loss: 0.125 }],
    ['log_metric', { name: 't', value: 1.5, step: 9, timestamp: '2026-01-02T03:04:05.678+00:00' }],
  ],
};

function makeInputs(dir: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'file.csv'), 'a,b\n1,2\n');
  writeFileSync(join(dir, 'model.h5'), 'h5');
  writeFileSync(join(dir, 'df.pkl'), 'pickle');
  writeFileSync(join(dir, 'file.tar.gz'), 'tgz');
  writeFileSync(join(dir, 'Model.TAR.GZ'), 'TGZ');
  writeFileSync(join(dir, 'my.model.pt'), 'pt');
  mkdirSync(join(dir, 'ckpt', 'sub'), { recursive: true });
  writeFileSync(join(dir, 'ckpt', 'w.bin'), 'w');
  writeFileSync(join(dir, 'ckpt', 'sub', 'x.bin'), 'x');
  mkdirSync(join(dir, 'data.v1'));
  writeFileSync(join(dir, 'data.v1', 'part-0'), 'p0');
}

const camel = (k: string): string => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

function camelKeys(kwargs: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(kwargs).map(([k, v]) => [camel(k), v]));
}

/** The same calls through trove's dialect. */
async function runTrove(run: tracking.PolyaxonRun, calls: ClientCall[]): Promise<void> {
  for (const [fn, kwargs] of calls) {
    const o = camelKeys(kwargs) as Record<string, never>;
    const { step, ...metrics } = o as Record<string, number>;
    switch (fn) {
      case 'log_artifact':
        await run.logArtifact(o);
        break;
      case 'log_model':
        await run.logModel(o);
        break;
      case 'log_curve':
        run.logCurve(o.name, o.x, o.y, { step: o.step, annotation: o.annotation });
        break;
      case 'log_metric':
        run.logMetric(o.name, o.value, { step: o.step, timestamp: o.timestamp });
        break;
      case 'log_metrics':
        run.logMetrics(metrics, { step });
        break;
      case 'write_output': {
        let path = run.getOutputsPath(o.relPath, { isDir: o.isDir });
        if (o.file) path = join(path, o.file);
        writeFileSync(path, o.content);
        break;
      }
      default:
        throw new Error(`no mapping for ${fn}`);
    }
  }
}

/** A lineage summary without what each side computes its own way (hashes, sizes, local paths). */
function given(summary: Record<string, unknown>): Record<string, unknown> {
  const { hash, md5, size, nfiles, path, ...rest } = summary;
  return rest;
}

/** The bookkeeping files' shape: the run's status and outputs, the lineage rows' names and kinds. */
function bookkeeping(dir: string): unknown {
  const run = JSON.parse(readFileSync(join(dir, 'run.plx.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  const rows = JSON.parse(readFileSync(join(dir, 'lineages.plx.json'), 'utf8')) as Array<
    Record<string, unknown> & { summary: Record<string, unknown> }
  >;
  // The client keeps one row per name (the last events file it syncs wins, in listing order)
  // and takes a metric-kind artifact's JSON as a metric output: neither is compared.
  const outputs = Object.entries((run.outputs ?? {}) as Record<string, unknown>)
    .filter(([, v]) => typeof v === 'number')
    .sort(([a], [b]) => a.localeCompare(b));
  return {
    run: [run.name, run.status, run.kind, outputs],
    lineage: rows
      .map((r) =>
        r.summary.is_event
          ? [r.name, r.is_input, r.summary.step]
          : [r.name, r.kind, r.path, r.is_input, given(r.summary)],
      )
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
  };
}

/** Events files under `<dir>/events`, as `<kind>/<name>.plx`. */
function eventFiles(dir: string): string[] {
  const root = join(dir, 'events');
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => `${join(e.parentPath, e.name).slice(root.length + 1)}`)
    .sort();
}

/** A row's time as the client writes it: Python's `str(datetime)` of a UTC time. */
const TIME = /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{6})?\+00:00/;

/**
 * An events file's lines, byte for byte but for each row's time value, which must be written as
 * the client writes it (`2026-12-06 18:19:13.612647+00:00`, in a CSV cell or a JSON string).
 */
function eventRows(text: string): string[] {
  return text.split('\n').map((line) => {
    if (line === '' || line.startsWith('step|timestamp|')) return line;
    expect(line).toMatch(TIME);
    return line.replace(TIME, '<time>');
  });
}

describe('the Polyaxon dialect beside the real client', () => {
  let python = '';
  beforeAll(() => {
    python = ensurePolyaxonClient();
  }, 600_000);

  it('writes the same run folders and events, and traceml reads trove’s events alike', async () => {
    const root = tempDir('trove-plx-');
    const work = join(root, 'work');
    makeInputs(work);
    const job: ClientJob = { runs: [], read_dirs: [] };
    const store = memoryStore();
    const troveRuns: Record<string, tracking.PolyaxonRun> = {};
    for (const [name, calls] of Object.entries(SEQUENCES)) {
      const run = await tracking.init({
        name,
        cwd: work,
        store,
        artifactsPath: join(root, 'trove', name),
      });
      await runTrove(run, calls);
      await tracking.end();
      troveRuns[name] = run;
      job.runs?.push({ cwd: work, artifacts_path: join(root, 'client', name), calls, name });
    }
    for (const name of Object.keys(SEQUENCES)) {
      job.read_dirs?.push(join(root, 'trove', name), join(root, 'client', name));
    }
    const { read } = runClient(python, job, root);

    let parsedFiles = 0;
    for (const name of Object.keys(SEQUENCES)) {
      const ours = join(root, 'trove', name);
      const theirs = join(root, 'client', name);
      // Path for path, byte for byte (modes too), outside events/.
      expect(snapshotTree(ours, APART), name).toEqual(snapshotTree(theirs, APART));
      expect(bookkeeping(ours), name).toEqual(bookkeeping(theirs));
      // Events: the same files, the same header, the same rows.
      const files = eventFiles(theirs);
      expect(eventFiles(ours), name).toEqual(files);
      for (const file of files) {
        const mine = readFileSync(join(ours, 'events', file), 'utf8');
        const client = readFileSync(join(theirs, 'events', file), 'utf8');
        expect(eventRows(mine), `${name}: ${file}`).toEqual(eventRows(client));
        // The store holds the same events file as the run folder.
        const { run } = troveRuns[name] as tracking.PolyaxonRun;
        expect(await readEvents(store, run.id, file)).toBe(mine);
        // traceml's reader parses trove's file to the same columns and values as the client's.
        const parsed = read[ours]?.[file];
        expect(parsed, `${name}: ${file}`).toEqual(read[theirs]?.[file]);
        expect(Object.values(parsed?.values ?? {})[0]?.length).toBeGreaterThan(0);
        parsedFiles++;
      }
    }
    expect(parsedFiles).toBeGreaterThan(40);
    // A timestamp given with the call is the row's time on both sides.
    const stamp = (dir: string) =>
      Date.parse(
        readFileSync(join(root, dir, 'kinds/events/metric/t.plx'), 'utf8').split('|')[3] ?? '',
      );
    expect(stamp('trove')).toBe(Date.parse('2026-01-02T03:04:05.678Z'));
    expect(stamp('client')).toBe(stamp('trove'));

    // What was saved under outputs/ without a log call is stored with the run.
    const seed = (troveRuns.seed as tracking.PolyaxonRun).run;
    const paths = Object.keys(await store.readArtifacts(seed.id)).sort();
    expect(paths).toEqual([
      'assets/dataframe/df-pickle_140.pkl',
      'assets/dataframe/df-pickle_3.pkl',
      'assets/model/model_140',
      'assets/model/model_3',
      'outputs/csv_files/new/file.csv',
      'outputs/different_folder/model.h5',
      'outputs/file.csv',
      'outputs/model',
      'outputs/model.h5',
      'outputs/sub-folder',
    ]);
    expect((await storeKeys(store)).some((k) => k.includes('.dvc'))).toBe(false);
  });

  it('records the client’s names, kinds, inputs and summaries, and the Git code reference', async () => {
    const root = tempDir();
    const work = join(root, 'work');
    mkdirSync(join(work, 'ckpt.v2'), { recursive: true });
    writeFileSync(join(work, 'ckpt.v2', 'w'), 'w');
    writeFileSync(join(work, 'model.pkl'), 'pkl');
    const git = (...args: string[]) =>
      spawnSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', ...args], {
        cwd: work,
        encoding: 'utf8',
      });
    git('init', '-q', '-b', 'trunk');
    git('add', 'model.pkl');
    git('commit', '-qm', 'first');
    const commit = git('rev-parse', 'HEAD').stdout.trim();
    const calls: Array<[string, Record<string, unknown>]> = [
      ['log_data_ref', { name: 'train-set', path: 's3://bucket/train', hash: 'abc' }],
      ['log_file_ref', { path: 'model.pkl', summary: { rows: 3 } }],
      ['log_dir_ref', { path: 'ckpt.v2' }],
      ['log_model_ref', { path: 'gs://bucket/m.pt', framework: 'torch', name: 'best.model' }],
      ['log_artifact_ref', { path: 's3://b/x.csv', kind: 'dataframe', summary: { k: 'v' } }],
      ['log_code_ref', {}],
    ];
    runClient(python, { runs: [{ cwd: work, artifacts_path: join(root, 'client'), calls }] }, root);
    const client = JSON.parse(
      readFileSync(join(root, 'client', 'lineages.plx.json'), 'utf8'),
    ) as Array<{
      name: string;
      kind: string;
      is_input: boolean;
      summary: Record<string, unknown>;
    }>;

    const run = await tracking.init({
      cwd: work,
      store: memoryStore(),
      artifactsPath: join(root, 'trove'),
      trackCode: false,
    });
    await run.logDataRef({ name: 'train-set', path: 's3://bucket/train', hash: 'abc' });
    await run.logFileRef('model.pkl', { summary: { rows: 3 } });
    await run.logDirRef({ path: 'ckpt.v2' });
    await run.logModelRef('gs://bucket/m.pt', { framework: 'torch', name: 'best.model' });
    await run.logArtifactRef({ path: 's3://b/x.csv', kind: 'dataframe', summary: { k: 'v' } });
    await run.logCodeRef();
    await run.end();

    const ours = run.run.lineage;
    expect(ours.map((r) => r.name).sort()).toEqual(client.map((r) => r.name).sort());
    for (const row of client) {
      const mine = ours.find((r) => r.name === row.name);
      expect(mine, row.name).toBeDefined();
      expect([mine?.kind, mine?.isInput, mine?.isRef], row.name).toEqual([
        row.kind,
        row.is_input,
        true,
      ]);
      for (const key of ['framework', 'k', 'rows', 'commit', 'branch']) {
        expect(mine?.summary[key], `${row.name}.${key}`).toEqual(row.summary[key]);
      }
      if (typeof row.summary.path === 'string' && row.summary.path.includes('://')) {
        expect(mine?.summary.path).toBe(row.summary.path);
        expect(mine?.summary.hash).toBe(row.summary.hash);
      }
    }
    const code = ours.find((r) => r.kind === 'coderef');
    expect(code?.summary).toMatchObject({ commit, branch: 'trunk', is_dirty: true });
    expect(code?.name).toBe(commit);
  });
});
