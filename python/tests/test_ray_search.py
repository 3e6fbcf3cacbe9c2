"""`tunetop search --backend ray`: a real Ray Tune search on this machine (2 CPUs), and its bad input."""

import csv
import json
import os
import subprocess
import sys
import time

import pytest

SOURCE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")


def environment():
    env = dict(os.environ)
    env["PYTHONPATH"] = SOURCE + os.pathsep + env.get("PYTHONPATH", "")
    env["RAY_DISABLE_USAGE_STATS"] = "1"
    return env


def search(tunetop_bin, runs, *arguments, timeout=240):
    return subprocess.run(
        [tunetop_bin, "search", "--backend", "ray", "--python", sys.executable, "--runs", runs] + list(arguments),
        capture_output=True, text=True, env=environment(), timeout=timeout)


def test_ray_search_six_trials_with_asha(tunetop_bin, runs, tmp_path):
    pytest.importorskip("ray.tune")
    result = search(tunetop_bin, runs, "--num-cpus", "2", "--trials", "6", "--set", "epochs=6",
                    "--grace-period", "1", "--reduction-factor", "2")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    [directory] = [os.path.join(runs, name) for name in os.listdir(runs) if "-search-" in name]
    record = json.load(open(os.path.join(directory, "search.json")))
    assert record["backend"] == "ray"
    assert sorted(trial["trial"] for trial in record["trials"]) == [1, 2, 3, 4, 5, 6]
    statuses = [trial["status"] for trial in record["trials"]]
    assert "pruned" in statuses and "completed" in statuses, statuses
    for trial in record["trials"]:
        run = os.path.join(directory, trial["run"])
        summary = json.load(open(os.path.join(run, "summary.json")))
        assert summary["search"] == os.path.basename(directory) and summary["trial"] == trial["trial"]
        assert summary["host"] == os.uname().nodename
        assert summary["status"] == trial["status"]
        if trial["status"] == "pruned":
            assert "ASHAScheduler" in summary["reason"]
            # Pruned mid-epoch through control.jsonl: whole lines only, answered, and `last` saved.
            with open(os.path.join(run, "metrics.csv")) as handle:
                text = handle.read()
            assert text.endswith("\n")
            rows = list(csv.DictReader(text.splitlines()))
            assert len(rows) >= 2 and int(rows[-1]["epoch"]) == summary["epochs_run"]
            events = [json.loads(line) for line in open(os.path.join(run, "events.jsonl"))]
            assert any(e["event"] == "command" and e.get("command") == "prune" and e.get("result") == "applied"
                       for e in events), events[-3:]
            assert any(name.startswith("last") for name in os.listdir(run))
    listing = subprocess.run([tunetop_bin, "runs", "--runs", runs], capture_output=True, text=True, check=True).stdout
    assert listing.count(os.path.basename(directory) + "/") == 6, listing
    best = os.path.join(directory, "best.yaml")
    report = open(os.path.join(directory, "report.txt")).read()
    assert "6 of 6 trials" in report and "pruned" in report
    trained = subprocess.run([tunetop_bin, "train", "--config", best, "--set", "epochs=2",
                              "--runs", str(tmp_path / "again")], capture_output=True, text=True)
    assert trained.returncode == 0, trained.stderr


def test_no_python(tunetop_bin, runs):
    result = subprocess.run([tunetop_bin, "search", "--backend", "ray", "--python", "/nonexistent/python3",
                             "--trials", "2", "--runs", runs], capture_output=True, text=True)
    assert result.returncode == 2
    assert "no Python at /nonexistent/python3" in result.stderr and "pip install 'ray[tune]'" in result.stderr
    assert not os.path.exists(runs)


def test_python_without_ray(tunetop_bin, runs, tmp_path):
    venv = tmp_path / "bare"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    result = subprocess.run([tunetop_bin, "search", "--backend", "ray", "--python", python,
                             "--trials", "2", "--runs", runs], capture_output=True, text=True)
    assert result.returncode == 2
    assert "needs Ray Tune" in result.stderr and python + " -m pip install 'ray[tune]' optuna" in result.stderr
    assert not os.path.exists(runs)


def test_unreachable_address(tunetop_bin, runs):
    pytest.importorskip("ray")
    started = time.monotonic()
    result = search(tunetop_bin, runs, "--address", "127.0.0.1:9", "--trials", "2", timeout=60)
    elapsed = time.monotonic() - started
    assert result.returncode == 2, result.stderr
    assert "cannot reach a Ray cluster at --address 127.0.0.1:9" in result.stderr
    assert not os.path.exists(runs)
    print("unreachable address answered in %.1f s" % elapsed)
