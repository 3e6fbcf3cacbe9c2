"""`python -m tunetop.ray_search SPEC.json`: the driver `tunetop search --backend ray` starts.

Each trial is a Ray Tune trainable on whatever node Ray places it: it runs `tunetop train` as a
child process with the trial's settings and the search's tags, follows the run's `metrics.csv`,
reports every validation to Ray Tune, and when Ray's scheduler stops the trial early it appends
`prune` (with Ray's reason) to the run's `control.jsonl`, so the run ends `pruned` with its last
checkpoint saved. `tunetop search` writes `search.json` and the report from the run directories.

Exit status: 0 done, 1 the experiment failed, 2 bad input (Ray missing, no cluster at --address).
"""

import csv
import fcntl
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone

STOPPING_MARKER = "ray-stopping"  # written by `tunetop search` on Ctrl-C: trials end as stopped


def value_text(dimension, value):
    """A sampled value as `--set` spells it; integer keys are rounded as tunetop's own search does."""
    if dimension["kind"] == "range":
        if dimension.get("integer"):
            return str(int(round(value)))
        return repr(float(value))
    return str(value)


def param_space(space, tune):
    """tunetop's space as Ray Tune's: log and linear ranges, choices of text, fixed values."""
    result = {}
    for dimension in space:
        key = dimension["key"]
        if dimension["kind"] == "range":
            make = tune.loguniform if dimension["log"] else tune.uniform
            result[key] = make(dimension["low"], dimension["high"])
        elif dimension["kind"] == "choices":
            result[key] = tune.choice(list(dimension["choices"]))
        else:
            result[key] = dimension["value"]
    return result


def send_control(run_dir, command, **fields):
    """Appends one command to the run's control.jsonl under flock, with the next id (run-directory.md)."""
    path = os.path.join(run_dir, "control.jsonl")
    with open(path, "r+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        text = handle.read()
        largest = 0
        for line in text.splitlines():
            try:
                largest = max(largest, int(json.loads(line).get("id", 0)))
            except (ValueError, AttributeError, TypeError):
                continue
        line = {"id": largest + 1, "at": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "command": command, "by": "tunetop.ray_search on %s pid %d" % (os.uname().nodename, os.getpid())}
        line.update(fields)
        prefix = "\n" if text and not text.endswith("\n") else ""
        handle.seek(0, os.SEEK_END)
        handle.write(prefix + json.dumps(line, sort_keys=True) + "\n")
        handle.flush()


def next_trial_number(search_dir):
    """Trial numbers from 1 in the order trials start on any node, from a counter file under flock."""
    with open(os.path.join(search_dir, "ray-trial-counter"), "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        number = int(handle.read().strip() or 0) + 1
        handle.seek(0)
        handle.truncate()
        handle.write(str(number))
        handle.flush()
        os.fsync(handle.fileno())
        return number


def ray_node_id():
    try:
        import ray

        # Outside a Ray worker, asking for the runtime context would connect to (or wait for) a cluster.
        return ray.get_runtime_context().get_node_id() if ray.is_initialized() else None
    except Exception:  # not inside Ray: the run just does not name a node
        return None


def read_json(path):
    try:
        with open(path) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def validation_rows(path, offset):
    """Complete rows of metrics.csv after `offset` bytes, as (epoch, val_loss, val_accuracy), and the new offset."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except OSError:
        return [], offset
    end = data.rfind(b"\n") + 1
    if end <= offset:
        return [], offset
    header = data[: data.find(b"\n")].decode().split(",")
    rows = []
    body = data[offset:end].decode() if offset else data[data.find(b"\n") + 1:end].decode()
    for cells in csv.reader(io.StringIO(body)):
        if not cells or cells == header:
            continue
        row = dict(zip(header, cells))
        try:
            # ASHA's rungs are epochs: a mid-epoch evaluation (`2.5`) is not one of its iterations.
            position = float(row["epoch"])
            if not position.is_integer():
                continue
            epoch = int(position)
            loss = float(row["val_loss"])
            accuracy = float(row.get("val_acc", row.get("val_accuracy", "nan")))
        except (KeyError, ValueError):
            continue
        if epoch > 0:
            rows.append((epoch, loss, accuracy))
    return rows, end


# Run in the trial's child before it becomes `tunetop train`: Linux sends the child SIGTERM when the
# process that started it dies, even by SIGKILL (Ray killing a trial's worker, an OOM kill), so the
# run saves `last`, ends `interrupted` and its CPU goes back to Ray. PR_SET_PDEATHSIG outlives exec;
# checking the parent afterwards covers a parent that died before the call. A separate interpreter
# rather than `preexec_fn`, which may deadlock in a process with threads, as a Ray worker is.
CHILD_LAUNCHER = """
import ctypes, os, signal, sys
if ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM) != 0:
    sys.exit("tunetop.ray_search: prctl(PR_SET_PDEATHSIG) failed: " + os.strerror(ctypes.get_errno()))
if os.getppid() != int(sys.argv[1]):
    sys.exit("tunetop.ray_search: the trial's process died before its tunetop train started")
os.execvp(sys.argv[2], sys.argv[2:])
"""


def start_trial_process(command, stderr, cwd=None):
    """Starts a trial's `tunetop train` tied to this process's life (on Linux), in a session of its
    own so that a terminal's Ctrl-C reaches it only through the search, as `stop` or `prune`."""
    if sys.platform.startswith("linux"):
        command = [sys.executable, "-c", CHILD_LAUNCHER, str(os.getpid())] + list(command)
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr, cwd=cwd, start_new_session=True)


