"""tunetop.Run around a real PyTorch CPU loop: the files it writes and the commands it applies."""

import json
import math
import os
import signal
import threading
import time

import pytest
import torch

import mlp
import tunetop
from runformat import answer, check_run, check_tunetop_reads


def send(run, command):
    """Appends one command line to the run's control.jsonl, as `tunetop ctl` does."""
    with open(os.path.join(run.path, "control.jsonl"), "a") as file:
        file.write(json.dumps(command) + "\n")


def send_raw(run, text):
    with open(os.path.join(run.path, "control.jsonl"), "a") as file:
        file.write(text)


def read_events(run):
    with open(os.path.join(run.path, "events.jsonl")) as file:
        return [json.loads(line) for line in file]


def decay(step):
    return 1 - step / 100


class Loop:
    """The user's loop: optimizer step, run.step, scheduler step."""

    def __init__(self, run, model, optimizer, x, y, scheduler=None):
        self.run, self.model, self.optimizer, self.x, self.y, self.scheduler = run, model, optimizer, x, y, scheduler
        self.i = 0
        self.losses = []

    def advance(self):
        loss, accuracy = mlp.train_step(self.model, self.optimizer, self.x, self.y, self.i)
        self.i += 1
        self.losses.append(loss.item())
        stop = self.run.step(loss=loss, accuracy=accuracy, samples=16)
        if self.scheduler is not None:
            self.scheduler.step()
        return stop


def test_a_plain_loop_writes_every_file_of_the_format(runs, tunetop_bin):
    model, optimizer, x, y = mlp.make()
    norms = []
    with tunetop.Run(runs=runs, name="mlp", config={"batch_size": 16, "seed": 0}, model=model,
                     optimizer=optimizer) as run:
        run.ROW_INTERVAL = 0  # a row every step, to compare each with the gradients
        losses = []
        for epoch in range(3):
            for i in range(4):
                loss, accuracy = mlp.train_step(model, optimizer, x, y, i)
                losses.append(loss.item())
                hidden = torch.cat([p.grad.flatten() for p in model.hidden1.parameters()]).norm().item()
                head = torch.cat([p.grad.flatten() for p in model.head.parameters()]).norm().item()
                norms.append((math.hypot(hidden, head), hidden, head))
                run.step(loss=loss, accuracy=accuracy, samples=16)
            with torch.no_grad():
                val_loss = torch.nn.functional.cross_entropy(model.eval()(x), y).item()
            model.train()
            run.evaluate(val_loss=val_loss, val_accuracy=0.25 * (epoch + 1))

    written = check_run(run.path, "pytorch")
    assert written["summary"]["status"] == "completed"
    assert written["summary"]["steps"] == 12 and written["summary"]["epochs_run"] == 3
    assert written["summary"]["trainer"] == "pytorch %s" % torch.__version__
    assert written["config"]["batch_size"] == 16
    assert written["config"]["optimizer"] == "adamw" and written["config"]["learning_rate"] == 0.05
    assert written["config"]["dropout"] == 0.1
    assert [g["name"] for g in written["groups"]["groups"]] == ["hidden1", "head"]
    assert [g["parameters"] for g in written["groups"]["groups"]] == [8 * 16 + 16, 16 * 3 + 3]
    assert written["control_mode"] == 0o600
    assert [int(r["step"]) for r in written["steps"]] == list(range(1, 13))
    assert [int(r["epoch"]) for r in written["steps"]] == [1] * 4 + [2] * 4 + [3] * 4
    for row, loss, (total, hidden, head) in zip(written["steps"], losses, norms):
        assert float(row["loss"]) == pytest.approx(loss, rel=1e-5)
        assert float(row["grad_norm"]) == pytest.approx(total, rel=1e-5)
        assert float(row["grad_norm/hidden1"]) == pytest.approx(hidden, rel=1e-5)
        assert float(row["grad_norm/head"]) == pytest.approx(head, rel=1e-5)
    assert len(written["metrics"]) == 3
    for epoch, row in enumerate(written["metrics"]):
        assert int(row["epoch"]) == epoch + 1 and int(row["step"]) == 4 * (epoch + 1)
        assert float(row["train_loss"]) == pytest.approx(sum(losses[4 * epoch : 4 * epoch + 4]) / 4, rel=1e-5)
        assert float(row["val_accuracy"]) == pytest.approx(0.25 * (epoch + 1))
    best = min(range(3), key=lambda e: float(written["metrics"][e]["val_loss"]))
    assert written["summary"]["best_epoch"] == best + 1
    check_tunetop_reads(tunetop_bin, runs, run.path)


