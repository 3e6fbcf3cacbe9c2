"""`TunetopCallback`: every trial of an Optuna study as a tunetop run under one search directory.

    study.optimize(objective, n_trials=20, callbacks=[TunetopCallback(runs="runs", n_trials=20)])

Optuna calls it when a trial ends; its intermediate values (trial.report) become the run's
validation curve, and its state the run's status (COMPLETE completed, PRUNED pruned, FAIL failed).
search.json names the study's sampler and pruner and its space (the trials' distributions), and
`n_trials`, when given, the planned trials, so `tunetop watch` on the directory knows when it ended."""

import threading

import optuna

from .searches import create_search_directory, trial_run, update_search_record

STATUS = {optuna.trial.TrialState.COMPLETE: "completed", optuna.trial.TrialState.PRUNED: "pruned",
          optuna.trial.TrialState.FAIL: "failed"}


def space_entry(name, distribution):
    """One distribution as search.json's `space` spells a dimension (as tunetop's own search does)."""
    if isinstance(distribution, optuna.distributions.CategoricalDistribution):
        return {"key": name, "choices": [str(choice) for choice in distribution.choices]}
    entry = {"key": name, "low": distribution.low, "high": distribution.high, "log": bool(distribution.log)}
    if isinstance(distribution, optuna.distributions.IntDistribution):
        entry["integer"] = True
    return entry


class TunetopCallback:
    def __init__(self, runs="runs", name="optuna", n_trials=None):
        self.runs, self.name, self.n_trials = runs, name, n_trials
        self.directory = None
        self._space = {}
        # study.optimize(n_jobs=K) calls callbacks from K threads.
        self._lock = threading.Lock()

    def __call__(self, study, trial):
        with self._lock:
            self._record(study, trial)

    def _record(self, study, trial):
        if self.directory is None:
            self.directory = create_search_directory(
                self.runs, self.name, "optuna", sampler=type(study.sampler).__name__,
                pruner=type(study.pruner).__name__, planned_trials=self.n_trials)
        known = len(self._space)
        for key, distribution in trial.distributions.items():
            self._space.setdefault(key, space_entry(key, distribution))
        if len(self._space) != known:
            update_search_record(self.directory, space=list(self._space.values()))
        run = trial_run(self.directory, trial.number + 1, trial.params, "optuna %s" % optuna.__version__)
        values = sorted(trial.intermediate_values.items())
        if not values and trial.value is not None:
            values = [(1, trial.value)]
        for step, value in values:
            run.evaluate(val_loss=value, epoch=step)
        status = STATUS.get(trial.state, "failed")
        reason = None
        if status == "pruned":
            reason = "Optuna's %s pruned it at step %s" % (type(study.pruner).__name__, values[-1][0] if values else 0)
        elif status == "failed":
            reason = str(trial.user_attrs.get("error", trial.system_attrs.get("fail_reason", "the objective raised")))
        run.finish(status, reason)
