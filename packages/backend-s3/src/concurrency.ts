/** A semaphore counted in bytes: `acquire(n)` waits until `n` more bytes fit in the budget. */
export class ByteBudget {
  #used = 0;
  readonly #waiters: (() => void)[] = [];
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  async acquire(bytes: number): Promise<void> {
    // One item larger than the whole budget still runs, alone.
    while (this.#used > 0 && this.#used + bytes > this.#limit) {
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    this.#used += bytes;
  }

  release(bytes: number): void {
    this.#used -= bytes;
    for (const wake of this.#waiters.splice(0)) wake();
  }
}
