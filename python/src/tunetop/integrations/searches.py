"""What the Ray Tune and Optuna callbacks share: one search directory, one tunetop run per trial."""

import json
import os
import time

from .. import _files
from ..run import Run


def create_search_directory(runs, name, backend):
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
    _files.replace_file(os.path.join(path, "search.json"), json.dumps(record, indent=2, sort_keys=True) + "\n")
    return path


def trial_run(directory, number, config, trainer):
    """A started tunetop run for trial `number`, tagged with the search, its parameters as config."""
    settings = {key: value for key, value in config.items() if isinstance(value, (int, float, str, bool))}
    run = Run(runs=directory, name="t%02d" % number, config=settings, trainer=trainer,
              search=os.path.basename(directory), trial=number)
    run.start()
    return run
