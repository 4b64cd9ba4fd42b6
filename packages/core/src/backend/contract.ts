import type { Readable } from 'node:stream';

/**
 * The storage contract. A backend moves bytes and nothing else: hashing, dedup, layout and
 * lineage live in core, once. Keys are `/`-separated and validated by core before they reach a
 * backend (see `validateKey`); a backend maps them onto its service under its own prefix.
 */
export interface StorageBackend {
  /** "local" | "s3" | "gcs" | "azure" | "memory" | a third-party kind. */
  readonly kind: string;
  /** Facts about the service; optional methods are announced by being present (`capabilitiesOf`). */
  readonly capabilities: DeclaredCapabilities;

  /**
   * Metadata of one object. Throws `NOT_FOUND` (with `key` set) when absent, also when the key
   * names a "folder" (a prefix of other keys) rather than an object.
   */
  stat(key: string, options?: OpOptions): Promise<ObjectStat>;

  /** True when the object exists. Does not throw when absent. */
  exists(key: string, options?: OpOptions): Promise<boolean>;

  /**
   * Opens an object for reading as a stream; `range` reads part of it (only when
   * `capabilities.rangeRead`; a range starting at or past the end gives an empty body). Throws
   * `NOT_FOUND` when absent. `stat` describes the whole object.
   */
  read(key: string, options?: ReadOptions): Promise<ReadResult>;

  /**
   * Writes an object from bytes, a string (UTF-8), an async iterable of chunks, or a local file
   * (`{ path }`), with bounded memory whatever its size. Readers never see a partial object.
   * `ifNoneMatch: "*"` fails with `PRECONDITION_FAILED` if the key exists; `ifMatch` fails with
   * `PRECONDITION_FAILED` unless the current etag equals it (`NOT_FOUND` if absent); it is atomic
   * against other conditional writers (a plain write racing it may be lost on some backends).
   * `md5` (hex) makes the write fail with `CORRUPT`, leaving nothing behind, if the bytes stored
   * have another md5. The returned stat carries `md5` when the backend computed it from the bytes.
   */
  write(key: string, body: WriteBody, options?: WriteOptions): Promise<ObjectStat>;

  /** Copies an object, server-side where the service can. Throws `NOT_FOUND` if `from` is absent. */
  copy(from: string, to: string, options?: CopyOptions): Promise<ObjectStat>;

  /**
   * Where this backend's objects live, for a server-side copy into another store of the same
   * service: `service` names the service and endpoint (two backends copy server-side only when
   * theirs are equal), `container` the bucket or container. Optional.
   */
  readonly copyOrigin?: CopyOrigin;

  /**
   * Copies `fromKey` of `source` (another store) to `toKey` on the server, when both are the same
   * service (`copyOrigin.service`) and the service can; resolves `undefined` when it cannot, and
   * the caller streams the bytes instead. Throws as `copy` does (`PRECONDITION_FAILED` for
   * `ifNoneMatch: "*"` on an existing key, `NOT_FOUND` when the source is absent). Optional.
   */
  copyFrom?(
    source: StorageBackend,
    fromKey: string,
    toKey: string,
    options?: CopyOptions,
  ): Promise<ObjectStat | undefined>;

  /** Deletes an object. Idempotent: does not throw when absent. */
  delete(key: string, options?: OpOptions): Promise<void>;

  /** Deletes many objects, batched where the service can. Absent keys are ignored. */
  deleteMany(keys: readonly string[], options?: OpOptions): Promise<void>;

  /**
   * Every object whose key starts with `prefix` (a plain string prefix: `foo` matches `foobar/x`),
   * recursively, in ascending byte order of key. Paginates inside. Empty when nothing matches.
   */
  list(prefix: string, options?: ListOptions): AsyncIterable<ObjectEntry>;

  /** Moves an object atomically. Optional (`capabilitiesOf(b).rename`). `NOT_FOUND` if `from` is absent. */
  rename?(from: string, to: string, options?: CopyOptions): Promise<ObjectStat>;

  /**
   * Writes many local files at once, using threads where that is faster (many small files).
   * `items` is an array, or batches arriving over time (a directory still being hashed), which a
   * backend may start sending before the last batch is there. Keys that already exist are left
   * as they are (counted as `skipped`). Optional. An item that fails
   * (bytes not matching its `md5`: `CORRUPT`; a missing file: `NOT_FOUND`) does not stop the
   * others; after all were tried, the call throws the first failure, with its `key`. When the
   * batch source itself fails, no new item starts and its error is thrown.
   */
  writeMany?(items: WriteManySource, options?: WriteManyOptions): Promise<WriteManyResult>;

  /**
   * Puts an object at a local path by the first link type that works (reflink, hardlink, copy by
   * default), replacing what is there. Optional. Returns the type used.
   */
  materialize?(key: string, destination: string, options?: MaterializeOptions): Promise<LinkType>;

  /**
   * The file on this machine that holds `key` (whether or not it exists), for a backend whose
   * objects are local files: a sync from it hands them to the target's `writeMany` as files,
   * the fastest way many small objects leave this machine. Optional.
   */
  pathOf?(key: string): string;

  /** A URL that grants `method` on the object without credentials. Optional. */
  signedUrl?(key: string, options: SignedUrlOptions): Promise<URL>;