def make_trainable(tune):
    class TunetopTrial(tune.Trainable):
        """One trial: a `tunetop train` child process, one Ray Tune iteration per epoch."""

        def setup(self, config, spec=None):
            self.spec = spec
            self.number = next_trial_number(spec["search_dir"])
            self.last_epoch = 0
            self.offset = 0
            self.pending = []
            self.last_result = None
            self.run_dir = None
            tunetop = spec["tunetop"] if os.access(spec["tunetop"], os.X_OK) else shutil.which("tunetop")
            if tunetop is None:
                raise RuntimeError("tunetop is not installed on %s: neither %s nor tunetop on PATH"
                                   % (os.uname().nodename, spec["tunetop"]))
            command = [tunetop, "train", "--config", spec["base_config"], "--runs", spec["search_dir"],
                       "--name", "t%02d" % self.number, "--search-id", spec["search_id"],
                       "--trial", str(self.number)]
            node = ray_node_id()
            if node:
                command += ["--node", node]
            for dimension in spec["space"]:
                if dimension["kind"] != "fixed":
                    command += ["--set", "%s=%s" % (dimension["key"], value_text(dimension, config[dimension["key"]]))]
            self.errors = tempfile.TemporaryFile()
            self.child = start_trial_process(command, self.errors, cwd=spec.get("cwd"))

        def _find_run(self):
            if self.run_dir is not None:
                return self.run_dir
            tag = "t%02d" % self.number
            for name in os.listdir(self.spec["search_dir"]):
                if tag not in name:
                    continue
                path = os.path.join(self.spec["search_dir"], name)
                summary = read_json(os.path.join(path, "summary.json"))
                if summary and summary.get("trial") == self.number and summary.get("search") == self.spec["search_id"]:
                    self.run_dir = path
            return self.run_dir

        def _child_error(self):
            self.errors.seek(0)
            text = self.errors.read().decode(errors="replace").strip()
            return text or "tunetop train exited with status %s" % self.child.returncode

        def step(self):
            """One epoch's validation as one Ray Tune iteration, so ASHA's rungs are epochs."""
            while True:
                exited = self.child.poll() is not None
                run = self._find_run()
                if run is not None and not self.pending:
                    rows, self.offset = validation_rows(os.path.join(run, "metrics.csv"), self.offset)
                    self.pending.extend(rows)
                if self.pending:
                    epoch, loss, accuracy = self.pending.pop(0)
                    self.last_epoch = epoch
                    self.last_result = {"val_loss": loss, "val_accuracy": accuracy, "epoch": epoch,
                                        "host": os.uname().nodename}
                    done = epoch >= self.spec["max_epochs"]
                    if done:
                        self.child.wait()  # the run writes its test accuracy and final summary
                    return dict(self.last_result, done=done)
                if exited:
                    summary = read_json(os.path.join(run, "summary.json")) if run else None
                    if summary is None:
                        message = self._child_error()
                        self._record_failure(message)
                        raise RuntimeError(message)
                    if self.last_result is None:
                        raise RuntimeError("trial %d %s: %s" % (self.number, summary.get("status"),
                                                                summary.get("reason") or self._child_error()))
                    return dict(self.last_result, done=True)  # early stopping ended it
                time.sleep(0.2)  # polling metrics.csv of a child process; nothing to wait on instead

        def _record_failure(self, message):
            """A trial whose `tunetop train` stopped before making its run (its task or base model not on
            this node) still gets a run directory, `failed` with the message, so the search shows why."""
            from .run import Run

            params = {d["key"]: value_text(d, self.config[d["key"]]) for d in self.spec["space"] if d["kind"] != "fixed"}
            run = Run(runs=self.spec["search_dir"], name="t%02d" % self.number, config=params,
                      trainer="tunetop train (did not start on %s)" % os.uname().nodename,
                      search=self.spec["search_id"], trial=self.number)
            run.start()
            run.finish("failed", "on %s: %s" % (os.uname().nodename, message[-500:]))

        def cleanup(self):
            if self.child.poll() is None:
                run = self._find_run()
                stopping = os.path.exists(os.path.join(self.spec["search_dir"], STOPPING_MARKER))
                if run is None or self.last_epoch >= self.spec["max_epochs"]:
                    pass
                elif stopping:
                    send_control(run, "stop")
                else:
                    send_control(run, "prune", reason=self.spec["prune_reason"] % {"epoch": self.last_epoch})
                try:
                    self.child.wait(timeout=120)
                except subprocess.TimeoutExpired:
                    self.child.terminate()  # SIGTERM: the run saves `last` and ends interrupted
                    self.child.wait()
            self.errors.close()

        def save_checkpoint(self, checkpoint_dir):
            return None  # the run directory holds the checkpoints

        def load_checkpoint(self, checkpoint):
            pass

    return TunetopTrial


