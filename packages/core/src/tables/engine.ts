/**
 * The query engine: an embedded DuckDB (one in-memory instance a process, loaded on first use, so
 * that code which never searches never loads it). Table snapshots are loaded into it once per
 * Delta version (their Parquet files never change), so a repeated search reads memory, not files.
 */
import type { DuckDBConnection, DuckDBDataChunk, DuckDBInstance } from '@duckdb/node-api';

type DuckDb = typeof import('@duckdb/node-api');
type Bindings = typeof import('@duckdb/node-bindings');

const sharedTables = new Map<string, Promise<string>>();
let loaded: Promise<{ api: DuckDb; bindings: Bindings; instance: DuckDBInstance }> | undefined;

async function load() {
  loaded ??= (async () => {
    const api = await import('@duckdb/node-api');
    const bindings = (await import('@duckdb/node-bindings')).default;
    const instance = await api.DuckDBInstance.create(':memory:', { threads: '2' });
    return { api, bindings, instance };
  })();
  return loaded;
}

/** How a column of numbers is copied as bytes: the array over them, the engine type that fits. */
interface NumberColumns<T extends Float64Array | Int32Array> {
  /** The array over bytes the engine holds (copied from at once). */
  view: (buffer: ArrayBuffer, offset: number, length: number) => T;
  /** The DuckDB type id whose vectors hold exactly this array's bytes. */
  typeId: number;
  bytes: number;
}

/** One query session: its own connection, so its temporary tables are its own. */
export class Session {
  readonly #api: DuckDb;
  readonly #bindings: Bindings;
  readonly #conn: DuckDBConnection;
  /** The instance's own tables (snapshots loaded into it), shared by its sessions. */
  readonly tables: Map<string, Promise<string>>;
  readonly #ownInstance: DuckDBInstance | undefined;

  private constructor(
    api: DuckDb,
    bindings: Bindings,
    conn: DuckDBConnection,
    tables: Map<string, Promise<string>>,
    own?: DuckDBInstance,
  ) {
    this.#api = api;
    this.#bindings = bindings;
    this.#conn = conn;
    this.tables = tables;
    this.#ownInstance = own;
  }

  /** A session on the process's shared instance. */
  static async open(): Promise<Session> {
    const { api, bindings, instance } = await load();
    return new Session(api, bindings, await instance.connect(), sharedTables);
  }

  /**
   * A session on an instance of its own, closed with it: for users' SQL, which runs after
   * `lockDown()` so that it reads only the tables (no file, no network).
   */
  static async isolated(): Promise<Session> {
    const { api, bindings } = await load();
    const instance = await api.DuckDBInstance.create(':memory:', { threads: '2' });
    return new Session(api, bindings, await instance.connect(), new Map(), instance);
  }

  /** From here on the session's instance reads and writes no file and changes no setting. */
  async lockDown(): Promise<void> {
    await this.run('SET enable_external_access = false');
    await this.run('SET lock_configuration = true');
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<void> {
    await this.#conn.run(sql, params as never);
  }

  /** Rows as JavaScript values: maps as objects, timestamps as `Date`, BIGINT as number. */
  async rows(sql: string, params: readonly unknown[] = []): Promise<Record<string, unknown>[]> {
    return (await this.query(sql, params)).rows;
  }

  /** The rows and the result's column names (there even when no row is). */
  async query(
    sql: string,
    params: readonly unknown[] = [],
  ): Promise<{ columns: string[]; rows: Record<string, unknown>[] }> {
    const reader = await this.#conn.runAndReadAll(sql, params as never);
    const columns = reader.columnNames();
    const maps = new Set(
      reader
        .columnTypes()
        .flatMap((type, i) => (type.typeId === this.#api.DuckDBTypeId.MAP ? [columns[i]] : [])),
    );
    const rows = reader.getRowObjectsJS().map((row) => {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(row)) {
        out[key] = maps.has(key) ? mapObject(value) : fromDuck(value);
      }
      return out;
    });
    return { columns, rows };
  }

  /**
   * The DOUBLE columns of a result as typed arrays, copied chunk by chunk: millions of numbers
   * with no JavaScript value made per cell (a chart's curves). Every column must be a DOUBLE
   * without NULLs.
   */
  doubles(sql: string, params: readonly unknown[] = []): Promise<Float64Array[]> {
    return this.#read(sql, params, (n) => new Float64Array(n), {
      view: (buffer, offset, n) => new Float64Array(buffer, offset, n),
      typeId: this.#api.DuckDBTypeId.DOUBLE,
      bytes: Float64Array.BYTES_PER_ELEMENT,
    });
  }

