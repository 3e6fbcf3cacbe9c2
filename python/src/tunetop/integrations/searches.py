"""What the Ray Tune and Optuna callbacks share: one search directory, one tunetop run per trial."""

import json
import os
import threading
import time

from .. import _files
from ..run import Run

_record_lock = threading.Lock()


def create_search_directory(runs, name, backend, **fields):
    """`<runs>/<stamp>-search-<name>/` with a search.json naming the backend; returns its path."""
    os.makedirs(runs, exist_ok=True)
    base = "%s-search-%s" % (time.strftime("%Y%m%d-%H%M%S"), _files.sanitized_name(name))
    path, suffix = os.path.join(runs, base), 1
    while True:
        try:
            os.mkdir(path)
            break
        except FileExistsError:
            suffix += 1
            path = os.path.join(runs, "%s-%d" % (base, suffix))
    record = {"id": os.path.basename(path), "backend": backend, "objective": "minimise best val_loss", "trials": []}
    record.update({key: value for key, value in fields.items() if value is not None})
    _files.replace_file(os.path.join(path, "search.json"), json.dumps(record, indent=2, sort_keys=True) + "\n")
    return path


def update_search_record(directory, **fields):
    """Sets fields of the search's search.json (replaced whole), e.g. `space` once a study names its
    distributions, `planned_trials`, `finished` at the end. Fields given as None are left as they are."""
    path = os.path.join(directory, "search.json")
    with _record_lock:
        try:
            with open(path) as handle:
                record = json.load(handle)
        except (OSError, ValueError):
            record = {"id": os.path.basename(directory)}
        changed = {key: value for key, value in fields.items() if value is not None and record.get(key) != value}
        if not changed:
            return
        record.update(changed)
        _files.replace_file(path, json.dumps(_files.json_value(record), indent=2, sort_keys=True) + "\n")


class TrialRun(Run):
    """A tunetop run for one trial of a search; `node` (where the scheduler ran it) goes into its
    summary.json, since the callbacks write every trial from the driver's host."""

    node = None

    def _summary_json(self, wall=None):
        text = super()._summary_json(wall)
        if self.node is None:
            return text
        summary = json.loads(text)
        summary["node"] = str(self.node)
        return json.dumps(summary, indent=2, sort_keys=True, allow_nan=False) + "\n"


def trial_run(directory, number, config, trainer, node=None):
    """A started tunetop run for trial `number`, tagged with the search, its parameters as config."""
    settings = {key: value for key, value in config.items() if isinstance(value, (int, float, str, bool))}
    run = TrialRun(runs=directory, name="t%02d" % number, config=settings, trainer=trainer,
                   search=os.path.basename(directory), trial=number)
    run.node = node
    run.start()
    return run
