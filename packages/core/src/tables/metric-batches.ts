/**
 * A running run's metric values, committed to the metrics table in batches while it runs, so an
 * engine reading the bucket (Spark, polars) sees a long training's curves before it ends. trove's
 * own searches do not need them (they read a running run from its folder). A batch goes out when
 * enough rows wait or enough time has passed, as an append with Delta's `txn` (one app id a
 * writer, its batch number the version), so a batch whose answer was lost is not added twice.
 * When the run ends, its rows are replaced whole (`commitRuns`); `settle()` first waits for the
 * batch in flight, so that none lands after. A batch that fails is left to that end commit.
 */
import { randomBytes } from 'node:crypto';
import type { Row } from '@trove/delta';
import type { Store } from '../record/store.js';
import { metricRowsOfBatch } from './metric-rows.js';
import { type MetricRow, pushAll } from './rows.js';
import { openTroveTable } from './tables.js';

const BATCH_ROWS = 10_000;
const BATCH_MS = 60_000;

export class MetricBatches {
  readonly #store: Store;
  readonly #runId: string;
  readonly #appId: string;
  #waiting: MetricRow[] = [];
  #since = Date.now();
  #sent = 0;
  #inFlight: Promise<void> = Promise.resolve();

  constructor(store: Store, runId: string) {
    this.#store = store;
    this.#runId = runId;
    this.#appId = `trove-metrics-${runId}-${randomBytes(6).toString('hex')}`;
  }

  /** Rows of a saved events batch; sends a batch when enough wait (never blocks the caller). */
  add(file: string, rows: string): void {
    pushAll(this.#waiting, metricRowsOfBatch(this.#runId, file, rows));
    const due = this.#waiting.length >= BATCH_ROWS || Date.now() - this.#since >= BATCH_MS;
    if (due && this.#waiting.length > 0) this.#send();
  }

  /** Waits for the batch in flight; what still waits is the end commit's. */
  async settle(): Promise<void> {
    this.#waiting = [];
    await this.#inFlight;
  }

  #send(): void {
    const rows = this.#waiting as unknown as Row[];
    this.#waiting = [];
    this.#since = Date.now();
    const version = ++this.#sent;
    this.#inFlight = this.#inFlight.then(async () => {
      try {
        const table = openTroveTable(this.#store, 'metrics').delta;
        await table.commit((snapshot) =>
          // Only into tables that exist: a store `trove index` has not made them for waits.
          snapshot.version < 0
            ? undefined
            : { add: [rows], appTxn: { appId: this.#appId, version } },
        );
      } catch {
        // Left to the end commit, which replaces the run's rows whole.
      }
    });
  }
}
