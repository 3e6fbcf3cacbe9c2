"""Accuracy on public tables as a new user would meet them: scikit-learn's iris, breast cancer and
wine written with pandas' to_csv (class names as labels, features on their natural scales).

  python Benchmarks/public_tables.py TUNETOP_BINARY WORKDIR

Each table is split once, stratified (scikit-learn, random_state 0): 25% test, then 30% of the rest
validation. tunetop trains on train.csv with val_task/test_task pointing at the other two (so both
tools see exactly the same rows), with its defaults and base_model=none; the reference is
StandardScaler + LogisticRegression fitted on train.csv. Prints one JSON line per table.
"""
import json
import pathlib
import subprocess
import sys

import pandas as pd
from sklearn import datasets
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

binary, work = sys.argv[1], pathlib.Path(sys.argv[2])
work.mkdir(parents=True, exist_ok=True)
for name in ["iris", "breast_cancer", "wine"]:
    bunch = getattr(datasets, f"load_{name}")(as_frame=True)
    frame = bunch.frame.drop(columns=["target"])
    frame["label"] = [bunch.target_names[t] for t in bunch.target]
    rest, test = train_test_split(frame, test_size=0.25, stratify=frame.label, random_state=0)
    train, val = train_test_split(rest, test_size=0.3, stratify=rest.label, random_state=0)
    paths = {}
    for split, part in [("train", train), ("val", val), ("test", test)]:
        paths[split] = work / f"{name}_{split}.csv"
        part.to_csv(paths[split], index=False)
    features = [c for c in frame.columns if c != "label"]
    reference = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000))
    reference.fit(train[features], train.label)
    runs = work / "runs"
    subprocess.run(
        [binary, "train", "--runs", str(runs), "--name", name, "--set", f"task={paths['train']}",
         "--set", f"val_task={paths['val']}", "--set", f"test_task={paths['test']}",
         "--set", "base_model=none"], check=True, stdout=subprocess.DEVNULL)
    run = sorted(runs.glob(f"*-{name}"))[-1]
    summary = json.loads((run / "summary.json").read_text())
    print(json.dumps({
        "table": name, "rows": len(frame), "features": len(features),
        "train/val/test": [len(train), len(val), len(test)],
        "tunetop_val": round(summary["best_val_accuracy"], 3),
        "tunetop_test": round(summary["test_accuracy"], 3),
        "logreg_val": round(reference.score(val[features], val.label), 3),
        "logreg_test": round(reference.score(test[features], test.label), 3),
    }))
