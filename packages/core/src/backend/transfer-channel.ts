/**
 * Every object trove moves between this machine and a store is published on one
 * `diagnostics_channel`, as it starts (its size known) and when it ends, for a host that tunes
 * itself to the shape of its transfers: the CLI sizes V8's young generation by it
 * (`cli/src/young-generation.ts`). A library never changes its host's heap; with no subscriber
 * nothing is built.
 */
import { channel } from 'node:diagnostics_channel';

export const TRANSFER_CHANNEL = 'trove:transfer';

/** One message of `TRANSFER_CHANNEL`. */
export interface TransferMessage {
  key: string;
  size: number;
  phase: 'start' | 'end';
  direction: 'download' | 'upload';
}

const transfers = channel(TRANSFER_CHANNEL);
const nothing = (): void => {};

/**
 * Publishes the start of one object's transfer; returns what publishes its end (call it once,
 * also when the transfer fails).
 */
export function transferStarted(
  key: string,
  size: number,
  direction: TransferMessage['direction'],
): () => void {
  if (!transfers.hasSubscribers) return nothing;
  transfers.publish({ key, size, phase: 'start', direction } satisfies TransferMessage);
  return () => transfers.publish({ key, size, phase: 'end', direction } satisfies TransferMessage);
}
