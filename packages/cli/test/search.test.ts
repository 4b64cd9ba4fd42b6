import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@trove/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { trove, troveJson } from './helpers.js';

let cwd: string;
const ids: Record<string, string> = {};

/** Three runs with params, a metric, a tag and an artifact each, logged by a script (core's API). */
beforeAll(async () => {
  cwd = tempDir();
  expect(trove(['init'], { cwd }).code).toBe(0);
  const { startRun } = await import('@trove/core');
  for (const [name, lr, acc, team] of [
    ['a', 0.001, 0.95, 'cv'],
    ['b', 0.01, 0.8, 'nlp'],
    ['c', 0.1, 0.97, 'nlp'],
  ] as const) {
    const run = await startRun({ cwd, name, params: { lr }, tags: { team } });
    run.logMetric('acc', acc);
    writeFileSync(join(cwd, `${name}.bin`), name);
    await run.logArtifact(`${name}.bin`, { name: 'weights', type: 'model' });
    await run.end();
    ids[name] = run.id;
  }
});

describe('trove runs search', () => {
  it('finds runs by filter and order, as JSON and as a table with chosen columns', () => {
    const found = troveJson<Array<{ id: string; metrics: Record<string, number> }>>(
      ['runs', 'search', 'metrics.acc > 0.9', '--order-by', 'metrics.acc DESC'],
      { cwd },
    );
    expect(found.map((r) => r.id)).toEqual([ids.c, ids.a]);
    expect(found[0]?.metrics).toEqual({ acc: 0.97 });
    const table = trove(
      [
        'runs',
        'search',
        "tags.team = 'nlp' or params.lr < 0.005",
        '--order-by',
        'params.lr',
        '--columns',
        'name',
        'params.lr',
        'metrics.acc',
      ],
      { cwd },
    );
    expect(table.code).toBe(0);
    expect(
      table.stdout
        .trim()
        .split('\n')
        .map((l) => l.split(/\s+/)),
    ).toEqual([
      ['NAME', 'PARAMS.LR', 'METRICS.ACC'],
      ['a', '0.001', '0.95'],
      ['b', '0.01', '0.8'],
      ['c', '0.1', '0.97'],
    ]);
    expect(troveJson<unknown[]>(['runs', 'ls', '--limit', '1'], { cwd })).toHaveLength(1);
  });

  it('a bad filter is one INVALID_ARGUMENT (exit 4) naming the column, no trace', () => {
    const r = trove(['runs', 'search', 'metrics.acc > 0.9 and params.lr = '], { cwd });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('[INVALID_ARGUMENT]');
    expect(r.stderr).toMatch(/column 35/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const json = trove(['--json', 'runs', 'search', 'metrics.acc >> 1'], { cwd });
    expect(json.code).toBe(4);
    expect(JSON.parse(json.stdout)).toMatchObject({
      error: { code: 'INVALID_ARGUMENT' },
    });
    for (const bad of [
      ['--limit', '-1'],
      ['--columns', 'nosuch'],
    ]) {
      const refused = trove(['runs', 'ls', ...bad], { cwd });
      expect(refused.code, bad.join(' ')).toBe(4);
      expect(refused.stderr).toContain('[INVALID_ARGUMENT]');
    }
  });
});

describe('trove index and trove sql', () => {
  it('index rebuilds the same rows; sql reads the tables and nothing else', () => {
    const before = troveJson<Array<{ name: string; n: number }>>(
      [
        'sql',
        'SELECT runs.name, count(*) AS n FROM runs JOIN artifacts USING (run_id) GROUP BY runs.name ORDER BY runs.name',
      ],
      { cwd },
    );
    expect(before).toEqual([
      { name: 'a', n: 1 },
      { name: 'b', n: 1 },
      { name: 'c', n: 1 },
    ]);
    const rebuilt = troveJson<{ runs: number; cleared: number }>(['index', '--rebuild'], { cwd });
    expect(rebuilt).toMatchObject({ runs: 3, cleared: 0 });
    expect(
      troveJson<unknown[]>(
        [
          'sql',
          'SELECT runs.name, count(*) AS n FROM runs JOIN artifacts USING (run_id) GROUP BY runs.name ORDER BY runs.name',
        ],
        { cwd },
      ),
    ).toEqual(before);
    const leak = join(cwd, 'leak.csv');
    const copy = trove(['sql', `COPY (SELECT 1) TO '${leak}'`], { cwd });
    expect(copy.code).toBe(4);
    expect(existsSync(leak)).toBe(false);
  });

  it('ls and lineage name what the tables hold, newest first', () => {
    const listed = troveJson<Array<{ run: string; name: string }>>(['ls', '--type', 'model'], {
      cwd,
    });
    expect(listed.map((a) => a.run)).toEqual([ids.c, ids.b, ids.a]);
    const lineage = troveJson<Array<{ run: string; direction: string }>>(['lineage', 'weights'], {
      cwd,
    });
    expect(lineage).toEqual([expect.objectContaining({ run: ids.c, direction: 'output' })]);
  });
});
