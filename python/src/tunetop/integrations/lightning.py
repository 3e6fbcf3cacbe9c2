"""TunetopCallback: a PyTorch Lightning run as a tunetop run.

    from tunetop.integrations.lightning import TunetopCallback
    trainer = lightning.Trainer(max_epochs=5, callbacks=[TunetopCallback(runs="runs", name="mlp")])

The training loss is what `training_step` returns (or its `loss` entry); validation metrics are
read from `trainer.callback_metrics` after each validation (`val_loss`, and `val_accuracy`,
`val_acc` or `val_accuracy_epoch`), so log them with `self.log("val_loss", …)`. A validation in
the middle of an epoch (`val_check_interval`) gets a fractional epoch in metrics.csv (2.5 halfway
through epoch 3: the share of the epoch's batches done). Gradient norms
are taken in `on_before_optimizer_step`, before Lightning clips them. A `stop` command sets
`trainer.should_stop`, which Lightning honours at the end of the step.
"""


try:
    from lightning.pytorch.callbacks import Callback
except ImportError:  # the standalone `pytorch_lightning` package
    from pytorch_lightning.callbacks import Callback

from ..run import Run

__all__ = ["TunetopCallback"]

_ACCURACY_NAMES = ("val_accuracy", "val_acc", "val_accuracy_epoch", "val_acc_epoch")


class TunetopCallback(Callback):
    """Writes the Lightning run's directory and applies tunetop commands after each optimizer step."""

    def __init__(self, runs="runs", name=None, config=None, groups=None):
        super().__init__()
        self.runs, self.name, self.extra_config, self.groups = runs, name, dict(config or {}), groups
        self.run = None
        self.run_path = None
        self._seen_step = 0
        self._batches_done = 0

    def on_train_epoch_start(self, trainer, pl_module):
        self._batches_done = 0

    def on_fit_start(self, trainer, pl_module):
        if not trainer.is_global_zero or self.run is not None:
            return
        import torch

        try:
            import lightning

            version = lightning.__version__
        except ImportError:
            import pytorch_lightning as lightning

            version = lightning.__version__
        optimizer = trainer.optimizers[0] if trainer.optimizers else None
        configs = getattr(trainer, "lr_scheduler_configs", None) or []
        scheduler = configs[0].scheduler if configs else None
        self.run = Run(
            runs=self.runs, name=self.name or type(pl_module).__name__, config=_config(trainer, pl_module, self.extra_config),
            model=pl_module, optimizer=optimizer, scheduler=scheduler, groups=self.groups, source="lightning",
            trainer="lightning %s (pytorch %s)" % (version, torch.__version__))
        self.run.start()
        self._seen_step = trainer.global_step

    def on_before_optimizer_step(self, trainer, pl_module, optimizer):
        run = self.run
        # Read before Lightning clips them, for the row this step will get.
        if run is not None and not run._disabled and run._row_due():
            run.remember_gradient_norms(trainer.global_step + 1)

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx):
        self._batches_done = batch_idx + 1
        run = self.run
        if run is None:
            return
        loss = outputs.get("loss") if isinstance(outputs, dict) else outputs
        if trainer.global_step == self._seen_step:
            # Accumulating gradients: no optimizer step yet; the loss still counts.
            if loss is not None:
                try:
                    run._add_loss(float(loss))
                except Exception as error:
                    run._report("on_train_batch_end", error)
            return
        self._seen_step = trainer.global_step
        run.step(loss=loss, global_step=trainer.global_step, epoch=trainer.current_epoch + 1,
                 samples=_batch_size(batch))
        if run.should_stop:
            trainer.should_stop = True

    def on_validation_end(self, trainer, pl_module):
        run = self.run
        if run is None or trainer.sanity_checking:
            return
        metrics = trainer.callback_metrics
        val_loss = metrics.get("val_loss")
        val_accuracy = next((metrics[n] for n in _ACCURACY_NAMES if n in metrics), None)
        run.evaluate(val_loss=val_loss, val_accuracy=val_accuracy, epoch=self._epoch(trainer))

    def _epoch(self, trainer):
        """`current_epoch + 1` at an epoch's end; completed epochs + the share of batches done mid-epoch."""
        total = trainer.num_training_batches
        done = self._batches_done
        if not isinstance(total, int) or total <= 0 or done <= 0 or done >= total:
            return trainer.current_epoch + 1
        return trainer.current_epoch + done / total

    def on_fit_end(self, trainer, pl_module):
        self._finish()

    def on_exception(self, trainer, pl_module, exception):
        if isinstance(exception, KeyboardInterrupt):
            self._finish("interrupted", "interrupted by SIGINT (KeyboardInterrupt) at step %d" % trainer.global_step)
        else:
            self._finish("failed", ("%s: %s" % (type(exception).__name__, exception))[:500])

    def _finish(self, status=None, reason=None):
        if self.run is not None:
            self.run.finish(status, reason)
            self.run_path = self.run.path


def _batch_size(batch):
    try:
        first = batch[0] if isinstance(batch, (list, tuple)) else next(iter(batch.values())) if isinstance(batch, dict) else batch
        return int(first.shape[0])
    except Exception:
        return None


def _config(trainer, pl_module, extra):
    settings = {"epochs": trainer.max_epochs}
    if trainer.accumulate_grad_batches != 1:
        settings["accumulate_grad_batches"] = trainer.accumulate_grad_batches
    if trainer.gradient_clip_val:
        settings["grad_clip"] = trainer.gradient_clip_val
    settings["precision"] = str(trainer.precision)
    try:
        for key, value in dict(pl_module.hparams).items():
            if value is None or isinstance(value, (bool, int, float, str, list, tuple, dict)):
                settings.setdefault(key, value)
    except Exception:
        pass
    settings.update(extra)
    return settings
