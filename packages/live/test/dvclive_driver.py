"""Runs call sequences with the real dvclive: the reference the TypeScript Live is compared to.

stdin: a JSON list of sessions, each {"cwd": dir, "ops": [[method, *args], ...]}. Values
{"$f": "<repr>"} are Python floats; {"$rgba": [w, h, [bytes...]]} is an RGBA numpy image.
Ops named like Live methods call them; a trailing dict argument holds keyword arguments.
"""
import json
import os
import sys
import time

os.environ.setdefault("DVC_NO_ANALYTICS", "1")
os.environ.setdefault("DVCLIVE_LOGLEVEL", "ERROR")


def decode(v):
    if isinstance(v, dict):
        if "$f" in v:
            return float(v["$f"])
        if "$rgba" in v:
            import numpy as np

            w, h, data = v["$rgba"]
            return np.array(data, dtype=np.uint8).reshape((h, w, 4))
        return {k: decode(x) for k, x in v.items()}
    if isinstance(v, list):
        return [decode(x) for x in v]
    return v


def main():
    from dvclive import Live

    sessions = json.load(sys.stdin)
    home = os.getcwd()
    for session in sessions:
        os.chdir(session["cwd"])
        live = None
        for op in session["ops"]:
            name, args = op[0], [decode(a) for a in op[1:]]
            kwargs = args.pop() if name in KW_OPS else {}
            if name == "init":
                kwargs.setdefault("save_dvc_exp", False)
                live = Live(**kwargs)
            elif name == "set_step":
                live.step = args[0]
            elif name == "summary_set":
                live.summary[args[0]] = args[1]
            elif name == "write_file":
                os.makedirs(os.path.dirname(args[0]) or ".", exist_ok=True)
                with open(args[0], "w") as f:
                    f.write(args[1])
            elif name == "sleep":
                time.sleep(args[0])
            else:
                getattr(live, name)(*args, **kwargs)
        os.chdir(home)


KW_OPS = {
    "init",
    "log_metric",
    "log_plot",
    "log_sklearn_plot",
    "log_artifact",
}

if __name__ == "__main__":
    main()
