"""TunetopCallback in a PyTorch Lightning Trainer fitting a tiny MLP on random data."""

import json
import os

import pytest
import torch
import torch.nn as nn

lightning = pytest.importorskip("lightning")

from runformat import answer, check_run, check_tunetop_reads
from tunetop.integrations.lightning import TunetopCallback


class Classifier(lightning.LightningModule):
    def __init__(self, lr=0.02):
        super().__init__()
        self.save_hyperparameters()
        self.hidden1 = nn.Linear(8, 16)
        self.drop = nn.Dropout(0.1)
        self.head = nn.Linear(16, 3)

    def forward(self, x):
        return self.head(self.drop(torch.relu(self.hidden1(x))))

    def training_step(self, batch, index):
        x, y = batch
        return nn.functional.cross_entropy(self(x), y)

    def validation_step(self, batch, index):
        x, y = batch
        out = self(x)
        self.log("val_loss", nn.functional.cross_entropy(out, y))
        self.log("val_accuracy", (out.argmax(1) == y).float().mean())

    def configure_optimizers(self):
        optimizer = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr)
        return {"optimizer": optimizer, "lr_scheduler": torch.optim.lr_scheduler.StepLR(optimizer, 1, gamma=0.5)}


class Steerer(lightning.Callback):
    """Appends commands to control.jsonl before given steps and records what the trainer then has."""

    def __init__(self, tunetop_callback, commands):
        self.tunetop_callback, self.commands = tunetop_callback, commands
        self.seen = {}

    def on_train_batch_start(self, trainer, module, batch, index):
        step = trainer.global_step
        if step == 0:
            # Rows only where they are always due: the run's last step. Commands at every boundary.
            self.tunetop_callback.run.ROW_INTERVAL = 3600
            self.tunetop_callback.run.CONTROL_INTERVAL = 0
        optimizer = trainer.optimizers[0]
        self.seen[step] = {"lr": optimizer.param_groups[0]["lr"],
                           "base_lrs": list(trainer.lr_scheduler_configs[0].scheduler.base_lrs),
                           "hidden1": module.hidden1.weight.detach().clone()}
        for command in self.commands.pop(step, []):
            with open(os.path.join(self.tunetop_callback.run.path, "control.jsonl"), "a") as file:
                file.write(json.dumps(command) + "\n")


def test_lightning_run_is_written_and_steered(tmp_path, tunetop_bin):
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(0)
    x, y = torch.randn(128, 8, generator=generator), torch.randint(0, 3, (128,), generator=generator)
    data = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=16)
    runs = str(tmp_path / "runs")
    callback = TunetopCallback(runs=runs, name="mlp")
    # 8 steps an epoch; StepLR halves the rate each epoch.
    steerer = Steerer(callback, {
        10: [{"id": 1, "command": "set", "key": "learning_rate", "value": 0.1},
             {"id": 2, "command": "freeze", "group": "hidden1"}],
        13: [{"id": 3, "command": "set", "key": "dropout", "value": 1.5},
             {"id": 4, "command": "stop"}],
    })
    trainer = lightning.Trainer(max_epochs=4, callbacks=[steerer, callback], logger=False, enable_checkpointing=False,
                                enable_progress_bar=False, enable_model_summary=False, accelerator="cpu",
                                num_sanity_val_steps=0)
    module = Classifier()
    trainer.fit(module, data, data)

    written = check_run(callback.run_path, "lightning")
    assert written["summary"]["status"] == "stopped"
    assert trainer.global_step == 14 == written["summary"]["steps"]
    assert written["summary"]["trainer"].startswith("lightning ")
    assert [g["name"] for g in written["groups"]["groups"]] == ["hidden1", "head"]
    assert written["config"]["lr"] == 0.02 and written["config"]["epochs"] == 4
    assert answer(written, 1)["step"] == 11 and answer(written, 2)["step"] == 11
    # epoch 2 runs at 0.02 / 2; the new peak 0.1 keeps the halving: 0.05 in epoch 2.
    assert steerer.seen[10]["lr"] == pytest.approx(0.01)
    assert steerer.seen[11]["lr"] == pytest.approx(0.05) and steerer.seen[11]["base_lrs"] == [pytest.approx(0.1)]
    assert torch.equal(steerer.seen[11]["hidden1"], steerer.seen[13]["hidden1"])
    assert not steerer.seen[10]["hidden1"].equal(steerer.seen[11]["hidden1"])
    assert answer(written, 3)["reason"] == "dropout must be ≥ 0 and < 1, got 1.5"
    assert answer(written, 4)["result"] == "applied"
    # Stopped 6 steps into epoch 2, Lightning validates there: a mid-epoch row.
    assert [r["epoch"] for r in written["metrics"]] == ["1", "1.75"]
    assert all(r["val_loss"] and r["val_accuracy"] and r["train_loss"] for r in written["metrics"])
    rows = written["steps"]
    # The stop step is the run's last: its row is written at once, while its gradients are there.
    assert [int(r["step"]) for r in rows] == [14]
    assert rows[0]["grad_norm/hidden1"] == "" and rows[0]["grad_norm/head"] and rows[0]["grad_norm"]
    check_tunetop_reads(tunetop_bin, runs, callback.run_path)


def test_an_exception_in_training_marks_the_run_failed(tmp_path):
    class Broken(Classifier):
        def training_step(self, batch, index):
            if self.global_step == 2:
                raise RuntimeError("loss went missing")
            return super().training_step(batch, index)

    data = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(torch.randn(64, 8), torch.randint(0, 3, (64,))),
                                       batch_size=16)
    callback = TunetopCallback(runs=str(tmp_path / "runs"))
    trainer = lightning.Trainer(max_epochs=1, callbacks=[callback], logger=False, enable_checkpointing=False,
                                enable_progress_bar=False, enable_model_summary=False, accelerator="cpu")
    with pytest.raises(RuntimeError, match="loss went missing"):
        trainer.fit(Broken(), data)
    written = check_run(callback.run_path, "lightning")
    assert written["summary"]["status"] == "failed"
    assert written["summary"]["reason"] == "RuntimeError: loss went missing"
