"""Peers for the table benchmarks (Benchmarks/tables.sh): pandas' read_csv and PyTorch inference.

  python peer_tables.py gen FILE ROWS COLUMNS      write a numeric CSV as pandas writes one
  python peer_tables.py read FILE                  pandas.read_csv (C engine): seconds, peak RSS
  python peer_tables.py infer ROWS FEATURES CLASSES [THREADS]
                                                   the built-in MLP shape under torch.no_grad,
                                                   batch 4096, forward + softmax: rows/s
                                                   (wall, best of 3) and rows per CPU second
  python peer_tables.py predict CHECKPOINT FILE OUT   what `tunetop predict --input FILE --out OUT`
                                                   does, with pandas and PyTorch: read the CSV,
                                                   impute and scale as the run stored, the model
                                                   (batch 4096, no_grad, softmax), write id,
                                                   predicted, p_<class>: seconds per step
Each prints one JSON line.
"""
import json
import resource
import sys
import time


def peak_rss_kib():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def gen(path, rows, columns):
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    features = columns - 1
    data = {f"f{i}": (rng.standard_normal(rows) * 10 ** (i % 4)).astype(np.float32) for i in range(features)}
    data["label"] = rng.integers(0, 10, rows)
    pd.DataFrame(data).to_csv(path, index=False)


def read(path):
    import pandas as pd

    before = peak_rss_kib()
    start = time.perf_counter()
    frame = pd.read_csv(path, engine="c")
    seconds = time.perf_counter() - start
    print(json.dumps({"bench": "pandas-read_csv", "seconds": seconds, "rows": len(frame),
                      "columns": frame.shape[1], "peak_rss_kib": peak_rss_kib(),
                      "rss_before_read_kib": before}))


def infer(rows, features, classes, threads=None):
    import torch

    if threads:
        torch.set_num_threads(threads)
    torch.manual_seed(1)
    model = torch.nn.Sequential(
        torch.nn.Linear(features, 128), torch.nn.ReLU(), torch.nn.Linear(128, 64), torch.nn.ReLU(),
        torch.nn.Linear(64, classes)).eval()
    inputs = torch.rand(rows, features) * 2 - 1
    best = best_cpu = float("inf")
    for _ in range(3):
        start, cpu_start = time.perf_counter(), time.process_time()
        with torch.no_grad():
            outs = [torch.softmax(model(inputs[i:i + 4096]), dim=1) for i in range(0, rows, 4096)]
            out = torch.cat(outs)
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - cpu_start)
    # rows_per_cpu_second: process CPU time, comparable with tunetop's one-thread figure only when
    # PyTorch runs one thread (with more it is the sum over its threads).
    print(json.dumps({"bench": "torch-infer", "threads": torch.get_num_threads(), "rows": rows,
                      "seconds": best, "rows_per_second": rows / best,
                      "rows_per_cpu_second": rows / best_cpu, "checksum": float(out[0, 0])}))


def predict(checkpoint, path, out):
    import numpy as np
    import pandas as pd
    import torch
    from safetensors import safe_open

    clock = [time.perf_counter()]
    started = clock[0]
    phases = {"bench": "pandas-torch-predict", "threads": torch.get_num_threads()}

    def lap(name):
        now = time.perf_counter()
        phases[name + "_seconds"] = now - clock[0]
        clock[0] = now

    with safe_open(checkpoint, "pt") as f:
        meta = f.metadata()
        tensors = {name: f.get_tensor(name) for name in f.keys()}
    prep = json.loads(meta["tunetop_preprocessing"])
    if any(feature.get("categories") for feature in prep["features"]):
        raise SystemExit("this peer only does numeric features")
    groups = sorted({name.split(".")[0] for name in tensors if name.endswith(".weight")},
                    key=lambda g: (g == "head", int(g[6:]) if g.startswith("hidden") else 0))
    layers = []
    for group in groups:
        weight = tensors[group + ".weight"]
        linear = torch.nn.Linear(weight.shape[1], weight.shape[0])
        linear.weight.data.copy_(weight)
        linear.bias.data.copy_(tensors[group + ".bias"])
        layers += [linear, torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers[:-1]).eval()
    classes = prep["classes"]["names"]
    lap("load_model")
    frame = pd.read_csv(path, engine="c")
    lap("read_csv")
    names = [feature["name"] for feature in prep["features"]]
    means = {feature["name"]: feature.get("mean") or 0.0 for feature in prep["features"]}
    values = frame[names].apply(pd.to_numeric, errors="coerce").fillna(means).to_numpy(np.float32)
    inputs = torch.from_numpy((values - np.array(prep["offsets"], np.float32)) / np.array(prep["scales"], np.float32))
    lap("encode_scale")
    with torch.no_grad():
        probabilities = torch.cat([torch.softmax(model(inputs[i:i + 4096]), dim=1)
                                   for i in range(0, len(inputs), 4096)]).numpy()
    lap("model")
    result = pd.DataFrame(probabilities, columns=[f"p_{name}" for name in classes])
    result.insert(0, "predicted", np.array(classes, dtype=object)[probabilities.argmax(axis=1)])
    if "id" in frame.columns:
        result.insert(0, "id", frame["id"])
    result.to_csv(out, index=False, float_format="%.6f")
    lap("write_csv")
    phases.update({"total_seconds": time.perf_counter() - started, "rows": len(result),
                   "peak_rss_kib": peak_rss_kib()})
    print(json.dumps(phases))


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "gen":
        gen(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif command == "read":
        read(sys.argv[2])
    elif command == "infer":
        infer(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]) if len(sys.argv) > 5 else None)
    elif command == "predict":
        predict(sys.argv[2], sys.argv[3], sys.argv[4])