def main(argv):
    if len(argv) != 2:
        print("usage: python -m tunetop.ray_search SPEC.json (written by tunetop search --backend ray)",
              file=sys.stderr)
        return 2
    with open(argv[1]) as handle:
        spec = json.load(handle)
    try:
        import ray
        from ray import tune
    except ImportError as error:
        print("tunetop: --backend ray needs Ray Tune in %s (%s); install it with: %s -m pip install 'ray[tune]' optuna"
              % (sys.executable, error, sys.executable), file=sys.stderr)
        return 2
    address = spec.get("address")
    init = {"include_dashboard": False, "logging_level": "WARNING", "log_to_driver": False}
    if address:
        init["address"] = address
    else:  # a new Ray on this machine, even when another cluster's address is remembered in /tmp/ray
        init["address"] = "local"
        init["num_cpus"] = spec.get("num_cpus")
    try:
        ray.init(**init)
    except (ConnectionError, RuntimeError, ValueError) as error:
        where = "at --address %s" % address if address else "on this machine"
        print("tunetop: cannot start or reach a Ray cluster %s: %s" % (where, error), file=sys.stderr)
        return 2
    sampler_note = "random"
    search_alg = None
    if spec["sampler"] == "tpe":
        try:
            from ray.tune.search.optuna import OptunaSearch
            import optuna  # noqa: F401

            search_alg = OptunaSearch(seed=spec["seed"])
            sampler_note = "optuna TPE"
        except ImportError:
            sampler_note = "random (optuna is not installed)"
    scheduler = None
    if spec["scheduler"] == "asha":
        from ray.tune.schedulers import ASHAScheduler

        scheduler = ASHAScheduler(time_attr="training_iteration", max_t=spec["max_epochs"],
                                  grace_period=spec["grace_period"], reduction_factor=spec["reduction_factor"])
        spec["prune_reason"] = ("Ray Tune's ASHAScheduler stopped it after epoch %%(epoch)d (grace period %d, reduction factor %g)"
                                % (spec["grace_period"], spec["reduction_factor"]))
    else:
        spec["prune_reason"] = "Ray Tune stopped it after epoch %(epoch)d"
    print("ray: %s, sampler %s, scheduler %s" % (ray.cluster_resources(), sampler_note, spec["scheduler"]), flush=True)
    trainable = tune.with_resources(tune.with_parameters(make_trainable(tune), spec=spec),
                                    {"cpu": spec.get("cpus_per_trial", 1)})
    tuner = tune.Tuner(
        trainable,
        param_space=param_space(spec["space"], tune),
        tune_config=tune.TuneConfig(metric="val_loss", mode="min", num_samples=spec["trials"],
                                    search_alg=search_alg, scheduler=scheduler,
                                    max_concurrent_trials=spec.get("max_concurrent")),
        run_config=tune.RunConfig(name="ray", storage_path=os.path.join(spec["search_dir"], ".ray"),
                                  verbose=0, failure_config=tune.FailureConfig(max_failures=0)),
    )
    tuner.fit()
    ray.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