  /**
   * The INTEGER columns of a result as typed arrays, as `doubles` does (the lineage walk's
   * millions of ids). Every column must be an INTEGER without NULLs.
   */
  integers(sql: string, params: readonly unknown[] = []): Promise<Int32Array[]> {
    return this.#read(sql, params, (n) => new Int32Array(n), {
      view: (buffer, offset, n) => new Int32Array(buffer, offset, n),
      typeId: this.#api.DuckDBTypeId.INTEGER,
      bytes: Int32Array.BYTES_PER_ELEMENT,
    });
  }

  /**
   * A result's columns, each an array of its values as the engine's vectors give them (VARCHAR
   * as string, INTEGER as number, NULL as null): tens of thousands of rows with no object made
   * a row.
   */
  columns(sql: string, params: readonly unknown[] = []): Promise<unknown[][]> {
    return this.#read(sql, params, (n) => new Array<unknown>(n));
  }

  async #read<T extends Float64Array | Int32Array | unknown[]>(
    sql: string,
    params: readonly unknown[],
    make: (length: number) => T,
    numbers?: NumberColumns<T & (Float64Array | Int32Array)>,
  ): Promise<T[]> {
    const result = await this.#conn.run(sql, params as never);
    const chunks = Array.from({ length: result.chunkCount }, (_, i) => result.getChunk(i));
    // The result is whole in memory, so its size is known: each value is copied once, into its
    // place (no per-chunk arrays joined after, which held every value twice at the end).
    const rows = chunks.reduce((n, chunk) => n + chunk.rowCount, 0);
    const out = Array.from({ length: result.columnCount }, () => make(rows));
    const raw = result.columnTypes().map((type) => type.typeId === numbers?.typeId);
    let at = 0;
    for (const chunk of chunks) {
      const count = chunk.rowCount; // a call into the engine: read once, not per value
      out.forEach((column, c) => {
        if (raw[c] && numbers && this.#copyRaw(chunk, c, count, column as never, at, numbers)) {
          return;
        }
        const vector = chunk.getColumnVector(c);
        for (let r = 0; r < count; r++) column[at + r] = vector.getItem(r) as never;
      });
      at += count;
    }
    return out;
  }

  /**
   * A chunk's column of numbers copied as its bytes (a million values in a millisecond, where
   * reading them one by one takes a hundred): only where none is NULL and the bytes are aligned
   * for the array; otherwise false, and the caller reads value by value.
   */
  #copyRaw<T extends Float64Array | Int32Array>(
    chunk: DuckDBDataChunk,
    c: number,
    count: number,
    column: T,
    at: number,
    numbers: NumberColumns<T>,
  ): boolean {
    const vector = this.#bindings.data_chunk_get_vector(chunk.chunk, c);
    if (this.#bindings.vector_get_validity(vector, Math.ceil(count / 64) * 8)) return false;
    const data = this.#bindings.vector_get_data(vector, count * numbers.bytes);
    if (data.byteOffset % numbers.bytes !== 0) return false;
    column.set(numbers.view(data.buffer as ArrayBuffer, data.byteOffset, count), at);
    return true;
  }

  close(): void {
    this.#conn.closeSync();
    this.#ownInstance?.closeSync();
  }
}

/** DuckDB's JS values as trove's: BIGINT as number, lists element by element. */
function fromDuck(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(fromDuck);
  return value;
}

/** A MAP (DuckDB gives an array of `{ key, value }`) as an object; NULL stays null. */
function mapObject(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const entry of value as Array<{ key: unknown; value: unknown }>) {
    out[String(entry.key)] = fromDuck(entry.value);
  }
  return out;
}

/** A SQL string literal (the cache's file paths are trove's own, quoted all the same). */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
