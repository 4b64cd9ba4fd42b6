import { type JournalSweep, stateField } from '@trove/object-store';
import type { GcsContext } from './context.js';
import { cancelSession } from './upload/requests.js';

/**
 * What `trove gc` sweeps on GCS (core's `sweepJournals`): resumable sessions of uploads that
 * were never finished, and their journals in `resumeDir`. GCS has no call that lists open
 * sessions (they are URIs only their creator knows), so the abandoned journals name them: each
 * session is cancelled (its bytes are dropped) and its journal removed. GCS forgets a session a
 * week after it began on its own; this frees it sooner, and the journal with it.
 */
export function uploadLeftovers(ctx: GcsContext): JournalSweep {
  return {
    resumeDir: ctx.options.resumeDir,
    endpoint: ctx.endpointId,
    container: ctx.bucket.name,
    uploadOf: stateField('uri'),
    async discard(upload, dryRun) {
      if (!dryRun) await cancelSession(ctx, upload.id);
      return { bytes: 0, detail: `resumable session of ${upload.key}` };
    },
  };
}
