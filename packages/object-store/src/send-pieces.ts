/**
 * The staging loop of an upload in pieces (S3 UploadPart, Azure Put Block): pieces are read in
 * order, hashed into the md5 of the whole body as they are read, and sent `concurrency` at a
 * time; a piece the service already holds from an earlier attempt is not sent again. After the
 * first failure no new piece is read, and the failure is thrown once the pieces in flight have
 * ended. The backend says how one piece is sent and which it holds.
 */
import { createHash } from 'node:crypto';
import type { Piece, PieceSource } from './piece-source.js';

export interface SendPiecesOptions<R> {
  /** Pieces in flight at most. */
  concurrency: number;
  /** Checked before each piece is read (the requests carry it too). */
  signal?: AbortSignal | undefined;
  /** What the service holds for this piece already (a resumed upload), or undefined to send it. */
  held?(piece: Piece): R | undefined;
  /** Sends one piece; its answer is what `held` would give for it next time. */
  send(piece: Piece): Promise<R>;
  /** Called for each piece once it is on the service; `done` counts the bytes of those so far. */
  onPiece?(piece: Piece, result: R, reused: boolean, done: number): void;
}

export interface SentPieces<R> {
  /** Each piece's result, in the order of the body. */
  results: R[];
  /** md5 (hex) of the whole body, computed from the pieces in order. */
  md5: string;
  size: number;
  /** Pieces sent now, and pieces the service held already. */
  sent: number;
  reused: number;
}

/** Sends every piece of `source` (see the module comment) and closes it. */
export async function sendPieces<R>(
  source: PieceSource,
  options: SendPiecesOptions<R>,
): Promise<SentPieces<R>> {
  const whole = createHash('md5');
  const results: R[] = [];
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  let size = 0;
  let done = 0;
  let sent = 0;
  let reused = 0;
  const finished = (piece: Piece, result: R, wasReused: boolean): void => {
    results[piece.index] = result;
    done += piece.bytes.length;
    options.onPiece?.(piece, result, wasReused, done);
  };
  try {
    while (!failure) {
      options.signal?.throwIfAborted();
      const piece = await source.next();
      if (!piece) break;
      whole.update(piece.bytes);
      size += piece.bytes.length;
      const prior = options.held?.(piece);
      if (prior !== undefined) {
        reused++;
        finished(piece, prior, true);
        piece.release();
        continue;
      }
      const task = options
        .send(piece)
        .then(
          (result) => {
            sent++;
            finished(piece, result, false);
          },
          (error: unknown) => {
            failure ??= { error };
          },
        )
        .finally(() => {
          piece.release();
          inFlight.delete(task);
        });
      inFlight.add(task);
      while (inFlight.size >= options.concurrency && !failure) await Promise.race(inFlight);
    }
  } catch (error) {
    failure ??= { error };
  } finally {
    await Promise.allSettled(inFlight);
    await source.close().catch(() => {});
  }
  if (failure) throw failure.error;
  return { results, md5: whole.digest('hex'), size, sent, reused };
}
