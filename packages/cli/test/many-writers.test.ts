import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trove, troveAsync, troveJson } from './helpers.js';

describe('many writers to one run', () => {
  it('8 processes adding to one run at once (local): every entry and lineage row is kept', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'trove-writers-'));
    expect(trove(['init'], { cwd }).code).toBe(0);
    writeFileSync(join(cwd, 'seed.txt'), 'seed');
    const { run } = troveJson<{ run: string }>(['add', 'seed.txt'], { cwd });
    const writers = 8;
    const perWriter = 4;
    for (let w = 0; w < writers; w++)
      for (let i = 0; i < perWriter; i++)
        writeFileSync(join(cwd, `w${w}-${i}.txt`), `writer ${w} file ${i}`);
    const results = await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        const codes: number[] = [];
        for (let i = 0; i < perWriter; i++) {
          const r = await troveAsync(
            ['add', `w${w}-${i}.txt`, '--run', run, '--step', String(i), '--name', `w${w}`],
            cwd,
          );
          if (r.code !== 0) throw new Error(r.stderr);
          codes.push(r.code);
        }
        return codes;
      }),
    );
    expect(results.flat()).toEqual(Array(writers * perWriter).fill(0));
    const shown = troveJson<{ artifacts: Array<{ path: string }>; lineage: unknown[] }>(
      ['runs', 'show', run],
      { cwd },
    );
    const expected = ['outputs/seed.txt'];
    for (let w = 0; w < writers; w++)
      for (let i = 0; i < perWriter; i++) expected.push(`assets/file/w${w}_${i}.txt`);
    expect(shown.artifacts.map((a) => a.path).sort()).toEqual(expected.sort());
    expect(shown.lineage).toHaveLength(1 + writers * perWriter);
    expect(trove(['verify'], { cwd }).code).toBe(0);
  });
});
