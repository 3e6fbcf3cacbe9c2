"""TunetopCallback: a Hugging Face `Trainer` run as a tunetop run.

    from tunetop.integrations.transformers import TunetopCallback
    trainer = Trainer(model=model, args=args, ..., callbacks=[TunetopCallback(runs="runs", name="bert")])

Hyperparameters come from `TrainingArguments`, the training loss from `on_log` (so its
resolution is `logging_steps`), validation from `on_evaluate`. A `stop` command asks the Trainer
to save a checkpoint and then stop (`control.should_save`, `control.should_training_stop`).
The gradient norms are taken in `on_pre_optimizer_step`, that is after the Trainer's own
clipping to `max_grad_norm` (set it to 0 to see the raw norms). A step the Trainer logs gets its
steps.csv row in `on_log`, with the logged loss.
"""

import math

from transformers import TrainerCallback

from ..run import Run

__all__ = ["TunetopCallback"]


class TunetopCallback(TrainerCallback):
    """Writes the Trainer's run directory and applies tunetop commands at each optimizer step."""

    def __init__(self, runs="runs", name=None, config=None, groups=None):
        self.runs, self.name, self.extra_config, self.groups = runs, name, dict(config or {}), groups
        self.run = None
        self._saved_for_stop = False

    # The Trainer calls these on every process; only the main one writes the run.
    def on_train_begin(self, args, state, control, model=None, optimizer=None, lr_scheduler=None, **kwargs):
        if not state.is_world_process_zero or self.run is not None:
            return
        import torch
        import transformers

        self.run = Run(
            runs=self.runs, name=self.name or _run_name(args, model), config=_config(args, self.extra_config),
            model=model, optimizer=optimizer, scheduler=lr_scheduler, groups=self.groups, source="transformers",
            trainer="transformers %s (pytorch %s)" % (transformers.__version__, torch.__version__))
        self.run.start()
        self._samples_per_step = args.train_batch_size * args.gradient_accumulation_steps * max(1, args.world_size)

    def on_pre_optimizer_step(self, args, state, control, **kwargs):
        run = self.run
        if run is None or run._disabled:
            return
        # Gradients are gone by on_step_end (the Trainer zeroes them first), so whether this step
        # gets a row is decided here, and its norms read now.
        run._row_lr = run._learning_rate()  # the rate of this step, before the scheduler moves it
        if run._row_due() or state.global_step + 1 >= state.max_steps:
            run.remember_gradient_norms(state.global_step + 1)

    def on_step_end(self, args, state, control, **kwargs):
        run = self.run
        if run is None:
            return
        epoch = max(1, math.ceil((state.epoch or 0) - 1e-9))
        run.step(global_step=state.global_step, epoch=epoch, samples=self._samples_per_step, write_row=False)
        if not control.should_log:
            self._write_row_if_due(run)  # else on_log, right after this, writes it with the loss
        if run.should_stop and not self._saved_for_stop:
            self._saved_for_stop = True
            control.should_save = True
            control.should_training_stop = True
        return control

    def on_log(self, args, state, control, logs=None, **kwargs):
        run = self.run
        if run is None or not logs or "loss" not in logs:
            return
        try:
            run._add_loss(float(logs["loss"]))
            self._write_row_if_due(run)
        except Exception as error:
            run._report("on_log", error)

    @staticmethod
    def _write_row_if_due(run):
        pending = run._pending_norms
        if pending is not None and pending[0] == run.global_step:
            try:
                run._write_row()
            except Exception as error:
                run._report("step", error)

    def on_evaluate(self, args, state, control, metrics=None, **kwargs):
        run = self.run
        if run is None or not metrics:
            return
        extra = {k[len("eval_"):] if k.startswith("eval_") else k: v for k, v in metrics.items()
                 if k not in ("eval_loss", "eval_accuracy", "epoch") and k not in _TIMINGS}
        extra = {k: v for k, v in extra.items() if k not in ("val_loss", "val_accuracy", "train_loss")}
        # `eval_strategy="steps"` evaluates mid-epoch: the row gets the Trainer's fractional epoch
        # (2.5 halfway through epoch 3), an epoch's end its whole number.
        epoch = round(state.epoch) if _at_epoch_end(state) else (state.epoch or None)
        run.evaluate(val_loss=metrics.get("eval_loss"), val_accuracy=metrics.get("eval_accuracy"),
                     epoch=epoch, **extra)

    def on_save(self, args, state, control, **kwargs):
        run = self.run
        if run is not None and not run._disabled:
            try:
                run._event("checkpoint", path=_checkpoint_dir(args, state))
            except Exception as error:
                run._report("on_save", error)

    def on_train_end(self, args, state, control, **kwargs):
        run = self.run
        if run is None:
            return
        run.finish()
        self.run_path = run.path

    # An exception in the Trainer never reaches a callback: the run is finished `failed` (or
    # `interrupted`) with its reason when the interpreter exits (Run._finish_at_exit).


# Timings of the evaluation loop itself, not metrics of the model.
_TIMINGS = ("eval_runtime", "eval_samples_per_second", "eval_steps_per_second")


def _at_epoch_end(state):
    epoch = state.epoch or 0
    return abs(epoch - round(epoch)) < 1e-6 and epoch >= 1


def _checkpoint_dir(args, state):
    import os

    return os.path.join(args.output_dir, "checkpoint-%d" % state.global_step)


def _run_name(args, model):
    config = getattr(model, "config", None)
    kind = getattr(config, "model_type", None)
    return "%s-%s" % ("transformers", kind) if kind else "transformers"


def _config(args, extra):
    """tunetop's own key names first (learning_rate, batch_size, epochs, …), then every scalar argument."""
    settings = {
        "learning_rate": args.learning_rate,
        "batch_size": args.per_device_train_batch_size,
        "epochs": args.num_train_epochs,
        "optimizer": str(getattr(args.optim, "value", args.optim)),
        "weight_decay": args.weight_decay,
        "schedule": str(getattr(args.lr_scheduler_type, "value", args.lr_scheduler_type)),
        "warmup_ratio": getattr(args, "warmup_ratio", None),
        "warmup_steps": args.warmup_steps,
        "grad_clip": args.max_grad_norm,
        "seed": args.seed,
    }
    settings.update(extra)
    for key, value in args.to_dict().items():
        if key not in settings and (value is None or isinstance(value, (bool, int, float, str))):
            settings[key] = value
    return settings
