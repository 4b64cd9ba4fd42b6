import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as backendFace from '../src/backend/index.js';
import * as root from '../src/index.js';
import { startRun } from '../src/run/start-run.js';
import { tempDir } from './helpers.js';

describe("core's faces", () => {
  it('@trove/core exports the user API: at most 89 names, none of them internals', () => {
    // Types are erased at run time; count them from the source of the entry point too.
    const source = readFileSync(new URL('../src/index.ts', import.meta.url), 'utf8');
    const typeNames = [...source.matchAll(/\btype (\w+)|export type \{([^}]*)\}/g)].flatMap((m) =>
      m[1] ? [m[1]] : (m[2] ?? '').split(',').map((s) => s.trim()),
    );
    const names = new Set([...Object.keys(root), ...typeNames.filter(Boolean)]);
    // 45 before the tables; search, index, sql, listArtifacts and findLineage added 10 names;
    // the web app's reads (countRuns, runKeys, metricSeries, prepareMetricSeries and the option
    // and result types) 7; lifecycle and lineage (issue 23) 13: setAlias, removeAlias,
    // listAliases, ListedAlias; lineageGraph, impactedBy, LineageGraph, LineageNode, WalkOptions;
    // gcPolicy, PolicyGcOptions, PolicyGcResult, parseDuration; push, pull, sync and their
    // options and summary types (issue 21) 7; the transfer channel a host listens to
    // (TRANSFER_CHANNEL, TransferMessage) 2; the read-through caches looked at and pruned
    // (cacheStatus, pruneCache, CacheStatus, PruneCacheOptions, PrunedCache) 5.
    expect(names.size).toBeLessThanOrEqual(89);
    expect(Object.keys(root).sort()).toEqual([
      'CONFIG_FILE',
      'ModelRegistry',
      'Run',
      'Store',
      'TRANSFER_CHANNEL',
      'TroveError',
      'addArtifact',
      'cacheStatus',
      'checkout',
      'countRuns',
      'findLineage',
      'findProject',
      'gc',
      'gcPolicy',
      'impactedBy',
      'indexTables',
      'isTroveError',
      'lineageGraph',
      'listAliases',
      'listArtifacts',
      'loadConfig',
      'metricSeries',
      'openRegistry',
      'openStore',
      'parseDuration',
      'prepareMetricSeries',
      'pruneCache',
      'pull',
      'push',
      'removeAlias',
      'resolveArtifactRef',
      'resumeRun',
      'runKeys',
      'searchRuns',
      'setAlias',
      'sql',
      'startRun',
      'sync',
      'withRun',
    ]);
    for (const internal of ['dumpYaml', 'pyFloatRepr', 'HashState', 'md5File', 'ingestPath']) {
      expect(names.has(internal)).toBe(false);
    }
  });

  it('@trove/core/backend exports what a backend author needs', () => {
    expect(Object.keys(backendFace).sort()).toEqual([
      'BatchQueue',
      'MemoryBackend',
      'RESERVED_SEGMENT_PREFIX',
      'STALE_JOURNAL_MS',
      'TRANSFER_CHANNEL',
      'TroveError',
      'UploadJournal',
      'abandonedJournals',
      'bodyChunks',
      'breakLock',
      'capabilitiesOf',
      'checkWriteConditions',
      'codeForHttpStatus',
      'collectBatches',
      'compareKeys',
      'countSpec',
      'createMemoryBackend',
      'defaultResumeDir',
      'defineBackend',
      'eachBatch',
      'errnoCode',
      'invalidOption',
      'isAbortError',
      'isNetworkError',
      'isTroveError',
      'joinKey',
      'localFileError',
      'mapLimit',
      'notFound',
      'objectStoreOptionSpecs',
      'preconditionFailed',
      'resolveObjectStoreOptions',
      'resolveOptions',
      'tempOwnerGone',
      'transferStarted',
      'validateKey',
      'validatePrefix',
      'withPathsFrom',
      'writeManyFailure',
    ]);
    const memory = new backendFace.MemoryBackend();
    expect(backendFace.capabilitiesOf(memory)).toEqual({
      ifNoneMatch: true,
      ifMatch: true,
      serverSideCopy: true,
      rangeRead: true,
      signedUrl: false,
      rename: true,
      writeMany: false,
      materialize: false,
    });
  });
});

describe('@trove/core/dialect', () => {
  it('is the one seam for the dialect packages; core has no dialect of its own', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    expect(Object.keys(pkg.exports).sort()).toEqual([
      '.',
      './backend',
      './dialect',
      './package.json',
    ]);
    expect(pkg.exports['./dialect']).toEqual({
      types: './dist/dialect.d.ts',
      default: './dist/dialect.js',
    });
    expect(existsSync(new URL('../src/dialects', import.meta.url))).toBe(false);
  });
});

describe('the embedded store ignores itself', () => {
  it('a library-only run (no trove init) creates .trove/.gitignore and git status shows no store file', async () => {
    const project = tempDir();
    execFileSync('git', ['init', '-q', project]);
    writeFileSync(join(project, 'model.bin'), 'weights');
    const run = await startRun({ cwd: project, dvcyaml: false });
    await run.logArtifact('model.bin', { cache: true });
    await run.end();
    expect(readFileSync(join(project, '.trove', '.gitignore'), 'utf8')).toBe('*\n');
    expect(existsSync(join(project, '.trove', 'runs', run.id, 'run.json'))).toBe(true);
    const status = execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], {
      cwd: project,
      encoding: 'utf8',
    });
    const files = status
      .split('\n')
      .filter(Boolean)
      .map((l) => l.slice(3));
    expect(files.filter((f) => f.startsWith('.trove'))).toEqual([]);
    expect(files.length).toBeGreaterThan(0); // git does see the project's own files
  });
});
