"""Reads trove's tables/runs with pyspark + delta-spark (no trove): prints one JSON object.

Usage: python spark_read.py <table path> <jar>[,<jar>…]
The jars (delta-spark_2.13 and delta-storage 4.0.0) come from ~/.m2 (mvn dependency:get):
Ivy (`spark.jars.packages`) cannot reach a registry here.
"""
import json
import sys
import time

from pyspark.sql import SparkSession

path, jars = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
spark = (
    SparkSession.builder.master("local[2]")
    .appName("trove-spark-read")
    .config("spark.jars", jars)
    .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
    .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
    .config("spark.ui.enabled", "false")
    .config("spark.driver.host", "127.0.0.1")
    .config("spark.driver.bindAddress", "127.0.0.1")
    .getOrCreate()
)
spark.sparkContext.setLogLevel("ERROR")
started = time.perf_counter() - t0
t1 = time.perf_counter()
count = spark.sql(f"SELECT count(*) AS n FROM delta.`{path}`").collect()[0]["n"]
top = spark.sql(
    f"""SELECT run_id, name, metrics['acc'] AS acc FROM delta.`{path}`
        WHERE metrics['acc'] > 0.9 AND CAST(params['lr'] AS DOUBLE) < 0.01
        ORDER BY metrics['acc'] DESC, run_id DESC LIMIT 20"""
).collect()
history = spark.sql(f"DESCRIBE HISTORY delta.`{path}`").count()
queried = time.perf_counter() - t1
print(
    json.dumps(
        {
            "spark": spark.version,
            "count": count,
            "top": [[r["run_id"], r["name"], r["acc"]] for r in top],
            "versions": history,
            "start_seconds": started,
            "query_seconds": queried,
        }
    )
)
spark.stop()
