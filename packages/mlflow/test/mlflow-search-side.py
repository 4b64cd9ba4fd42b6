# Logs the spec's runs into real MLflow (SQLite store) with trove's start and end times, then runs
# each search through mlflow.search_runs (fluent) or MlflowClient.search_runs, and prints the runs
# as MLflow holds them, each search's run names (or MLflow's error), and three pages of ten.
import json
import re
import sys

import mlflow
from mlflow.entities import Metric, Param, ViewType
from mlflow.tracking import MlflowClient

spec = json.load(open(sys.argv[1]))
mlflow.set_tracking_uri(spec["uri"])
client = MlflowClient()
experiments = {"Default": "0"}
for name in spec["experiments"]:
    experiments[name] = client.create_experiment(name, artifact_location=spec["artifacts"] + "/" + name)

ids = []
for r in spec["runs"]:
    tags = dict(r["tags"], **{"mlflow.user": r["user"]})
    run = client.create_run(experiments[r["experiment"]], start_time=r["start"], tags=tags, run_name=r["name"])
    rid = run.info.run_id
    client.log_batch(
        rid,
        metrics=[Metric(m["key"], m["value"], r["start"], m["step"]) for m in r["metrics"]],
        params=[Param(k, v) for k, v in r["params"].items()],
    )
    if r["status"] != "RUNNING":
        client.set_terminated(rid, r["status"], end_time=r["end"])
    ids.append(rid)


def fill(text):
    text = re.sub(r"\{id(\d+)\}", lambda m: ids[int(m.group(1))], text)
    return re.sub(r"\{start(\d+)\}", lambda m: str(spec["runs"][int(m.group(1))]["start"]), text)


def view(run):
    return {
        "name": run.info.run_name,
        "experiment": run.info.experiment_id,
        "status": run.info.status,
        "start": run.info.start_time,
        "end": run.info.end_time,
        "user": run.info.user_id,
        "lifecycle": run.info.lifecycle_stage,
        "tags": {k: v for k, v in run.data.tags.items() if not k.startswith("mlflow.")},
        "params": run.data.params,
        "metrics": run.data.metrics,
    }


mlflow.set_experiment(spec["active"])
results = []
for q in spec["queries"]:
    exps = q.get("experiments")
    view_type = {"ACTIVE_ONLY": ViewType.ACTIVE_ONLY, "DELETED_ONLY": ViewType.DELETED_ONLY, "ALL": ViewType.ALL}[q.get("view", "ACTIVE_ONLY")]
    try:
        if q["api"] == "client":
            found = client.search_runs(
                [experiments[e] for e in exps], filter_string=fill(q["filter"]), run_view_type=view_type,
                max_results=q.get("maxResults", 1000), order_by=q["orderBy"] or None,
            )
        else:
            found = mlflow.search_runs(
                experiment_names=None if exps in (None, "all") else exps,
                search_all_experiments=exps == "all", filter_string=fill(q["filter"]), run_view_type=view_type,
                max_results=q.get("maxResults", 100000), order_by=q["orderBy"] or None, output_format="list",
            )
        results.append([x.info.run_name for x in found])
    except Exception as e:
        results.append({"error": type(e).__name__ + ": " + str(e)})

pages = []
token = None
for _ in range(3):
    page = client.search_runs(
        list(experiments.values()), "", ViewType.ACTIVE_ONLY, 10, ["metrics.acc DESC"], token
    )
    token = page.token.decode() if isinstance(page.token, bytes) else page.token
    pages.append({"names": [x.info.run_name for x in page], "token": token})

every = client.search_runs(list(experiments.values()), "", ViewType.ALL, 1000)
print(json.dumps({
    "runs": {x.info.run_name: view(x) for x in every},
    "experiment_ids": experiments,
    "results": results,
    "pages": pages,
}))
