"""Checks a run directory against docs/run-directory.md (format 2) by parsing every file."""

import csv
import io
import json
import math
import os
import re
import socket
import stat
import subprocess

import yaml

STATUSES = {"running", "paused", "completed", "stopped", "early_stopped", "interrupted", "diverged", "failed", "pruned"}
METRICS = ["epoch", "step", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "learning_rate", "seconds"]
STEPS = ["step", "epoch", "loss", "accuracy", "learning_rate", "grad_norm"]
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
NAME = re.compile(r"^\d{8}-\d{6}-[A-Za-z0-9\-_.=+]+$")


def cell(text):
    """A CSV number cell as the spec allows it: empty (None), a C-locale number, nan or ±inf."""
    if text == "":
        return None
    assert re.fullmatch(r"-?(\d+\.?\d*([eE][-+]?\d+)?|nan|inf)", text, re.IGNORECASE), "bad number %r" % text
    return float(text)


def read_csv(path, header_prefix):
    with open(path, newline="") as file:
        text = file.read()
    assert text.endswith("\n"), "%s does not end with a complete line" % path
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    assert header[: len(header_prefix)] == header_prefix, header
    for row in rows[1:]:
        assert len(row) == len(header), "row %r does not match header %r" % (row, header)
    return header, [dict(zip(header, row)) for row in rows[1:]]


def check_run(path, source, final=True):
    """Parses every file of the run; returns them as plain Python values."""
    assert NAME.match(os.path.basename(path)), path
    names = set(os.listdir(path))
    assert {"config.yaml", "metrics.csv", "steps.csv", "groups.json", "events.jsonl", "control.jsonl",
            "summary.json"} <= names, names
    assert not [n for n in names if ".tmp-" in n], "temporary files left: %s" % names
    assert not [n for n in os.listdir(os.path.dirname(path)) if ".partial-" in n]

    with open(os.path.join(path, "summary.json")) as file:
        summary = json.load(file)
    assert summary["format"] == 2
    assert summary["source"] == source
    assert summary["status"] in STATUSES
    if final:
        assert summary["status"] not in ("running", "paused"), summary
    assert isinstance(summary["trainer"], str) and summary["trainer"]
    assert summary["pid"] == os.getpid()
    assert summary["host"] == socket.gethostname()
    with open("/proc/%d/stat" % os.getpid()) as file:
        assert summary["pid_started"] == int(file.read().rsplit(")", 1)[1].split()[19])
    for key in ("epochs_run", "steps", "best_epoch", "best_step"):
        assert summary.get(key) is None or isinstance(summary[key], int)

    with open(os.path.join(path, "config.yaml")) as file:
        config = yaml.safe_load(file)
    assert isinstance(config, dict)

    metrics_header, metrics = read_csv(os.path.join(path, "metrics.csv"), METRICS)
    previous = (-1.0, -1)
    for row in metrics:
        # `3` at an epoch's end, `2.5` mid-epoch; both grow from row to row.
        position, step = float(row["epoch"]), int(row["step"])
        assert position >= 0 and (position, step) > previous, (row, previous)
        assert position.is_integer() == ("." not in row["epoch"]), row
        previous = (position, step)
        for name in metrics_header[2:]:
            cell(row[name])

    with open(os.path.join(path, "groups.json")) as file:
        groups = json.load(file)
    assert groups["format"] == 1 and isinstance(groups["step"], int)
    for group in groups["groups"]:
        assert set(group) >= {"name", "parameters", "trainable", "lr_multiplier"}
        assert isinstance(group["parameters"], int) and isinstance(group["trainable"], bool)

    steps_header, steps = read_csv(os.path.join(path, "steps.csv"), STEPS)
    assert steps_header[len(STEPS):] == ["grad_norm/%s" % g["name"] for g in groups["groups"]]
    previous = 0
    for row in steps:
        step = int(row["step"])
        assert step > previous, "steps.csv steps must increase: %d after %d" % (step, previous)
        previous = step
        int(row["epoch"])
        for name in steps_header[2:]:
            cell(row[name])

    with open(os.path.join(path, "events.jsonl")) as file:
        text = file.read()
    assert text.endswith("\n")
    events = [json.loads(line) for line in text.splitlines()]
    for event in events:
        assert isinstance(event["event"], str) and isinstance(event["step"], int), event
        assert TIME.match(event["time"]), event
    assert events[0]["event"] == "start"
    if final:
        assert events[-1]["event"] == "finish" and events[-1]["status"] == summary["status"]

    info = os.stat(os.path.join(path, "control.jsonl"))
    control = []
    with open(os.path.join(path, "control.jsonl"), "rb") as file:
        for line in file.read().split(b"\n"):
            try:
                control.append(json.loads(line))
            except ValueError:
                pass
    # Every command with an id is answered exactly once.
    answers = [e for e in events if e["event"] == "command" and "id" in e]
    ids = [e["id"] for e in answers]
    assert len(ids) == len(set(ids)), "a command answered twice: %s" % ids
    if not any(e["event"] == "control_refused" for e in events):
        sent = {c["id"] for c in control if isinstance(c, dict) and isinstance(c.get("id"), int) and c["id"] > 0}
        assert sent <= set(ids), "commands never answered: %s" % (sent - set(ids))
    for event in answers:
        assert event["result"] in ("applied", "refused"), event
        assert event["result"] == "applied" or event["reason"], event
    return {"summary": summary, "config": config, "metrics": metrics, "metrics_header": metrics_header,
            "steps": steps, "steps_header": steps_header, "groups": groups, "events": events,
            "control_mode": stat.S_IMODE(info.st_mode), "control": control}


def answer(run, ident):
    """The one command event answering id `ident`."""
    found = [e for e in run["events"] if e["event"] == "command" and e.get("id") == ident]
    assert len(found) == 1, "command %d answered %d times: %s" % (ident, len(found), run["events"])
    return found[0]


def tunetop(binary, *args):
    result = subprocess.run([binary, *args], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, "tunetop %s exited %d: %s" % (" ".join(args), result.returncode, result.stderr)
    return result.stdout


def check_tunetop_reads(binary, runs, path):
    """`tunetop runs` lists the run with its status and epochs; `tunetop export` gives its metrics rows."""
    import pandas

    name = os.path.basename(path)
    with open(os.path.join(path, "summary.json")) as file:
        summary = json.load(file)
    listing = tunetop(binary, "runs", "--runs", runs)
    line = next((l for l in listing.splitlines() if l.startswith(name + " ")), None)
    assert line is not None, "tunetop runs does not list %s:\n%s" % (name, listing)
    assert summary["status"] in line.split(), line
    assert str(summary["epochs_run"]) in line.split(), line
    lenient = listing.splitlines()[0].split()[1] == "source"
    if lenient:
        assert line.split()[1] == summary["source"], line
    exported = pandas.read_csv(io.StringIO(tunetop(binary, "export", "--runs", runs, name)))
    if lenient:
        assert all(source == summary["source"] for source in exported["source"])
    written = pandas.read_csv(os.path.join(path, "metrics.csv"))
    assert list(exported["epoch"]) == list(written["epoch"])
    for column in ("val_loss", "val_accuracy", "train_loss", "learning_rate"):
        for a, b in zip(exported[column], written[column]):
            assert (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-5), (column, a, b)