def test_rows_are_rate_limited_and_the_last_step_always_gets_one(runs):
    model, optimizer, x, y = mlp.make()
    with tunetop.Run(runs=runs, model=model, optimizer=optimizer) as run:
        run.ROW_INTERVAL = 3600
        loop = Loop(run, model, optimizer, x, y)
        for epoch in range(3):
            for _ in range(4):
                loop.advance()
            run.evaluate(val_loss=1.0)
    written = check_run(run.path, "pytorch")
    # Rows need 3600 s between them (and from the start), so only the run's last step gets one,
    # with the mean loss of all the steps.
    assert [int(r["step"]) for r in written["steps"]] == [12]
    assert float(written["steps"][0]["loss"]) == pytest.approx(sum(loop.losses) / 12, rel=1e-5)
    assert written["steps"][0]["grad_norm/head"] != ""


def test_commands_change_the_training_and_each_is_answered_once(runs, tunetop_bin):
    model, optimizer, x, y = mlp.make(lr=0.05)
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, decay)
    with tunetop.Run(runs=runs, name="steered", model=model, optimizer=optimizer, scheduler=scheduler) as run:
        run.ROW_INTERVAL = 0
        run.CONTROL_INTERVAL = 0  # look at every boundary, so each command lands on a known step
        loop = Loop(run, model, optimizer, x, y, scheduler)
        for _ in range(3):
            loop.advance()

        # learning_rate sets the peak: the schedule continues from it.
        send(run, {"id": 1, "at": "2026-11-30T04:00:00Z", "command": "set", "key": "learning_rate", "value": 0.1})
        loop.advance()
        assert scheduler.base_lrs == [pytest.approx(0.1)]
        assert optimizer.param_groups[0]["lr"] == pytest.approx(0.1 * decay(4))
        loop.advance()
        assert optimizer.param_groups[0]["lr"] == pytest.approx(0.1 * decay(5))
        applied_at = run.global_step - 1

        send(run, {"id": 2, "command": "set", "key": "weight_decay", "value": 0.2})
        send(run, {"id": 3, "command": "set", "key": "dropout", "value": 0.3})
        loop.advance()
        assert optimizer.param_groups[0]["weight_decay"] == pytest.approx(0.2)
        assert model.drop.p == pytest.approx(0.3)

        send(run, {"id": 4, "command": "freeze", "group": "hidden1"})
        loop.advance()
        assert not any(p.requires_grad for p in model.hidden1.parameters())
        assert all(p.requires_grad for p in model.head.parameters())
        with open(os.path.join(run.path, "groups.json")) as file:
            assert [g["trainable"] for g in json.load(file)["groups"]] == [False, True]
        frozen_weights = model.hidden1.weight.detach().clone()
        head_weights = model.head.weight.detach().clone()
        frozen_from = run.global_step + 1
        loop.advance()
        loop.advance()
        assert torch.equal(model.hidden1.weight, frozen_weights)
        assert not torch.equal(model.head.weight, head_weights)

        send(run, {"id": 5, "command": "unfreeze", "group": "hidden1"})
        loop.advance()
        frozen_until = run.global_step
        assert all(p.requires_grad for p in model.hidden1.parameters())
        loop.advance()
        assert not torch.equal(model.hidden1.weight, frozen_weights)

        lr_before = optimizer.param_groups[0]["lr"]
        send(run, {"id": 6, "command": "set", "key": "learning_rate", "value": 20})
        send(run, {"id": 7, "command": "set", "key": "dropout", "value": 1})
        send(run, {"id": 8, "command": "set", "key": "weight_decay", "value": -0.5})
        send(run, {"id": 9, "command": "set", "key": "momentum", "value": 0.9})
        send(run, {"id": 10, "command": "jump"})
        send(run, {"id": 11, "command": "freeze", "group": "nothere"})
        send(run, {"id": 12, "command": "set", "key": "learning_rate", "value": "fast"})
        send(run, {"id": 13, "command": "resume"})
        send_raw(run, '{"id": 14, "command": "pau\n')
        send(run, {"command": "stop"})
        send(run, {"id": 0, "command": "stop"})
        send(run, {"id": 1, "command": "set", "key": "learning_rate", "value": 0.2})  # a repeated id
        loop.advance()
        assert optimizer.param_groups[0]["lr"] == pytest.approx(lr_before * decay(run.global_step) / decay(run.global_step - 1))
        assert model.drop.p == pytest.approx(0.3) and not run.should_stop

        # A torn last line waits until the sender completes it.
        send_raw(run, '{"id": 15, "command": "set", "key": "dropout",')
        loop.advance()
        assert not [e for e in read_events(run) if e.get("id") == 15]
        assert model.drop.p == pytest.approx(0.3)
        send_raw(run, ' "value": 0.2}\n')
        loop.advance()
        assert model.drop.p == pytest.approx(0.2)

        send(run, {"id": 16, "command": "set", "key": "learning_rate", "value": "0.02"})
        loop.advance()
        assert scheduler.base_lrs == [pytest.approx(0.02)]

        send(run, {"id": 17, "command": "stop"})
        send(run, {"id": 18, "command": "stop"})  # the state it is in: applied, changes nothing
        assert loop.advance() is True
        assert run.should_stop
        stopped_at = run.global_step
        send(run, {"id": 19, "command": "pause"})  # after the last step boundary

    written = check_run(run.path, "pytorch")
    assert written["summary"]["status"] == "stopped"
    assert answer(written, 1)["result"] == "applied" and answer(written, 1)["step"] == applied_at
    for ident in (2, 3, 4, 5, 13, 15, 16, 17, 18):
        assert answer(written, ident)["result"] == "applied", answer(written, ident)
    assert answer(written, 19)["reason"] == "the run has ended (stopped)"
    reasons = {ident: answer(written, ident)["reason"] for ident in range(6, 15) if ident != 13}
    assert reasons[6] == "learning_rate must be > 0 and ≤ 10, got 20"
    assert reasons[7] == "dropout must be ≥ 0 and < 1, got 1"
    assert reasons[8] == "weight_decay must be ≥ 0 and ≤ 1, got -0.5"
    assert reasons[9] == 'key must be one of learning_rate, weight_decay, dropout, got "momentum"'
    assert reasons[10] == 'command must be one of pause, resume, stop, set, freeze, unfreeze, got "jump"'
    assert reasons[11].startswith("group must be one of hidden1, head") and reasons[11].endswith('got "nothere"')
    assert reasons[12] == 'learning_rate must be a number, got "fast"'
    assert [e["event"] for e in written["events"]].count("resume") == 0  # resume while running: nothing
    assert "not valid JSON" in reasons[14]
    anonymous = [e for e in written["events"] if e["event"] == "command" and "id" not in e]
    assert [e["reason"] for e in anonymous] == [
        "id must be a positive integer, got nothing", "id must be a positive integer, got 0"]
    kinds = [(e["event"], e.get("key"), e.get("group")) for e in written["events"]]
    assert ("hot_edit", "learning_rate", None) in kinds and ("freeze", None, "hidden1") in kinds
    assert ("unfreeze", None, "hidden1") in kinds and kinds.count(("stop", None, None)) == 1
    assert next(e for e in written["events"] if e["event"] == "hot_edit")["value"] == 0.1
    assert written["summary"]["steps"] == stopped_at
    for row in written["steps"]:
        empty = row["grad_norm/hidden1"] == ""
        assert empty == (frozen_from <= int(row["step"]) <= frozen_until), row
    check_tunetop_reads(tunetop_bin, runs, run.path)


