import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ReadOptions, ReadResult } from '../backend/contract.js';
import { MemoryBackend } from '../backend/memory-backend.js';
import { isTroveError, TroveError } from '../errors.js';
import { readWhole } from './meta-io.js';

/**
 * A backend whose first `cuts` reads of a key break mid-body the way a resumed read does when
 * the object changed in between (`CONFLICT`, retryable), after another writer replaced it.
 */
class ChangingBackend extends MemoryBackend {
  cuts: number;
  reads = 0;
  constructor(cuts: number) {
    super();
    this.cuts = cuts;
  }
  override async read(key: string, options: ReadOptions = {}): Promise<ReadResult> {
    this.reads++;
    const result = await super.read(key, options);
    if (this.cuts === 0) return result;
    this.cuts--;
    const version = this.reads;
    await super.write(key, `{"version": ${version + 1}}`);
    async function* cut(): AsyncGenerator<Buffer> {
      yield Buffer.from('{"vers');
      throw new TroveError('CONFLICT', `${key} changed while it was being read.`, {
        key,
        retryable: true,
      });
    }
    return { stat: result.stat, body: Readable.from(cut()) };
  }
}

describe('readWhole', () => {
  it('reads a record again from the start when it changed while a cut read was resumed', async () => {
    const backend = new ChangingBackend(2);
    await backend.write('registry/m.json', '{"version": 1}');
    const { text, etag } = await readWhole(backend, 'registry/m.json');
    expect(JSON.parse(text)).toEqual({ version: 3 });
    expect(etag).toBe((await backend.stat('registry/m.json')).etag);
    expect(backend.reads).toBe(3);
  });

  it('gives up after 5 reads that all found it changed, with the CONFLICT', async () => {
    const backend = new ChangingBackend(10);
    await backend.write('registry/m.json', '{"version": 1}');
    const err = await readWhole(backend, 'registry/m.json').catch((e: unknown) => e);
    expect(isTroveError(err, 'CONFLICT')).toBe(true);
    expect(backend.reads).toBe(5);
  });
});