  /**
   * Removes what the backend itself leaves behind when a process dies mid-operation, and which
   * `list` never shows: temp files and stale lock files (local), multipart uploads and resume
   * journals (object stores). Only what was started before `olderThan` goes, so a writer still
   * in flight is left alone; `prefix` limits it to keys under that prefix where the service can
   * tell (a bucket shared with other tools). With `dryRun` nothing is removed and the result says
   * what would be. Optional (`trove gc` calls it when present). Does not throw for items that
   * vanish meanwhile.
   */
  cleanup?(options: CleanupOptions): Promise<CleanupResult>;

  /** Releases sockets, handles and threads. The backend is unusable afterwards. */
  close?(): Promise<void>;
}

export interface CleanupOptions extends OpOptions {
  /** Only leftovers older than this are removed. */
  olderThan: Date;
  dryRun: boolean;
  /** Only leftovers of keys under this prefix (core's store prefix), where that can be told. */
  prefix?: string;
}

export interface CleanupResult {
  /** Leftovers removed (or, dry run, that would be). */
  items: number;
  /** Their bytes, where known. */
  bytes: number;
  /** One line each: what it was and where. */
  details: string[];
}

/** What a backend declares about its service: facts that no method's presence shows. */
export interface DeclaredCapabilities {
  /** `write(..., { ifNoneMatch: "*" })` is atomic against concurrent writers. */
  readonly ifNoneMatch: boolean;
  /** `write(..., { ifMatch })` is atomic against concurrent writers. */
  readonly ifMatch: boolean;
  /** `copy` happens on the server, without the bytes passing through this process. */
  readonly serverSideCopy: boolean;
  /** `read(..., { range })` reads part of an object. */
  readonly rangeRead: boolean;
}

/** Declared capabilities plus the optional methods a backend has (see `capabilitiesOf`). */
export interface BackendCapabilities extends DeclaredCapabilities {
  readonly signedUrl: boolean;
  readonly rename: boolean;
  readonly writeMany: boolean;
  readonly materialize: boolean;
}

export interface OpOptions {
  signal?: AbortSignal;
}

export interface ReadOptions extends OpOptions {
  /** Byte range, `end` exclusive; `end` omitted reads to the end of the object. */
  range?: { start: number; end?: number };
}

export interface WriteOptions extends OpOptions {
  ifNoneMatch?: '*';
  ifMatch?: string;
  /** Expected md5 (32 hex) of the bytes; a mismatch is `CORRUPT` and leaves nothing behind. */
  md5?: string;
  /** Size in bytes when known in advance (lets a backend choose its part size). */
  size?: number;
  contentType?: string;
  /** Called with the number of bytes written so far. */
  onProgress?: (bytes: number) => void;
}

export interface CopyOptions extends OpOptions {
  ifNoneMatch?: '*';
}

/** See `StorageBackend.copyOrigin`. */
export interface CopyOrigin {
  readonly service: string;
  readonly container: string;
}

export interface ListOptions extends OpOptions {
  /** Only keys strictly greater than this one. */
  startAfter?: string;
}

export interface SignedUrlOptions {
  method: 'GET' | 'PUT';
  /** Seconds the URL stays valid. */
  expiresIn: number;
}

export interface ObjectStat {
  key: string;
  size: number;
  /** Opaque; only meaningful for `ifMatch`. */
  etag: string;
  lastModified: Date;
  /** md5 (hex) of the bytes, when the backend computed it while writing. */
  md5?: string;
}

export type ObjectEntry = ObjectStat;

export interface ReadResult {
  stat: ObjectStat;
  body: Readable;
}

/** Bytes, a UTF-8 string, a stream of chunks, or a local file read by the backend. */
export type WriteBody = Uint8Array | string | AsyncIterable<Uint8Array> | { path: string };

export interface WriteManyItem {
  key: string;
  /** Local file to store under `key`. */
  path: string;
  md5?: string;
  size?: number;
}

/** All items at once, or batches of them as they become ready. */
export type WriteManySource = readonly WriteManyItem[] | AsyncIterable<readonly WriteManyItem[]>;

export interface WriteManyOptions extends OpOptions {
  /** Called with the number of items done so far. */
  onProgress?: (done: number, bytes: number) => void;
}

export interface WriteManyResult {
  written: number;
  skipped: number;
  bytes: number;
}

export type LinkType = 'reflink' | 'hardlink' | 'symlink' | 'copy';

export interface MaterializeOptions extends OpOptions {
  /** Link types to try in order; `copy` is always the last resort. */
  linkTypes?: readonly LinkType[];
}

/**
 * Everything a backend can do: what it declares, and which optional methods it has. A method's
 * presence is the only source of truth for `rename`, `writeMany`, `materialize` and `signedUrl`.
 */
export function capabilitiesOf(backend: StorageBackend): BackendCapabilities {
  const { ifNoneMatch, ifMatch, serverSideCopy, rangeRead } = backend.capabilities;
  return {
    ifNoneMatch,
    ifMatch,
    serverSideCopy,
    rangeRead,
    signedUrl: typeof backend.signedUrl === 'function',
    rename: typeof backend.rename === 'function',
    writeMany: typeof backend.writeMany === 'function',
    materialize: typeof backend.materialize === 'function',
  };
}