def steer_when_paused(run, then, sent):
    """From another thread: waits until summary.json says paused, then sends `then`."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with open(os.path.join(run.path, "summary.json")) as file:
            if json.load(file)["status"] == "paused":
                break
        time.sleep(0.01)
    sent.append(run.global_step)
    send(run, then)


def test_pause_blocks_the_step_until_resume(runs):
    model, optimizer, x, y = mlp.make()
    with tunetop.Run(runs=runs, model=model, optimizer=optimizer) as run:
        loop = Loop(run, model, optimizer, x, y)
        for _ in range(3):
            loop.advance()
        run.CONTROL_INTERVAL = 0
        send(run, {"id": 1, "command": "pause"})
        send(run, {"id": 3, "command": "pause"})  # already paused: applied, changes nothing
        sent = []
        steerer = threading.Thread(target=steer_when_paused, args=(run, {"id": 2, "command": "resume"}, sent))
        steerer.start()
        loop.advance()  # returns only once the other thread has sent resume
        assert sent == [4], "step() returned before resume was sent"
        steerer.join()
        assert run.status == "running" and not run.should_stop
        loop.advance()
    written = check_run(run.path, "pytorch")
    assert written["summary"]["status"] == "completed"
    assert answer(written, 1)["step"] == 4 and answer(written, 2)["step"] == 4
    assert answer(written, 3)["result"] == "applied"
    events = [e["event"] for e in written["events"]]
    assert events.index("pause") < events.index("resume") and events.count("pause") == 1


def test_stop_ends_a_pause(runs):
    model, optimizer, x, y = mlp.make()
    with tunetop.Run(runs=runs, model=model, optimizer=optimizer) as run:
        run.CONTROL_INTERVAL = 0
        loop = Loop(run, model, optimizer, x, y)
        loop.advance()
        send(run, {"id": 1, "command": "pause"})
        sent = []
        steerer = threading.Thread(target=steer_when_paused, args=(run, {"id": 2, "command": "stop"}, sent))
        steerer.start()
        assert loop.advance() is True
        steerer.join()
        assert sent == [2]
    written = check_run(run.path, "pytorch")
    assert written["summary"]["status"] == "stopped"


@pytest.mark.parametrize("mode, words", [(0o666, "writable by other users (mode 0666)"),
                                         (0o620, "writable by its group (mode 0620)")])
def test_a_control_file_others_may_write_is_refused_and_training_goes_on(runs, mode, words):
    model, optimizer, x, y = mlp.make(lr=0.05)
    with tunetop.Run(runs=runs, model=model, optimizer=optimizer) as run:
        loop = Loop(run, model, optimizer, x, y)
        os.chmod(os.path.join(run.path, "control.jsonl"), mode)
        send(run, {"id": 1, "command": "set", "key": "learning_rate", "value": 0.001})
        send(run, {"id": 2, "command": "stop"})
        for _ in range(3):
            assert loop.advance() is False
    assert optimizer.param_groups[0]["lr"] == 0.05
    os.chmod(os.path.join(run.path, "control.jsonl"), 0o600)
    written = check_run(run.path, "pytorch")
    refusals = [e for e in written["events"] if e["event"] == "control_refused"]
    assert len(refusals) == 1 and words in refusals[0]["reason"]
    assert not [e for e in written["events"] if e["event"] == "command"]
    assert written["summary"]["status"] == "completed" and written["summary"]["steps"] == 3


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user needs root")
def test_a_control_file_of_another_user_is_refused(runs):
    model, optimizer, x, y = mlp.make(lr=0.05)
    with tunetop.Run(runs=runs, model=model, optimizer=optimizer) as run:
        loop = Loop(run, model, optimizer, x, y)
        send(run, {"id": 1, "command": "set", "key": "learning_rate", "value": 0.001})
        os.chown(os.path.join(run.path, "control.jsonl"), 65534, 65534)
        loop.advance()
    assert optimizer.param_groups[0]["lr"] == 0.05
    written = check_run(run.path, "pytorch")
    refusals = [e for e in written["events"] if e["event"] == "control_refused"]
    assert len(refusals) == 1 and "owned by another user" in refusals[0]["reason"]


def test_an_exception_in_the_block_marks_the_run_failed(runs):
    model, optimizer, x, y = mlp.make()
    with pytest.raises(ValueError, match="boom"):
        with tunetop.Run(runs=runs, model=model, optimizer=optimizer) as run:
            Loop(run, model, optimizer, x, y).advance()
            raise ValueError("boom")
    written = check_run(run.path, "pytorch")
    assert written["summary"]["status"] == "failed"
    assert written["summary"]["reason"] == "ValueError: boom"
    assert written["events"][-1]["reason"] == "ValueError: boom"


def test_sigint_marks_the_run_interrupted(runs):
    model, optimizer, x, y = mlp.make()
    with pytest.raises(KeyboardInterrupt):
        with tunetop.Run(runs=runs, model=model, optimizer=optimizer) as run:
            loop = Loop(run, model, optimizer, x, y)
            loop.advance()
            os.kill(os.getpid(), signal.SIGINT)
            for _ in range(10000):
                loop.advance()
    written = check_run(run.path, "pytorch")
    assert written["summary"]["status"] == "interrupted"
    assert "SIGINT" in written["summary"]["reason"]
    assert written["summary"]["steps"] < 10001
    assert [e["event"] for e in written["events"]][-2:] == ["interrupt", "finish"]


def test_a_failing_bridge_reports_once_and_training_goes_on(runs, capsys):
    model, optimizer, x, y = mlp.make()
    with tunetop.Run(runs=runs, model=model, optimizer=optimizer) as run:
        run.ROW_INTERVAL = 0

        def disk_full(line):
            raise OSError(28, "No space left on device")

        run._steps.append_line = disk_full
        loop = Loop(run, model, optimizer, x, y)
        before = model.head.weight.detach().clone()
        for _ in range(5):
            assert loop.advance() is False
        assert not torch.equal(model.head.weight, before)
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("tunetop:")]
    assert len(errors) == 1 and "No space left on device" in errors[0] and "training goes on" in errors[0]
    written = check_run(run.path, "pytorch")
    assert len([e for e in written["events"] if e["event"] == "bridge_error"]) == 1
    assert written["summary"]["steps"] == 5 and written["summary"]["status"] == "completed"


def test_a_run_that_cannot_be_created_leaves_the_training_alone(tmp_path, capsys):
    blocker = tmp_path / "runs"
    blocker.write_text("a file where the runs directory should be")
    model, optimizer, x, y = mlp.make()
    with tunetop.Run(runs=str(blocker), model=model, optimizer=optimizer) as run:
        loop = Loop(run, model, optimizer, x, y)
        for _ in range(3):
            assert loop.advance() is False
        run.evaluate(val_loss=1.0)
    assert run.path is None
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("tunetop:")]
    assert len(errors) == 1 and "start failed" in errors[0]


def test_groups_can_be_given_and_extra_metrics_become_columns(runs, tunetop_bin):
    model, optimizer, x, y = mlp.make()
    with tunetop.Run(runs=runs, model=model, optimizer=optimizer,
                     groups={"body": ["hidden1"], "top": "head"}) as run:
        run.CONTROL_INTERVAL = 0
        loop = Loop(run, model, optimizer, x, y)
        loop.advance()
        run.evaluate(val_loss=0.9, val_accuracy=0.5, f1=0.25)
        loop.advance()
        run.evaluate(val_loss=0.8, val_accuracy=0.6, f1=0.5, ignored_later=1.0)
        send(run, {"id": 1, "command": "freeze", "group": "body"})
        loop.advance()
        saved = run.checkpoint()
    written = check_run(run.path, "pytorch")
    assert [g["name"] for g in written["groups"]["groups"]] == ["body", "top"]
    assert written["groups"]["groups"][0]["trainable"] is False and written["groups"]["step"] == 3
    assert written["metrics_header"][8:] == ["f1"]
    assert [float(r["f1"]) for r in written["metrics"]] == [0.25, 0.5]
    assert saved == os.path.join(run.path, "last.safetensors")
    from safetensors.torch import load_file

    weights = load_file(saved)
    assert torch.equal(weights["head.weight"], model.head.weight.detach())
    assert [e["path"] for e in written["events"] if e["event"] == "checkpoint"] == [saved]
    listing = __import__("runformat").tunetop(tunetop_bin, "runs", "--runs", runs)
    if "source" not in listing.splitlines()[0]:
        pytest.skip("this tunetop reads only format 1 metrics (no extra columns, no source column yet)")
    check_tunetop_reads(tunetop_bin, runs, run.path)


def test_a_run_left_unfinished_by_an_uncaught_exception_is_failed_at_exit(tmp_path):
    # A Hugging Face Trainer that raises never tells its callbacks; the interpreter's exit does.
    script = tmp_path / "crash.py"
    script.write_text(
        "import tunetop\n"
        "run = tunetop.Run(runs=%r, name='crash').start()\n"
        "run.step(loss=1.0)\n"
        "print(run.path, flush=True)\n"
        "raise RuntimeError('out of memory, say')\n" % str(tmp_path / "runs"))
    import subprocess
    import sys

    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "RuntimeError: out of memory, say" in result.stderr
    path = result.stdout.strip()
    with open(os.path.join(path, "summary.json")) as file:
        summary = json.load(file)
    assert summary["status"] == "failed" and summary["reason"] == "RuntimeError: out of memory, say"
    with open(os.path.join(path, "events.jsonl")) as file:
        assert json.loads(file.read().splitlines()[-1])["event"] == "finish"
