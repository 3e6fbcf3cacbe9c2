"""tunetop.Run: a PyTorch training as a tunetop run (docs/run-directory.md, format 2)."""

import atexit
import json
import math
import os
import sys
import time

from . import _files
from ._config import config_yaml
from ._control import ControlReader, Refusal, parse_command
from ._groups import groups_from_model, groups_from_spec

__all__ = ["Run", "SOURCES"]

SOURCES = ("pytorch", "transformers", "lightning")

METRICS_HEADER = ["epoch", "step", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "learning_rate", "seconds"]
STEPS_HEADER = ["step", "epoch", "loss", "accuracy", "learning_rate", "grad_norm"]


class Run:
    """Makes a training loop a tunetop run: writes its run directory and applies the commands of control.jsonl.

    Use it as a context manager around the loop and call `step()` after every optimizer step
    (before `zero_grad()`, so the gradient norms can be read), `evaluate()` after every
    validation. Errors of the bridge itself never reach the training: each kind is reported
    once on stderr and in events.jsonl, and training goes on.

    Learning rate: a `set learning_rate` command sets the peak (base) rate. Every param group's
    current rate, its scheduler base rate (`base_lrs`, `initial_lr`, and OneCycleLR/CyclicLR's
    `max_lr`/`min_lr`) are multiplied by new/old peak, so the ratios between groups and the
    position in the schedule are kept and the schedule continues from the new peak. Weight decay
    is scaled the same way over the groups that have any (groups without it, such as Hugging
    Face's biases and LayerNorms, keep 0 unless every group had 0).
    """

    #: A steps.csv row is written at most this often (plus the last step before an evaluation).
    ROW_INTERVAL = 0.05
    #: summary.json is refreshed at most this often while training (and at every evaluation).
    SUMMARY_INTERVAL = 2.0
    #: How often a paused run looks at control.jsonl for `resume` (tunetop's trainer: 10 ms).
    PAUSE_POLL = 0.01
    #: control.jsonl is checked at every step boundary, but at most this often (as tunetop's
    #: trainer, 5 ms): a faster step would pay a system call for a check no person can tell apart.
    CONTROL_INTERVAL = 0.005

    def __init__(self, runs="runs", name=None, config=None, model=None, optimizer=None, scheduler=None,
                 groups=None, source="pytorch", trainer=None, search=None, trial=None):
        if source not in SOURCES:
            raise ValueError("source must be one of %s, got %r" % (", ".join(SOURCES), source))
        self.runs = os.fspath(runs)
        self.name = name or source
        self.config = dict(config or {})
        self.model = model
        self.optimizer = optimizer
        self.scheduler = scheduler
        self.source = source
        self.trainer = trainer
        # A trial of a search (its directory's name and the trial's number), as tunetop search tags them.
        self.search, self.trial = search, trial
        self._groups_spec = groups
        self.path = None
        self.should_stop = False
        self.status = None
        self.reason = None
        self.paused = False
        self._disabled = True
        self._finished = False
        self._reported = set()
        self._events = self._metrics = self._steps = None
        self._control = None
        self._refusal_reported = False
        self._answered = set()
        self.groups = []
        # counters
        self.global_step = 0
        self._epoch = None
        self._evaluations = 0
        self._last_row_step = 0
        self._last_row_time = 0.0
        self._last_summary_time = 0.0
        self._last_control_time = float("-inf")
        self._row_loss = self._row_loss_n = self._row_acc = self._row_acc_n = 0
        self._epoch_loss = self._epoch_loss_n = self._epoch_acc = self._epoch_acc_n = 0
        self._samples = 0
        self._best_epoch = 0
        self._best_step = None
        self._best_val_loss = None
        self._best_val_accuracy = None
        self._started = None
        self._metrics_columns = list(METRICS_HEADER)
        self._metrics_rows = 0
        self._pending_norms = None
        self._row_lr = None
        self._row_deferred = False

    # ---- life cycle ------------------------------------------------------------------------

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.finish()
        elif issubclass(exc_type, KeyboardInterrupt):
            self.finish("interrupted", "interrupted by SIGINT (KeyboardInterrupt) at step %d" % self.global_step)
        else:
            message = ("%s: %s" % (exc_type.__name__, exc)).strip().rstrip(":")
            self.finish("failed", message[:500])
        return False

    def start(self):
        """Creates the run directory; on failure the run is reported and training goes on unwatched."""
        if self.path is not None:
            return self
        try:
            self._start()
            self._disabled = False
            # A run nobody finishes (an exception inside a Trainer, a loop without `with`) is
            # finished when the interpreter exits, as failed or interrupted, with the reason.
            atexit.register(self._finish_at_exit)
        except Exception as error:
            self._report("start", error)
        return self

    def _start(self):
        if self.trainer is None:
            self.trainer = "pytorch %s" % _torch_version()
        if self.model is not None:
            self.groups = (groups_from_spec(self.model, self._groups_spec) if self._groups_spec is not None
                           else groups_from_model(self.model))
        self._parameters = list(self.model.parameters()) if self.model is not None else []
        index = {id(p): i for i, p in enumerate(self._parameters)}
        self._group_indices = [[index[id(p)] for _, p in g.parameters if id(p) in index] for g in self.groups]
        self._started = time.time()
        # Asked once: which process writes the run does not change while it runs.
        self._writer = (_files.process_start_ticks(os.getpid()), _files.host_name())
        self._clock = time.monotonic()
        self._last_row_time = self._last_summary_time = self._clock
        self.status = "running"

        def populate(staging):
            _files.replace_file(os.path.join(staging, "config.yaml"), config_yaml(
                self._config_settings(), "written by tunetop.Run (%s); source: %s" % (self.trainer, self.source)))
            _files.replace_file(os.path.join(staging, "metrics.csv"), ",".join(METRICS_HEADER) + "\n")
            _files.replace_file(os.path.join(staging, "steps.csv"), ",".join(
                STEPS_HEADER + ["grad_norm/%s" % g.name for g in self.groups]) + "\n")
            _files.replace_file(os.path.join(staging, "groups.json"), self._groups_json())
            # O_EXCL and 0600: only the run's own user can steer it (umask can only narrow this).
            os.close(os.open(os.path.join(staging, "control.jsonl"),
                             os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600))
            _files.replace_file(os.path.join(staging, "summary.json"), self._summary_json())
            self._events = _files.AppendFile(os.path.join(staging, "events.jsonl"))
            self._event("start", source=self.source, trainer=self.trainer, groups=[g.name for g in self.groups])

        self.path = _files.create_run_directory(self.runs, self.name, populate)
        # The descriptors opened in staging follow the files through the rename.
        self._metrics = _files.AppendFile(os.path.join(self.path, "metrics.csv"))
        self._steps = _files.AppendFile(os.path.join(self.path, "steps.csv"))
        self._control = ControlReader(os.path.join(self.path, "control.jsonl"))

    def _finish_at_exit(self):
        error = getattr(sys, "last_value", None)  # set by the interpreter for an uncaught exception
        if isinstance(error, KeyboardInterrupt):
            self.finish("interrupted", "interrupted by SIGINT (KeyboardInterrupt) at step %d" % self.global_step)
        elif error is not None:
            self.finish("failed", ("%s: %s" % (type(error).__name__, error))[:500])
        else:
            self.finish("failed", "the process exited at step %d before the run was finished" % self.global_step)

    def finish(self, status=None, reason=None):
        """Ends the run: the last steps row, a `finish` event and the final summary.json."""
        if self._finished or self._disabled:
            self._finished = True
            return
        self._finished = True
        atexit.unregister(self._finish_at_exit)
        try:
            if self.global_step > self._last_row_step:
                self._write_row()
        except Exception as error:
            self._report("finish", error)
        if status is None:
            status = "stopped" if self.should_stop else "completed"
        self.status, self.paused = status, False
        if reason is not None:
            self.reason = reason
        try:
            self._refuse_late_commands(status)
        except Exception as error:
            self._report("finish", error)
        try:
            if status == "interrupted":
                self._event("interrupt")
            elif status == "stopped":
                self._event("stop")
            self._event("finish", status=status, **({"reason": self.reason} if self.reason else {}))
            self._write_summary(durable=True)
            for file in (self._events, self._metrics, self._steps):
                if file is not None:
                    file.sync()
        except Exception as error:
            self._report("finish", error)
        finally:
            for file in (self._events, self._metrics, self._steps, self._control):
                if file is not None:
                    file.close()

    # ---- what the training loop calls --------------------------------------------------------

    def step(self, loss=None, accuracy=None, *, epoch=None, samples=None, global_step=None, write_row=True):
        """Records one optimizer step and applies pending commands; returns `should_stop`.

        `loss` and `accuracy` may be floats or 0-d tensors; `samples` is the batch size (for
        samples/s); `epoch` overrides the epoch counted from `evaluate()` calls. Blocks while
        the run is paused."""
        if self._disabled or self._finished:
            return self.should_stop
        try:
            if epoch is not None:
                self._epoch = epoch
            self.global_step = global_step if global_step is not None else self.global_step + 1
            if loss is not None:
                self._add_loss(_cheap(loss))
            if accuracy is not None:
                value = _cheap(accuracy)
                self._row_acc += value
                self._row_acc_n += 1
                self._epoch_acc += value
                self._epoch_acc_n += 1
            if samples:
                self._samples += samples
            now = time.monotonic()
            self._row_deferred = not write_row
            if write_row and now - self._last_row_time >= self.ROW_INTERVAL:
                self._write_row(now)
            if now - self._last_summary_time >= self.SUMMARY_INTERVAL:
                self._write_summary()
            if now - self._last_control_time < self.CONTROL_INTERVAL:
                return self.should_stop
            self._last_control_time = now
        except Exception as error:
            self._report("step", error)
        self._check_control()
        return self.should_stop

    def _add_loss(self, value):
        self._row_loss += value
        self._row_loss_n += 1
        self._epoch_loss += value
        self._epoch_loss_n += 1

    def _row_due(self):
        return time.monotonic() - self._last_row_time >= self.ROW_INTERVAL

    def evaluate(self, val_loss=None, val_accuracy=None, *, train_loss=None, train_accuracy=None,
                 epoch=None, **extra):
        """Appends a metrics.csv row; train loss/accuracy default to the means of the steps since the last one.

        `epoch` may be fractional for an evaluation in the middle of an epoch (`2.5`: halfway
        through epoch 3, as Hugging Face's `state.epoch` counts); the row carries the step either way.
        Extra numeric metrics become extra columns when they come with the first evaluation."""
        if self._disabled or self._finished:
            return
        try:
            self._evaluations += 1
            epoch = epoch if epoch is not None else (self._epoch if self._epoch is not None else self._evaluations)
            if train_loss is None and self._epoch_loss_n:
                train_loss = float(self._epoch_loss) / self._epoch_loss_n
            if train_accuracy is None and self._epoch_acc_n:
                train_accuracy = float(self._epoch_acc) / self._epoch_acc_n
            self._epoch_loss = self._epoch_loss_n = self._epoch_acc = self._epoch_acc_n = 0
            if self._metrics_rows == 0 and extra:
                names = [k for k, v in extra.items() if _is_number(v) and k not in METRICS_HEADER]
                if names:
                    self._metrics_columns = METRICS_HEADER + names
                    _files.replace_file(os.path.join(self.path, "metrics.csv"), ",".join(self._metrics_columns) + "\n")
                    self._metrics.close()
                    self._metrics = _files.AppendFile(os.path.join(self.path, "metrics.csv"))
            cells = {
                "epoch": _files.epoch_cell(epoch), "step": str(self.global_step),
                "train_loss": _files.number_cell(train_loss), "train_accuracy": _files.number_cell(train_accuracy),
                "val_loss": _files.number_cell(_float(val_loss)), "val_accuracy": _files.number_cell(_float(val_accuracy)),
                "learning_rate": _files.number_cell(self._learning_rate()),
                "seconds": "%.3f" % (time.monotonic() - self._clock),
            }
            for name in self._metrics_columns[len(METRICS_HEADER):]:
                cells[name] = _files.number_cell(_float(extra.get(name)))
            self._metrics.append_line(",".join(cells[c] for c in self._metrics_columns))
            self._metrics_rows += 1
            whole, mid_epoch = _files.epoch_of_cell(cells["epoch"])
            self._update_best(whole, _float(val_loss), _float(val_accuracy))
            # A mid-epoch evaluation completes no epoch.
            self._epochs_run = whole if mid_epoch is None else whole - 1
            self._write_summary()
        except Exception as error:
            self._report("evaluate", error)

    def checkpoint(self, path=None):
        """Saves the model's weights atomically to `path` (relative paths are inside the run directory;
        default `last.safetensors`, or `last.pt` without the safetensors package) and logs it."""
        if self._disabled or self.model is None:
            return None
        try:
            import torch

            if path is None:
                path = "last.safetensors" if _has_safetensors() else "last.pt"
            path = os.fspath(path)
            target = path if os.path.isabs(path) else os.path.join(self.path, path)
            directory, base = os.path.split(target)
            temporary = os.path.join(directory or ".", ".%s.tmp-%d" % (base, os.getpid()))
            if target.endswith(".safetensors"):
                from safetensors.torch import save_model

                save_model(self.model, temporary)  # handles tied weights, unlike save_file
            else:
                torch.save(self.model.state_dict(), temporary)
            os.replace(temporary, target)
            self._event("checkpoint", path=target)
            return target
        except Exception as error:
            self._report("checkpoint", error)
            return None

    # ---- control commands --------------------------------------------------------------------

    def _check_control(self):
        try:
            self._process(self._control.poll())
        except Exception as error:
            self._report("control", error)
        while self.paused and not self.should_stop:
            time.sleep(self.PAUSE_POLL)
            try:
                self._process(self._control.poll())
            except Exception as error:
                self._report("control", error)
                self.paused = False  # a broken control file must not hold the training forever

    def _process(self, lines):
        if self._control.refused and not self._refusal_reported:
            self._refusal_reported = True
            print("tunetop: %s" % self._control.refusal, file=sys.stderr)
            self._event("control_refused", reason=self._control.refusal)
        for number, line in lines:
            try:
                command = parse_command(line, number)
                if command.id in self._answered:
                    continue  # answered before (the file was rewritten); exactly one answer per id
                self._apply(command)
            except Refusal as refusal:
                if refusal.id is not None and refusal.id in self._answered:
                    continue
                self._answer(refusal.id, refusal.command, "refused", reason=refusal.reason)

    def _refuse_late_commands(self, status):
        """Commands that arrived after the last step boundary get an answer, so no sender waits."""
        if self._control is None:
            return
        for number, line in self._control.poll():
            try:
                command = parse_command(line, number)
            except Refusal as refusal:
                if refusal.id is None or refusal.id not in self._answered:
                    self._answer(refusal.id, refusal.command, "refused", reason=refusal.reason)
                continue
            if command.id not in self._answered:
                self._answer(command.id, command.command, "refused", reason="the run has ended (%s)" % status)

    def _answer(self, ident, command, result, reason=None):
        fields = {"result": result}
        if ident is not None:
            fields["id"] = ident
            self._answered.add(ident)
        if command is not None:
            fields["command"] = command
        if reason is not None:
            fields["reason"] = reason
        self._event("command", **fields)

    def _apply(self, command):
        kind = command.command
        # A command for the state the run is already in is applied and changes nothing, so a
        # script may repeat it.
        if kind == "pause":
            self._answer(command.id, kind, "applied")
            if not self.paused:
                self.paused = True
                self.status = "paused"
                self._event("pause", by="control")
                self._write_summary()
        elif kind == "resume":
            self._answer(command.id, kind, "applied")
            if self.paused:
                self.paused = False
                self.status = "running"
                self._event("resume", by="control")
                self._write_summary()
        elif kind == "stop":
            if self.should_stop:
                self._answer(command.id, kind, "applied")
                return
            self.should_stop = True
            self.paused = False
            self.status = "running"
            if self.global_step > self._last_row_step and not self._row_deferred:
                self._write_row()  # the last step's row, while its gradients are still there
            self._answer(command.id, kind, "applied")
        elif kind == "set":
            getattr(self, "_set_" + command.key)(command)
            self._answer(command.id, kind, "applied")
            self._event("hot_edit", key=command.key, value=command.value)
        else:
            self._set_trainable(command, kind == "unfreeze")

    def _set_learning_rate(self, command):
        optimizer = self.optimizer
        if optimizer is None:
            raise Refusal(command.id, "set", "learning_rate cannot be set: tunetop.Run was given no optimizer")
        groups = optimizer.param_groups
        schedulers = _schedulers(self.scheduler)
        bases = None
        for scheduler in schedulers:
            if getattr(scheduler, "base_lrs", None) is not None and len(scheduler.base_lrs) == len(groups):
                bases = [float(b) for b in scheduler.base_lrs]
                break
        if bases is None:
            bases = [float(g.get("initial_lr", g["lr"])) for g in groups]
        peak = max(bases)
        new = command.value
        ratio = new / peak if peak > 0 else None
        for group, base in zip(groups, bases):
            scale = (lambda x: x * ratio) if ratio is not None else (lambda x: new)
            group["lr"] = _same_kind(group["lr"], scale(float(group["lr"])))
            for key in ("initial_lr", "max_lr", "min_lr"):
                if key in group and isinstance(group[key], (int, float)):
                    group[key] = scale(float(group[key]))
        for scheduler in schedulers:
            if getattr(scheduler, "base_lrs", None) is not None:
                scheduler.base_lrs = [(b * ratio if ratio is not None else new) for b in scheduler.base_lrs]
            for attribute in ("max_lrs", "min_lrs"):
                if ratio is not None and isinstance(getattr(scheduler, attribute, None), list):
                    setattr(scheduler, attribute, [x * ratio for x in getattr(scheduler, attribute)])
            if hasattr(scheduler, "_last_lr"):
                scheduler._last_lr = [float(g["lr"]) for g in groups]
        self._write_groups()

    def _set_weight_decay(self, command):
        optimizer = self.optimizer
        if optimizer is None:
            raise Refusal(command.id, "set", "weight_decay cannot be set: tunetop.Run was given no optimizer")
        groups = [g for g in optimizer.param_groups if "weight_decay" in g]
        if not groups:
            raise Refusal(command.id, "set", "weight_decay cannot be set: %s has no weight_decay"
                          % type(optimizer).__name__)
        peak = max(float(g["weight_decay"]) for g in groups)
        for group in groups:
            if peak == 0:
                group["weight_decay"] = command.value
            elif group["weight_decay"]:
                group["weight_decay"] = float(group["weight_decay"]) * command.value / peak

    def _set_dropout(self, command):
        modules = _dropouts(self.model) if self.model is not None else []
        if not modules:
            raise Refusal(command.id, "set", "dropout cannot be set: the model has no nn.Dropout module")
        for module in modules:
            module.p = command.value

    def _set_trainable(self, command, trainable):
        kind = command.command
        if self.model is None:
            raise Refusal(command.id, kind, "%s needs a model: tunetop.Run was given none" % kind)
        group = next((g for g in self.groups if g.name == command.group), None)
        if group is not None:
            parameters = [p for _, p in group.parameters]
        else:
            prefix = command.group
            parameters = [p for n, p in self.model.named_parameters() if n == prefix or n.startswith(prefix + ".")]
            if not parameters:
                names = [g.name for g in self.groups]
                shown = ", ".join(names[:12]) + (", …" if len(names) > 12 else "")
                raise Refusal(command.id, kind, "group must be one of %s, or a module name of the model, got %s"
                              % (shown, json.dumps(command.group)))
        if trainable and self.optimizer is not None:
            optimized = {id(p) for g in self.optimizer.param_groups for p in g["params"]}
            if not any(id(p) in optimized for p in parameters):
                raise Refusal(command.id, kind, "%s is not in the optimizer (it was built from trainable "
                              "parameters only), so unfreezing it would not train it" % command.group)
        for parameter in parameters:
            parameter.requires_grad_(trainable)
            if not trainable:
                parameter.grad = None  # else momentum and weight decay would keep moving it
        self._answer(command.id, kind, "applied")
        self._event(kind, group=command.group, by="user")
        self._write_groups()

    # ---- files ----------------------------------------------------------------------------

    def _event(self, kind, **fields):
        if self._events is None:
            return
        record = {"event": kind, "step": self.global_step, "time": _files.utc_now()}
        record.update(fields)
        self._events.append_line(_files.json_line(record))

    def _write_row(self, now=None):
        norm, norms = self._gradient_norms()
        epoch = self._epoch if self._epoch is not None else self._evaluations + 1
        loss = float(self._row_loss) / self._row_loss_n if self._row_loss_n else None
        accuracy = float(self._row_acc) / self._row_acc_n if self._row_acc_n else None
        cells = [str(self.global_step), str(int(epoch)), _files.number_cell(loss), _files.number_cell(accuracy),
                 _files.number_cell(self._row_lr if self._row_lr is not None else self._learning_rate()),
                 _files.number_cell(norm)]
        self._row_lr = None
        cells += [_files.number_cell(n) for n in norms]
        self._steps.append_line(",".join(cells))
        self._row_loss = self._row_loss_n = self._row_acc = self._row_acc_n = 0
        self._last_row_step = self.global_step
        self._last_row_time = now if now is not None else time.monotonic()

    def _gradient_norms(self):
        """The norms for the row of the current step: remembered for it, else read now."""
        pending, self._pending_norms = self._pending_norms, None
        if pending is not None and pending[0] == self.global_step:
            return pending[1]
        return self.gradient_norms()

    def remember_gradient_norms(self, step):
        """Takes the norms now for the row of `step`, for trainers that zero the gradients before the
        step's hook runs (Hugging Face)."""
        self._pending_norms = (step, self.gradient_norms())

    def gradient_norms(self):
        """(global norm, [norm per group]) of the gradients as they are now; None where unknown."""
        if not self._parameters:
            return None, [None] * len(self.groups)
        try:
            import torch

            present = [(i, p.grad) for i, p in enumerate(self._parameters)
                       if p.requires_grad and p.grad is not None and not p.grad.is_sparse]
            if not present:
                return None, [None] * len(self.groups)
            grads = [g for _, g in present]
            try:
                norms = torch._foreach_norm(grads)
            except Exception:
                norms = [torch.linalg.vector_norm(g) for g in grads]
            squares = [n * n for n in torch.stack(norms).tolist()]  # one tensor op, then floats
            by_index = dict(zip((i for i, _ in present), squares))
            total = math.sqrt(sum(squares))
            per_group = []
            for group, indices in zip(self.groups, self._group_indices):
                values = [by_index[i] for i in indices if i in by_index]
                per_group.append(math.sqrt(sum(values)) if values and group.trainable else None)
            return total, per_group
        except Exception as error:
            self._report("gradient norms", error)
            return None, [None] * len(self.groups)

    def _learning_rate(self):
        if self.optimizer is None:
            return self.config.get("learning_rate") if _is_number(self.config.get("learning_rate")) else None
        return max(float(g["lr"]) for g in self.optimizer.param_groups)

    def _groups_json(self):
        peak = self._learning_rate() if self.optimizer is not None else None
        rate_of = {}
        if peak:
            for group in self.optimizer.param_groups:
                for parameter in group["params"]:
                    rate_of[id(parameter)] = float(group["lr"]) / peak
        entries = []
        for group in self.groups:
            first = group.parameters[0][1] if group.parameters else None
            entries.append({"name": group.name, "parameters": group.count, "trainable": group.trainable,
                            "lr_multiplier": rate_of.get(id(first), 1.0)})
        return json.dumps({"format": 1, "step": self.global_step, "groups": entries}, indent=1) + "\n"

    def _write_groups(self):
        _files.replace_file(os.path.join(self.path, "groups.json"), self._groups_json())

    def _summary_json(self, wall=None):
        summary = {
            "format": 2, "source": self.source, "trainer": self.trainer, "status": self.status,
            "epochs_run": getattr(self, "_epochs_run", 0), "steps": self.global_step,
            "best_epoch": self._best_epoch, "best_step": self._best_step, "best_val_loss": self._best_val_loss,
            "best_val_accuracy": self._best_val_accuracy,
            "samples_per_second": None, "wall_seconds": round(wall or 0.0, 3),
            "pid": os.getpid(), "pid_started": self._writer[0], "host": self._writer[1],
        }
        if wall and self._samples:
            summary["samples_per_second"] = self._samples / wall
        if summary["pid_started"] is None:
            del summary["pid_started"]
        if self.reason:
            summary["reason"] = self.reason
        if self.search is not None:
            summary["search"], summary["trial"] = self.search, int(self.trial)
        return json.dumps(_files.json_value(summary), indent=2, sort_keys=True, allow_nan=False) + "\n"

    def _write_summary(self, durable=False):
        if self._control is not None:
            self._control.refresh()
        now = time.monotonic()
        self._last_summary_time = now
        _files.replace_file(os.path.join(self.path, "summary.json"), self._summary_json(now - self._clock), durable)

    def _update_best(self, epoch, val_loss, val_accuracy):
        if val_loss is not None and math.isfinite(val_loss):
            better = self._best_val_loss is None or val_loss < self._best_val_loss
        elif val_accuracy is not None and math.isfinite(val_accuracy) and self._best_val_loss is None:
            better = self._best_val_accuracy is None or val_accuracy > self._best_val_accuracy
        else:
            better = False
        if better:
            self._best_epoch, self._best_val_loss, self._best_val_accuracy = epoch, val_loss, val_accuracy
            self._best_step = self.global_step

    def _config_settings(self):
        settings = dict(self.config)
        if self.optimizer is not None:
            settings.setdefault("optimizer", type(self.optimizer).__name__.lower())
            settings.setdefault("learning_rate", self._learning_rate())
            decays = [g["weight_decay"] for g in self.optimizer.param_groups if "weight_decay" in g]
            if decays:
                settings.setdefault("weight_decay", max(float(d) for d in decays))
        if self.scheduler is not None:
            settings.setdefault("schedule", type(self.scheduler).__name__)
        if self.model is not None:
            rates = {float(m.p) for m in _dropouts(self.model)}
            if len(rates) == 1:
                settings.setdefault("dropout", rates.pop())
        return settings

    def _report(self, where, error):
        """Reports a failure of the bridge once per kind and lets the training go on."""
        key = (type(error).__name__, str(error))  # the same failure anywhere is reported once
        if key in self._reported:
            return
        self._reported.add(key)
        message = "%s: %s" % (type(error).__name__, error)
        try:
            print("tunetop: %s failed (%s); training goes on without it" % (where, message), file=sys.stderr)
            self._event("bridge_error", where=where, error=message)
        except Exception:
            pass


