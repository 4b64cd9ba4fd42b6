/**
 * The size of V8's young generation, fitted to what the command moves (the CLI's own process
 * only: a library never changes its host's heap). The two shapes of a transfer want opposite
 * things, measured on a `trove get` from MinIO here:
 *
 * - A large object streams through socket buffers that die young. With the young generation
 *   kept at its first size (1 MiB semi-spaces), the next scavenge frees them: a 1 GiB get peaked
 *   at 145–157 MiB and took 2.4–2.6 s of user CPU; left to grow, 206–217 MiB and 3.3–3.7 s.
 * - Many small objects allocate ~64 KiB of short-lived objects each (requests, signatures,
 *   paths): 10,000 of 10 KiB made 741 scavenges of a 1 MiB young generation (0.53 s), and 49
 *   once it could grow (0.09 s); user CPU 3.9–4.6 s against 2.9–3.4 s.
 *
 * So the young generation starts small and may grow only once a run of small objects has come
 * through with no large one streaming (core publishes each download on `DOWNLOAD_CHANNEL`). V8
 * reads the growth factor at each scavenge; it never shrinks the space again, so a large object
 * after many small ones streams as under V8's defaults.
 */
import { subscribe } from 'node:diagnostics_channel';
import { setFlagsFromString } from 'node:v8';
import { DOWNLOAD_CHANNEL, type DownloadMessage } from '@trove/core';

/** Larger than this streams (core's small objects are written whole once they arrive). */
const LARGE = 1024 * 1024;
/** Small objects in a row before the young generation may grow. */
export const SMALL_RUN = 64;

/** The growth factor to set after each download message; `undefined` leaves it as it is. */
export function growthPolicy(): (message: DownloadMessage) => 1 | 2 | undefined {
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
    if (phase === 'end' && ++smallRun >= SMALL_RUN && streaming === 0) return set(2);
    return undefined;
  };
}

/**
 * Lets the young generation grow as `growthPolicy` says (bin.ts set its growth factor to 1 before
 * anything was loaded).
 */
export function fitYoungGeneration(): void {
  const policy = growthPolicy();
  subscribe(DOWNLOAD_CHANNEL, (message) => {
    const factor = policy(message as DownloadMessage);
    if (factor !== undefined) setFlagsFromString(`--semi-space-growth-factor=${factor}`);
  });
}
