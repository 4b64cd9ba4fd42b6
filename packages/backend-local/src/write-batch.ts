import type * as NodeFs from 'node:fs';

/**
 * The inner loop of `writeMany`, for one batch of items. It runs inside worker threads (as
 * source text, via `Function.prototype.toString`), and on the main thread for small batches, so
 * it must stay self-contained: everything it uses comes in through its parameters.
 */

export interface BatchItem {
  key: string;
  /** Local file to store. */
  path: string;
  /** Final path of the object in the store (its folder already exists). */
  dest: string;
  md5?: string;
}

export interface BatchFailure {
  key: string;
  path: string;
  /** An errno name, or `CORRUPT` for an md5 mismatch. */
  code: string;
  message: string;
}

export interface BatchResult {
  written: number;
  skipped: number;
  bytes: number;
  failures: BatchFailure[];
}

export interface BatchState {
  /** Reused read buffer (1 MiB). */
  buffer: Buffer;
  /** Unique per thread: makes temp names unique without a random number per file. */
  tag: string;
  counter: number;
  /** Also fchmod 0444, when the umask would strip bits from the open() mode. */
  chmod: boolean;
  fsync: boolean;
}

type Md5Factory = () => { update(data: Uint8Array): unknown; digest(encoding: 'hex'): string };

/**
 * For each item: skip it if the object exists; else copy the file into a temp name in the
 * object's folder (mode 0444, created exclusively, md5 checked when given), `link()` it to the
 * final name (EEXIST: someone else stored it first, so skipped) and unlink the temp name.
 * Failures are reported per item; the batch goes on.
 */
export function writeBatch(
  fs: typeof NodeFs,
  md5: Md5Factory,
  items: readonly BatchItem[],
  state: BatchState,
): BatchResult {
  const result: BatchResult = { written: 0, skipped: 0, bytes: 0, failures: [] };
  const buffer = state.buffer;
  for (const item of items) {
    let temp: string | undefined;
    try {
      if (fs.existsSync(item.dest)) {
        result.skipped++;
        continue;
      }
      const source = fs.openSync(item.path, 'r');
      const hash = item.md5 === undefined ? undefined : md5();
      let size = 0;
      let target: number | undefined;
      try {
        const cut = Math.max(item.dest.lastIndexOf('/'), item.dest.lastIndexOf('\\')) + 1;
        temp = `${item.dest.slice(0, cut)}.trove-tmp-${state.tag}-${(state.counter++).toString(36)}`;
        target = fs.openSync(temp, 'wx', 0o444);
        for (;;) {
          const n = fs.readSync(source, buffer, 0, buffer.length, null);
          if (n === 0) break;
          if (hash) hash.update(n === buffer.length ? buffer : buffer.subarray(0, n));
          let done = 0;
          while (done < n) done += fs.writeSync(target, buffer, done, n - done);
          size += n;
        }
        if (state.chmod) fs.fchmodSync(target, 0o444);
        if (state.fsync) fs.fsyncSync(target);
      } finally {
        fs.closeSync(source);
        if (target !== undefined) fs.closeSync(target);
      }
      if (hash) {
        const actual = hash.digest('hex');
        if (actual !== item.md5) {
          result.failures.push({
            key: item.key,
            path: item.path,
            code: 'CORRUPT',
            message: `${item.path} has md5 ${actual}, not ${item.md5}`,
          });
          continue; // the catch-all below is not reached; `finally` removes the temp file
        }
      }
      try {
        fs.linkSync(temp, item.dest);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') {
          result.skipped++;
          continue;
        }
        if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EMLINK')
          throw err;
        // No hard links here: a plain rename, after one more look (objects are immutable, so a
        // concurrent writer of the same key stores the same bytes).
        if (fs.existsSync(item.dest)) {
          result.skipped++;
          continue;
        }
        fs.renameSync(temp, item.dest);
        temp = undefined;
      }
      result.written++;
      result.bytes += size;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      result.failures.push({
        key: item.key,
        path: item.path,
        code: e?.code ?? 'EUNKNOWN',
        message: String(e?.message ?? e),
      });
    } finally {
      if (temp !== undefined) {
        try {
          fs.unlinkSync(temp);
        } catch {
          // already gone
        }
      }
    }
  }
  return result;
}
