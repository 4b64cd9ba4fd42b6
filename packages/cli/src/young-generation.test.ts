import { describe, expect, it } from 'vitest';
import { growthPolicy, SMALL_RUN, YOUNG_MAX } from './young-generation.js';

const MIB = 1024 * 1024;
type Direction = 'download' | 'upload';
const message = (
  key: string,
  size: number,
  phase: 'start' | 'end',
  direction: Direction = 'download',
) => ({
  key,
  size,
  phase,
  direction,
});
/** The factors a policy says for `count` small objects (start and end each). */
function smallObjects(
  policy: ReturnType<typeof growthPolicy>,
  count: number,
  direction: Direction = 'download',
): Array<number | undefined> {
  const said: Array<number | undefined> = [];
  for (let i = 0; i < count; i++)
    for (const phase of ['start', 'end'] as const)
      said.push(policy(message(`k${i}`, 10 * 1024, phase, direction)));
  return said;
}
const spoken = (said: Array<number | undefined>) => said.filter((f) => f !== undefined);

describe('growthPolicy', () => {
  it(`lets the young generation grow after ${SMALL_RUN} small objects in a row, once`, () => {
    const policy = growthPolicy(() => MIB);
    const said = smallObjects(policy, SMALL_RUN + 10);
    expect(spoken(said)).toEqual([2]);
    // Said at the end of the run's last object.
    expect(said.indexOf(2)).toBe(2 * SMALL_RUN - 1);
  });

  it(`stops its growth once the new space reaches ${YOUNG_MAX / MIB} MiB, and lets it grow again below`, () => {
    let young = MIB;
    const policy = growthPolicy(() => young);
    expect(spoken(smallObjects(policy, SMALL_RUN))).toEqual([2]);
    young = YOUNG_MAX;
    expect(spoken(smallObjects(policy, 100))).toEqual([1]);
    // Nothing more while it stays there.
    expect(spoken(smallObjects(policy, 100))).toEqual([]);
    young = YOUNG_MAX / 2;
    expect(spoken(smallObjects(policy, 100))).toEqual([2]);
  });

  it('never grows it when it is already at its largest', () => {
    const policy = growthPolicy(() => YOUNG_MAX);
    expect(spoken(smallObjects(policy, 4 * SMALL_RUN))).toEqual([]);
  });

  it('keeps it small while a large object streams, and a large object stops its growth', () => {
    const policy = growthPolicy(() => MIB);
    expect(policy(message('big', 1024 * MIB, 'start'))).toBeUndefined();
    // Small objects beside a streaming large one do not let it grow.
    expect(spoken(smallObjects(policy, 2 * SMALL_RUN))).toEqual([]);
    expect(policy(message('big', 1024 * MIB, 'end'))).toBeUndefined();
    // The run counts from the large object's end; uploads count as downloads do.
    expect(spoken(smallObjects(policy, SMALL_RUN, 'upload'))).toEqual([2]);
    // A large object after it: growth stops (1), and only then.
    expect(policy(message('big2', 2 * MIB, 'start'))).toBe(1);
    expect(policy(message('big3', 2 * MIB, 'start', 'upload'))).toBeUndefined();
    expect(policy(message('big2', 2 * MIB, 'end'))).toBeUndefined();
    expect(policy(message('big3', 2 * MIB, 'end', 'upload'))).toBeUndefined();
  });

  it('an object of exactly 1 MiB is small', () => {
    const policy = growthPolicy(() => MIB);
    const said: Array<number | undefined> = [];
    for (let i = 0; i < SMALL_RUN; i++)
      for (const phase of ['start', 'end'] as const)
        said.push(policy(message(`k${i}`, MIB, phase)));
    expect(spoken(said)).toEqual([2]);
  });
});
