"""Peers for the table benchmarks (Benchmarks/tables.sh): pandas' read_csv and PyTorch inference.

  python peer_tables.py gen FILE ROWS COLUMNS      write a numeric CSV as pandas writes one
  python peer_tables.py read FILE                  pandas.read_csv (C engine): seconds, peak RSS
  python peer_tables.py infer ROWS FEATURES CLASSES [THREADS]
                                                   the built-in MLP shape under torch.no_grad,
                                                   batch 4096, forward + softmax: rows/s
                                                   (wall, best of 3) and rows per CPU second
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


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "gen":
        gen(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif command == "read":
        read(sys.argv[2])
    elif command == "infer":
        infer(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]) if len(sys.argv) > 5 else None)
