"""`TunetopCallback`: every trial of an Optuna study as a tunetop run under one search directory.

    study.optimize(objective, n_trials=20, callbacks=[TunetopCallback(runs="runs")])

Optuna calls it when a trial ends; its intermediate values (trial.report) become the run's
validation curve, and its state the run's status (COMPLETE completed, PRUNED pruned, FAIL failed)."""

import optuna

from .searches import create_search_directory, trial_run

STATUS = {optuna.trial.TrialState.COMPLETE: "completed", optuna.trial.TrialState.PRUNED: "pruned",
          optuna.trial.TrialState.FAIL: "failed"}


class TunetopCallback:
    def __init__(self, runs="runs", name="optuna"):
        self.runs, self.name = runs, name
        self.directory = None

    def __call__(self, study, trial):
        if self.directory is None:
            self.directory = create_search_directory(self.runs, self.name, "optuna")
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
