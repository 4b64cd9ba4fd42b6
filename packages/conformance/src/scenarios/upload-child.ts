/**
 * One upload in its own process, for the scenarios that kill it halfway or measure its peak
 * RSS (`runUpload`, upload-process.ts). argv[2] is an `UploadJob` as JSON: the backend class is
 * imported from `module` (a built package, as an application would use it) and constructed with
 * `options`, its per-piece event (`event`: `onPart`, `onChunk`, `onBlock`…) reporting each part,
 * chunk or block as one JSON line. With `killAfterSent: N` the process SIGKILLs itself once N
 * pieces went over the wire: no cleanup runs, as when a machine dies.
 */
import { createReadStream } from 'node:fs';
import type { StorageBackend } from '@trove/core/backend';
import type { UploadJob, UploadPiece } from './upload-process.js';

/** A part, chunk or block event of any backend, as one shape. */
function piece(event: Record<string, unknown>): UploadPiece {
  const id = event.partNumber ?? event.index ?? event.offset;
  return {
    id: Number(id),
    size: Number(event.size),
    reused: event.reused === true || event.kind === 'resumed',
    ...(typeof event.uploadId === 'string' ? { upload: event.uploadId } : {}),
  };
}

const job = JSON.parse(process.argv[2] ?? '{}') as UploadJob;
const module = (await import(job.module)) as Record<
  string,
  new (
    options: Record<string, unknown>,
  ) => StorageBackend
>;
const Backend = module[job.className];
if (!Backend) throw new Error(`${job.module} exports no ${job.className}`);
let sent = 0;
const backend = new Backend({
  ...job.options,
  [job.event]: (event: Record<string, unknown>) => {
    const p = piece(event);
    process.stdout.write(`${JSON.stringify({ event, piece: p })}\n`);
    if (!p.reused && ++sent === job.killAfterSent) process.kill(process.pid, 'SIGKILL');
  },
});
const body =
  job.mode === 'stream'
    ? createReadStream(job.path, { highWaterMark: 1 << 20 })
    : { path: job.path };
try {
  const stat = await backend.write(job.key, body, job.writeOptions ?? {});
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ done: true, stat, maxRssMiB })}\n`);
} catch (err) {
  const { code, message } = err as { code?: string; message?: string };
  process.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`);
  process.exitCode = 1;
} finally {
  await backend.close?.();
}
