"""The trainable of `tunetop search --backend ray` without a cluster: its `tunetop train` child dies
with the trial's process (Ray SIGKILLs a trial's worker), and a trial whose task is missing on its
node fails with that message in its summary instead of waiting forever for metrics."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest

SOURCE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")

# The Ray Tune class the trainable derives from, as far as setup/step/cleanup need it: Ray itself
# only calls these three, and starting a cluster would take most of a test's time.
WORKER = """
import json, sys, threading
sys.path.insert(0, %(source)r)
from tunetop import ray_search

class Tune:
    class Trainable:
        def __init__(self, config, **kwargs):
            self.config = config
            self.setup(config, **kwargs)

trial = ray_search.make_trainable(Tune)({}, spec=json.loads(sys.argv[1]))
print(trial.child.pid, flush=True)
threading.Event().wait()  # until the test kills this process, as Ray kills a trial's worker
"""


def spec(tmp_path, tunetop_bin, config):
    search = tmp_path / "20261130-070000-search-ray"
    search.mkdir()
    base = search / "base.yaml"
    base.write_text(config)
    return {"search_id": search.name, "search_dir": str(search), "base_config": str(base),
            "tunetop": tunetop_bin, "cwd": str(tmp_path), "space": [], "max_epochs": 100000}


def trial_summary(search_dir):
    for name in os.listdir(search_dir):
        path = os.path.join(search_dir, name, "summary.json")
        if "t01" in name and os.path.exists(path):
            with open(path) as handle:
                return json.load(handle)
    return None


def wait_for(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)  # polling files another process writes
    pytest.fail("no %s within %d s" % (what, seconds))


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_trial_killed_by_ray_takes_its_tunetop_train_with_it(tmp_path, tunetop_bin):
    trial_spec = spec(tmp_path, tunetop_bin, "epochs: 100000\nearly_stopping_patience: 0\n")
    worker = subprocess.Popen([sys.executable, "-c", WORKER % {"source": SOURCE}, json.dumps(trial_spec)],
                              stdout=subprocess.PIPE, text=True)
    child = None
    try:
        child = int(worker.stdout.readline())
        wait_for(lambda: (trial_summary(trial_spec["search_dir"]) or {}).get("epochs_run", 0) > 1, 60,
                 "epochs from the trial's tunetop train")
        assert alive(child)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        wait_for(lambda: not alive(child), 30, "end of tunetop train after its trial's process was killed")
    finally:
        worker.kill()
        worker.wait()
        if child is not None and alive(child):
            os.kill(child, signal.SIGKILL)  # the test failed: leave no orphan training behind
    # SIGTERM, not SIGKILL: the run saved its last checkpoint and ended readable.
    summary = trial_summary(trial_spec["search_dir"])
    assert summary["status"] == "interrupted", summary
    run = os.path.dirname(os.path.join(trial_spec["search_dir"], next(
        n for n in os.listdir(trial_spec["search_dir"]) if "t01" in n), "summary.json"))
    assert os.path.exists(os.path.join(run, "last.safetensors"))


def test_a_trial_whose_task_is_missing_on_its_node_fails_with_the_message(tmp_path, tunetop_bin):
    missing = str(tmp_path / "not-on-this-node" / "reviews.csv")
    trial_spec = spec(tmp_path, tunetop_bin, "task: %s\nepochs: 3\n" % missing)
    sys.path.insert(0, SOURCE)
    from tunetop import ray_search

    class Tune:
        class Trainable:
            def __init__(self, config, **kwargs):
                self.config = config
                self.setup(config, **kwargs)

    trial = ray_search.make_trainable(Tune)({}, spec=trial_spec)
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="no such file"):
        trial.step()
    assert time.monotonic() - started < 30
    trial.cleanup()
    summary = trial_summary(trial_spec["search_dir"])
    assert summary["status"] == "failed"
    assert summary["search"] == os.path.basename(trial_spec["search_dir"]) and summary["trial"] == 1
    assert missing in summary["reason"] and os.uname().nodename in summary["reason"], summary["reason"]