def _cheap(value):
    """A float, or for a tensor off the CPU a detached tensor (summing it costs no device sync)."""
    if isinstance(value, (int, float)):
        return float(value)
    device = getattr(value, "device", None)
    if device is not None and device.type != "cpu":
        return value.detach()
    return float(value.item()) if hasattr(value, "item") else float(value)


def _float(value):
    if value is None:
        return None
    return float(value.item()) if hasattr(value, "item") else float(value)


def _is_number(value):
    if isinstance(value, bool):
        return False
    try:
        float(value)
        return not isinstance(value, str)
    except (TypeError, ValueError):
        return False


def _same_kind(old, new):
    if hasattr(old, "fill_"):  # an optimizer may keep lr as a tensor (capturable Adam)
        old.fill_(new)
        return old
    return new


def _schedulers(scheduler):
    """The scheduler and those nested inside SequentialLR / ChainedScheduler."""
    if scheduler is None:
        return []
    found = [scheduler]
    for inner in getattr(scheduler, "_schedulers", None) or []:
        found += _schedulers(inner)
    return found


def _dropouts(model):
    from torch.nn.modules.dropout import _DropoutNd

    return [m for m in model.modules() if isinstance(m, _DropoutNd)]


def _torch_version():
    try:
        import torch

        return torch.__version__
    except Exception:
        return "unknown"


def _has_safetensors():
    try:
        import safetensors.torch  # noqa: F401

        return True
    except Exception:
        return False
