/**
 * The size of V8's young generation, fitted to what the command moves (the CLI's own process
 * only: a library never changes its host's heap). The two shapes of a transfer want opposite
 * things, measured with MinIO here:
 *
 * - A large object streams through socket buffers that die young. With the young generation
 *   kept at its first size (1 MiB semi-spaces), the next scavenge frees them: a 1 GiB get peaked
 *   at 142–153 MiB and took 2.4–2.6 s of user CPU; left to grow, 201–212 MiB and 3.2–3.7 s.
 * - Many small objects allocate ~64 KiB of short-lived objects each (requests, signatures,
 *   paths): 10,000 of 10 KiB made 741 scavenges of a 1 MiB young generation (0.53 s), and 49
 *   once it could grow (0.09 s); user CPU 3.2–3.7 s against 2.8–2.9 s grown to 16 MiB. Uploads
 *   alike: a `trove push` of the same files peaked at 188–190 MiB with the small young
 *   generation, 128–131 MiB with a grown one.
 *
 * So the young generation starts small and may grow, up to `YOUNG_MAX`, only once a run of
 * small objects has come through with no large one streaming: core and the object stores publish
 * each object they download or upload on `TRANSFER_CHANNEL`. V8 reads the growth factor at each
 * scavenge; it does not shrink the space when the factor goes back to 1, so a large object after
 * many small ones streams with the grown young generation.
 */
import { subscribe } from 'node:diagnostics_channel';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { TRANSFER_CHANNEL, type TransferMessage } from '@trove/core';

/** Larger than this streams (core's small objects are written whole once they arrive). */
const LARGE = 1024 * 1024;
/** Small objects in a row before the young generation may grow (a multiple of `LOOK_EVERY`). */
export const SMALL_RUN = 64;
/**
 * Bytes of new space (as V8 reports it: both semi-spaces) past which growth stops again. V8's
 * own limit here is 32 MiB, where a 10,000-blob get from Azurite (the Azure SDK's reads) peaked
 * at 277–281 MiB; 16 MiB keeps most of the gain (scavenges of a 10,000-file get from MinIO: 741
 * at 1 MiB, 85 at 16, 49 at 32).
 */
export const YOUNG_MAX = 16 * 1024 * 1024;
/** The new space's size is looked at every this many small objects, not after each. */
const LOOK_EVERY = 8;

/**
 * The growth factor to set after each transfer message; `undefined` leaves it as it is.
 * `youngSize` is the new space's size now.
 */
export function growthPolicy(
  youngSize: () => number,
): (message: TransferMessage) => 1 | 2 | undefined {
  let streaming = 0;
  let smallRun = 0;
  let current: 1 | 2 = 1;
  const set = (factor: 1 | 2) => {
    if (factor === current) return undefined;
    current = factor;
    return factor;
  };
  return ({ size, phase }) => {
    if (size > LARGE) {
      streaming += phase === 'start' ? 1 : -1;
      smallRun = 0;
      return streaming > 0 ? set(1) : undefined;
    }
    if (phase !== 'end' || ++smallRun < SMALL_RUN || streaming > 0) return undefined;
    if (smallRun % LOOK_EVERY !== 0) return undefined;
    return set(youngSize() < YOUNG_MAX ? 2 : 1);
  };
}

/** The new space's size in bytes, as V8 reports it. */
function newSpaceSize(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
}

/**
 * Lets the young generation grow as `growthPolicy` says (bin.ts set its growth factor to 1 before
 * anything was loaded).
 */
export function fitYoungGeneration(): void {
  const policy = growthPolicy(newSpaceSize);
  subscribe(TRANSFER_CHANNEL, (message) => {
    const factor = policy(message as TransferMessage);
    if (factor !== undefined) setFlagsFromString(`--semi-space-growth-factor=${factor}`);
  });
}
