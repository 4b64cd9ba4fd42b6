"""Reads a Delta table with the real readers and prints what each returns, as one JSON object.

Usage: python read_delta.py '<json job>'  with job = {uri, storage_options?, duckdb_files?}
       or job = {tables: [<job>, …]} to read several tables in one start (prints {tables: [...]})
  deltalake: DeltaTable(uri).to_pyarrow_table()
  polars:    pl.read_delta(uri)
  duckdb:    read_parquet over the given local copies of the snapshot's data files
Timestamps come out as microseconds since the epoch, maps as objects, NaN as the string "NaN".
"""
import json
import math
import sys

import deltalake
import duckdb
import polars as pl
import pyarrow as pa


def plain(value):
    if isinstance(value, float) and math.isnan(value):
        return "NaN"
    if isinstance(value, float) and math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def is_map(t):
    """A map, or polars' form of one: a list of {key, value} structs."""
    if pa.types.is_map(t):
        return True
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        v = t.value_type
        return pa.types.is_struct(v) and [v.field(i).name for i in range(v.num_fields)] == ["key", "value"]
    return False


def entry_key(e):
    return e[0] if isinstance(e, tuple) else e["key"]


def entry_value(e):
    return plain(e[1] if isinstance(e, tuple) else e["value"])


def rows(table: pa.Table):
    columns = {}
    types = {}
    for name in table.column_names:
        column = table.column(name)
        types[name] = str(column.type)
        if pa.types.is_timestamp(column.type):
            column = column.cast(pa.timestamp("us", tz=column.type.tz)).cast(pa.int64())
        values = column.to_pylist()
        if is_map(column.type):
            values = [None if v is None else {entry_key(e): entry_value(e) for e in v} for v in values]
        columns[name] = values
    out = [{name: plain(columns[name][i]) for name in table.column_names} for i in range(table.num_rows)]
    return {"types": types, "rows": out}


def read(job):
    options = job.get("storage_options")
    dt = deltalake.DeltaTable(job["uri"], storage_options=options)
    result = {
        "version": dt.version(),
        "app_txns": {a: dt.transaction_version(a) for a in job.get("app_ids", [])},
        "files": sorted(dt.file_uris()),
        "add_actions": rows(pa.table(dt.get_add_actions(flatten=True)))["rows"],
        "deltalake": rows(dt.to_pyarrow_table()),
        "polars": rows(pl.read_delta(job["uri"], storage_options=options).to_arrow()),
    }
    files = job.get("duckdb_files")
    if files is not None:
        con = duckdb.connect()
        if files:
            table = con.execute("select * from read_parquet(?, union_by_name=true)", [files]).to_arrow_table()
            result["duckdb"] = rows(table)
        else:
            result["duckdb"] = {"types": {}, "rows": []}
    return result


def main():
    job = json.loads(sys.argv[1])
    if "tables" in job:
        json.dump({"tables": [read(j) for j in job["tables"]]}, sys.stdout)
    else:
        json.dump(read(job), sys.stdout)


main()
