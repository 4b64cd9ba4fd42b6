/**
 * An async iterable of batches that a producer fills while a consumer reads: hashing pushes the
 * files it has hashed, a backend's `writeMany` uploads them meanwhile. Unbounded on purpose: a
 * batch holds paths and hashes, not file contents, and the producer ends on its own.
 */
export class BatchQueue<T> implements AsyncIterable<readonly T[]> {
  readonly #ready: (readonly T[])[] = [];
  #ended = false;
  #failure: { error: unknown } | undefined;
  #wake: (() => void) | undefined;

  push(batch: readonly T[]): void {
    if (this.#ended) throw new Error('BatchQueue: push after end');
    if (batch.length === 0) return;
    this.#ready.push(batch);
    this.#notify();
  }

  /** No more batches: the reader finishes once it has taken the ones queued. */
  end(): void {
    this.#ended = true;
    this.#notify();
  }

  /** The producer failed: the reader throws `error` instead of taking more batches. */
  fail(error: unknown): void {
    this.#failure ??= { error };
    this.#ended = true;
    this.#notify();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<readonly T[]> {
    for (;;) {
      if (this.#failure) throw this.#failure.error;
      const batch = this.#ready.shift();
      if (batch) {
        yield batch;
        continue;
      }
      if (this.#ended) return;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
    }
  }

  #notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}

/** The batches of an array (one batch) or of an async source, in order. */
export async function* eachBatch<T>(
  source: readonly T[] | AsyncIterable<readonly T[]>,
): AsyncGenerator<readonly T[]> {
  if (Array.isArray(source)) {
    if (source.length > 0) yield source as readonly T[];
    return;
  }
  for await (const batch of source as AsyncIterable<readonly T[]>) yield batch;
}

/** Every item of an array or of an async source of batches, in one array. */
export async function collectBatches<T>(
  source: readonly T[] | AsyncIterable<readonly T[]>,
): Promise<readonly T[]> {
  if (Array.isArray(source)) return source as readonly T[];
  const out: T[] = [];
  for await (const batch of source as AsyncIterable<readonly T[]>) out.push(...batch);
  return out;
}
