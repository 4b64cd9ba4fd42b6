/**
 * A server-side copy pinned to the version of the source that was looked up (its etag as the
 * copy's source condition), so the size it returns is the one copied. When the source changes
 * between the lookup and the copy, the service refuses it and the copy starts over, a few times.
 */
import { notFound, type ObjectStat } from '@trove/core/backend';

/** Attempts when the source changes between the lookup and the copy. */
const SOURCE_ATTEMPTS = 3;

export interface PinnedCopy<S extends ObjectStat> {
  /** The source's stat, `undefined` when absent. */
  head(): Promise<S | undefined>;
  /** The copy of that version of the source. */
  copy(source: S): Promise<ObjectStat>;
  /** True for the error the service gives when the source is no longer that version. */
  sourceChanged(err: unknown): boolean;
}

/** Copies `from` (see the module comment); `NOT_FOUND` when there is no source. */
export async function pinnedCopy<S extends ObjectStat>(
  kind: string,
  from: string,
  steps: PinnedCopy<S>,
): Promise<ObjectStat> {
  for (let attempt = 1; ; attempt++) {
    const source = await steps.head();
    if (!source) throw notFound(kind, from, 'No object to copy at');
    try {
      return await steps.copy(source);
    } catch (err) {
      if (!steps.sourceChanged(err) || attempt >= SOURCE_ATTEMPTS) throw err;
    }
  }
}
