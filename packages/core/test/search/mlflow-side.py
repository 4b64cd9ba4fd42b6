# Logs the runs of a spec into real MLflow (SQLite store), runs the spec's searches, and prints
# the runs as MLflow holds them and each search's run ids (or its error) as JSON.
import json
import re
import sys

from mlflow.entities import Metric, Param, RunTag
from mlflow.tracking import MlflowClient

spec = json.load(open(sys.argv[1]))
client = MlflowClient(tracking_uri=spec["uri"])
experiment = client.create_experiment("side-by-side", artifact_location=spec["artifacts"])
ids = []
for r in spec["runs"]:
    tags = dict(r["tags"], **{"mlflow.user": r["user"]})
    run = client.create_run(experiment, start_time=r["start"], tags=tags, run_name=r["name"])
    rid = run.info.run_id
    client.log_batch(
        rid,
        metrics=[Metric(k, v, r["start"], 0) for k, v in r["metrics"].items()],
        params=[Param(k, v) for k, v in r["params"].items()],
    )
    if r["status"] != "RUNNING":
        client.set_terminated(rid, r["status"], end_time=r["end"])
    ids.append(rid)


def with_ids(text):
    return re.sub(r"\{id(\d+)\}", lambda m: ids[int(m.group(1))], text)


runs = []
for rid in ids:
    run = client.get_run(rid)
    runs.append({
        "run_id": rid,
        "name": run.info.run_name,
        "status": run.info.status,
        "start": run.info.start_time,
        "end": run.info.end_time,
        "user": run.info.user_id,
        "tags": run.data.tags,
        "params": run.data.params,
        "metrics": run.data.metrics,
    })
results = []
for q in spec["queries"]:
    try:
        found = client.search_runs(
            [experiment], filter_string=with_ids(q["filter"]), order_by=q["orderBy"] or None,
            max_results=1000,
        )
        results.append([x.info.run_id for x in found])
    except Exception as e:  # the deliberate differences: MLflow refuses these filters
        results.append({"error": type(e).__name__ + ": " + str(e)})
print(json.dumps({"runs": runs, "results": results}))
