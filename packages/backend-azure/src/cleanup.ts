import { type JournalSweep, stateField } from '@trove/object-store';
import type { AzureContext } from './context.js';
import { uncommittedBlocks, uploadIdOfBlock } from './upload/requests.js';

/**
 * What `trove gc` sweeps on Azure (core's `sweepJournals`): the uncommitted blocks of block
 * uploads that were never committed, and their journals in `resumeDir`. Azure lists no
 * uploads (blocks carry no date), so the abandoned journals name them (the block-id prefix and
 * the blob). Blocks cannot be deleted one by one: a blob that does not exist, and whose every
 * uncommitted block is this upload's, is committed empty (create-only) and that very version
 * deleted (`If-Match`), which drops its uncommitted blocks. Blocks of a blob that exists, or
 * next to another upload's, are left to Azure, which drops uncommitted blocks after a week.
 */
export function uploadLeftovers(c: AzureContext): JournalSweep {
  return {
    resumeDir: c.options.resumeDir,
    endpoint: c.endpointId,
    container: c.options.container,
    uploadOf: stateField('uploadId'),
    async discard(upload, dryRun, signal) {
      const blocks = await uncommittedBlocks(c, upload.key, signal);
      const mine = [...blocks].filter(([id]) => uploadIdOfBlock(id) === upload.id);
      if (mine.length === 0) return undefined;
      const bytes = mine.reduce((n, [, size]) => n + size, 0);
      const detail = `uncommitted blocks of ${upload.key} (${upload.id}, ${mine.length} blocks, ${bytes} bytes)`;
      if (dryRun) return { bytes, detail };
      if (mine.length < blocks.size) return undefined;
      const blob = c.conn.container.getBlockBlobClient(upload.key);
      try {
        const empty = await blob.commitBlockList([], {
          abortSignal: signal,
          conditions: { ifNoneMatch: '*' },
        });
        await blob.delete({ abortSignal: signal, conditions: { ifMatch: empty.etag } });
      } catch {
        // The blob exists, or was written meanwhile (which dropped the blocks too): left to Azure.
        return undefined;
      }
      return { bytes, detail };
    },
  };
}
