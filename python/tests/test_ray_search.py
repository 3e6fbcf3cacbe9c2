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
    result = search(tunetop_bin, runs, "--num-cpus", "2", "--trials", "6", "--set", "epochs=20",
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


def port_open(port):
    import socket

    with socket.socket() as connection:
        connection.settimeout(1)
        return connection.connect_ex(("127.0.0.1", port)) == 0


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


def test_two_raylets_spread_trials(tunetop_bin, runs, tmp_path):
    """A head raylet and a second raylet, one CPU each, so two trials at once run one on each node;
    both are on this machine, so the host is the same and each summary's `node` (Ray's node id)
    tells them apart."""
    pytest.importorskip("ray.tune")
    import signal
    import socket

    ray_cli = os.path.join(os.path.dirname(sys.executable), "ray")
    env = environment()
    # Ray 2.60's `ray start --head` turns on token authentication, which a joining raylet and the
    # driver would each need the token for; a throwaway cluster on one machine goes without.
    env["RAY_AUTH_MODE"] = "disabled"
    with socket.socket() as probe:  # a free port for the head's GCS
        probe.bind(("127.0.0.1", 0))
        port = str(probe.getsockname()[1])
    address = "127.0.0.1:" + port
    # --block keeps each `ray start` in the foreground, so the test ends exactly the raylets it started.
    raylets = [subprocess.Popen([ray_cli, "start", "--head", "--block", "--port", port, "--num-cpus", "1",
                                 "--include-dashboard", "false",
                                 "--disable-usage-stats"],
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)]
    try:
        deadline = time.monotonic() + 90
        while not port_open(int(port)):
            assert time.monotonic() < deadline and raylets[0].poll() is None, "the head raylet did not start"
            time.sleep(0.5)
        raylets.append(subprocess.Popen([ray_cli, "start", "--block", "--address", address, "--num-cpus", "1"],
                                        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True))
        count = [sys.executable, "-c", "import ray; ray.init(address=%r, log_to_driver=False, logging_level='ERROR');"
                 " print(sum(n['Alive'] for n in ray.nodes()))" % address]
        while subprocess.run(count, env=env, capture_output=True, text=True).stdout.strip() != "2":
            assert time.monotonic() < deadline and raylets[1].poll() is None, "the second raylet did not join"
            time.sleep(1)
        result = subprocess.run(
            [tunetop_bin, "search", "--backend", "ray", "--python", sys.executable, "--runs", runs,
             "--address", address, "--trials", "4", "--set", "epochs=3", "--pruner", "none"],
            capture_output=True, text=True, env=env, timeout=240)
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        [directory] = [os.path.join(runs, name) for name in os.listdir(runs) if "-search-" in name]
        nodes = set()
        for name in os.listdir(directory):
            summary_path = os.path.join(directory, name, "summary.json")
            if os.path.exists(summary_path):
                summary = json.load(open(summary_path))
                assert summary["status"] == "completed" and summary["host"] == os.uname().nodename
                nodes.add(summary["node"])
        assert len(nodes) == 2, nodes
        record = json.load(open(os.path.join(directory, "search.json")))
        assert {trial["node"] for trial in record["trials"]} == nodes
    finally:
        for raylet in reversed(raylets):
            if raylet.poll() is None:
                os.killpg(raylet.pid, signal.SIGTERM)
        for raylet in raylets:
            try:
                raylet.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(raylet.pid, signal.SIGKILL)
