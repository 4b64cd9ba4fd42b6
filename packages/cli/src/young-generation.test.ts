import { describe, expect, it } from 'vitest';
import { growthPolicy, SMALL_RUN } from './young-generation.js';

const MIB = 1024 * 1024;
const small = (key: string) => [
  { key, size: 10 * 1024, phase: 'start' as const },
  { key, size: 10 * 1024, phase: 'end' as const },
];

describe('growthPolicy', () => {
  it(`lets the young generation grow after ${SMALL_RUN} small objects in a row, once`, () => {
    const policy = growthPolicy();
    const said: Array<number | undefined> = [];
    for (let i = 0; i < SMALL_RUN + 10; i++) for (const m of small(`k${i}`)) said.push(policy(m));
    // Nothing said until the run is complete, then 2 exactly once.
    expect(said.filter((f) => f !== undefined)).toEqual([2]);
    expect(said.indexOf(2)).toBe(2 * SMALL_RUN - 1);
  });

  it('keeps it small while a large object streams, and a large object stops its growth', () => {
    const policy = growthPolicy();
    expect(policy({ key: 'big', size: 1024 * MIB, phase: 'start' })).toBeUndefined();
    // Small objects beside a streaming large one do not let it grow.
    for (let i = 0; i < 2 * SMALL_RUN; i++)
      for (const m of small(`k${i}`)) expect(policy(m)).toBeUndefined();
    expect(policy({ key: 'big', size: 1024 * MIB, phase: 'end' })).toBeUndefined();
    // The run counts from the large object's end.
    const said: Array<number | undefined> = [];
    for (let i = 0; i < SMALL_RUN; i++) for (const m of small(`s${i}`)) said.push(policy(m));
    expect(said.filter((f) => f !== undefined)).toEqual([2]);
    // A large object after it: growth stops (1), and only then.
    expect(policy({ key: 'big2', size: 2 * MIB, phase: 'start' })).toBe(1);
    expect(policy({ key: 'big3', size: 2 * MIB, phase: 'start' })).toBeUndefined();
    expect(policy({ key: 'big2', size: 2 * MIB, phase: 'end' })).toBeUndefined();
    expect(policy({ key: 'big3', size: 2 * MIB, phase: 'end' })).toBeUndefined();
  });

  it('an object of exactly 1 MiB is small', () => {
    const policy = growthPolicy();
    const said: Array<number | undefined> = [];
    for (let i = 0; i < SMALL_RUN; i++) {
      said.push(policy({ key: `k${i}`, size: MIB, phase: 'start' }));
      said.push(policy({ key: `k${i}`, size: MIB, phase: 'end' }));
    }
    expect(said.filter((f) => f !== undefined)).toEqual([2]);
  });
});
