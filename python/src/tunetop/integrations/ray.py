"""`TunetopLogger`: every trial of a Ray Tune experiment as a tunetop run, live, under one search directory.

    tune.Tuner(trainable, run_config=tune.RunConfig(callbacks=[TunetopLogger(runs="runs", metric="val_loss")]))

Each reported result becomes a metrics.csv row (the metric as val_loss, `accuracy_metric` as val_accuracy);
a trial that ends before `max_iterations` (Ray's scheduler stopped it) ends `pruned`, an erroring one `failed`.
Each run's summary names the node the trial ran on (`node`: the `hostname` Ray puts in every result);
search.json gets the planned trials at the start and `finished` at the experiment's end, so
`tunetop watch` on the directory follows it live and knows when it ended.
The callback runs in the driver, so the runs directory only has to be where the driver runs."""

from ray.tune import Callback

from .searches import create_search_directory, trial_run, update_search_record


class TunetopLogger(Callback):
    def __init__(self, runs="runs", name="ray", metric="val_loss", accuracy_metric=None, max_iterations=None):
        # Ray marks a scheduler's last result `done` too, so with `max_iterations` (ASHA's max_t) a trial
        # that ends before it counts as pruned; without it, one whose last result was not `done`.
        self.max_iterations = max_iterations
        self.runs, self.name, self.metric, self.accuracy_metric = runs, name, metric, accuracy_metric
        self.directory = None
        self._runs = {}
        self._last = {}
        self._started = 0

    def setup(self, **info):
        if self.directory is None:
            planned = info.get("total_num_samples")
            self.directory = create_search_directory(self.runs, self.name, "ray",
                                                     planned_trials=planned if planned and planned > 0 else None)

    def on_trial_start(self, iteration, trials, trial, **info):
        self.setup()
        if trial.trial_id not in self._runs:
            self._started += 1
            self._runs[trial.trial_id] = trial_run(self.directory, self._started, trial.config,
                                                   "ray tune %s" % trial.trainable_name)

    def on_trial_result(self, iteration, trials, trial, result, **info):
        run = self._runs.get(trial.trial_id)
        if run is None or self.metric not in result:
            return
        self._last[trial.trial_id] = result
        if run.node is None and result.get("hostname"):
            run.node = result["hostname"]  # written with the row's summary below
        run.evaluate(val_loss=result[self.metric],
                     val_accuracy=result.get(self.accuracy_metric) if self.accuracy_metric else None,
                     epoch=result.get("training_iteration"))

    def on_trial_complete(self, iteration, trials, trial, **info):
        run = self._runs.pop(trial.trial_id, None)
        if run is None:
            return
        last = self._last.pop(trial.trial_id, {})
        iterations = last.get("training_iteration", 0)
        stopped_early = (iterations < self.max_iterations if self.max_iterations is not None
                         else not last.get("done", False))
        if last and stopped_early:
            run.finish("pruned", "Ray Tune's scheduler stopped it after iteration %s" % last.get("training_iteration"))
        else:
            run.finish("completed")

    def on_trial_error(self, iteration, trials, trial, **info):
        run = self._runs.pop(trial.trial_id, None)
        if run is not None:
            error = getattr(trial, "error_file", None)
            run.finish("failed", "the trial raised an error" + (" (%s)" % error if error else ""))

    def on_experiment_end(self, trials, **info):
        if self.directory is not None:
            update_search_record(self.directory, finished=True)
