"""TunetopCallback in a Hugging Face Trainer fine-tuning a tiny randomly initialised BERT (no download)."""

import json
import os

import pytest
import torch

pytest.importorskip("transformers")
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainerCallback, TrainingArguments

from runformat import answer, check_run, check_tunetop_reads
from tunetop.integrations.transformers import TunetopCallback


class Tokens(torch.utils.data.Dataset):
    """Random token sequences; the label is the parity of the first token, so there is something to learn."""

    def __init__(self, count, seed):
        generator = torch.Generator().manual_seed(seed)
        self.ids = torch.randint(0, 64, (count, 12), generator=generator)
        self.labels = self.ids[:, 0] % 2

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": torch.ones(12, dtype=torch.long), "labels": self.labels[i]}


def accuracy(prediction):
    return {"accuracy": float((prediction.predictions.argmax(-1) == prediction.label_ids).mean())}


class Steerer(TrainerCallback):
    """Appends commands to control.jsonl at given steps, as `tunetop ctl` would from another shell."""

    def __init__(self, tunetop_callback, commands):
        self.tunetop_callback, self.commands = tunetop_callback, commands
        self.seen = {}

    def on_step_begin(self, args, state, control, optimizer=None, lr_scheduler=None, model=None, **kwargs):
        step = state.global_step
        if step == 0:
            # A row every step, commands looked at every boundary, so both land on known steps.
            self.tunetop_callback.run.ROW_INTERVAL = 0
            self.tunetop_callback.run.CONTROL_INTERVAL = 0
        self.seen[step] = {"lr": optimizer.param_groups[0]["lr"], "base_lrs": list(lr_scheduler.base_lrs),
                           "embeddings_trainable": model.bert.embeddings.word_embeddings.weight.requires_grad}
        for command in self.commands.get(step, []):
            with open(os.path.join(self.tunetop_callback.run.path, "control.jsonl"), "a") as file:
                file.write(json.dumps(command) + "\n")


def test_trainer_run_is_written_and_steered(tmp_path, tunetop_bin):
    torch.manual_seed(0)
    model = BertForSequenceClassification(BertConfig(
        vocab_size=64, hidden_size=16, num_hidden_layers=2, num_attention_heads=2, intermediate_size=32,
        max_position_embeddings=32, num_labels=2))
    args = TrainingArguments(
        output_dir=str(tmp_path / "out"), num_train_epochs=3, per_device_train_batch_size=8, learning_rate=1e-3,
        weight_decay=0.01, lr_scheduler_type="linear", logging_steps=1, eval_strategy="epoch", save_strategy="no",
        report_to=[], use_cpu=True, disable_tqdm=True, seed=0)
    runs = str(tmp_path / "runs")
    callback = TunetopCallback(runs=runs, name="bert")
    # 64 samples / 8 = 8 steps an epoch, 24 in all; commands arrive while step 3 and 10 run.
    steerer = Steerer(callback, {
        3: [{"id": 1, "command": "set", "key": "learning_rate", "value": 2e-3},
            {"id": 2, "command": "freeze", "group": "embeddings"},
            {"id": 3, "command": "set", "key": "dropout", "value": 0.25}],
        10: [{"id": 4, "command": "set", "key": "learning_rate", "value": 11},
             {"id": 5, "command": "stop"}],
    })
    trainer = Trainer(model=model, args=args, train_dataset=Tokens(64, 1), eval_dataset=Tokens(16, 2),
                      compute_metrics=accuracy, callbacks=[steerer, callback])
    trainer.train()

    written = check_run(callback.run_path, "transformers")
    summary = written["summary"]
    assert summary["status"] == "stopped" and summary["steps"] == 11 and trainer.state.global_step == 11
    assert summary["trainer"].startswith("transformers ")
    assert [g["name"] for g in written["groups"]["groups"]] == [
        "embeddings", "encoder.layer.0", "encoder.layer.1", "pooler", "classifier"]
    assert written["config"]["learning_rate"] == 1e-3 and written["config"]["batch_size"] == 8
    assert written["config"]["epochs"] == 3 and written["config"]["schedule"] == "linear"

    # The linear schedule continues from the new peak: the rate doubles where it was.
    assert answer(written, 1)["result"] == "applied" and answer(written, 1)["step"] == 4
    assert steerer.seen[4]["base_lrs"] == [pytest.approx(2e-3)] * len(steerer.seen[4]["base_lrs"])
    assert steerer.seen[4]["lr"] == pytest.approx(2 * steerer.seen[3]["lr"] * (24 - 4) / (24 - 3), rel=1e-6)
    assert steerer.seen[3]["embeddings_trainable"] and not steerer.seen[4]["embeddings_trainable"]
    assert all(m.p == 0.25 for m in model.modules() if isinstance(m, torch.nn.Dropout))
    assert answer(written, 4)["reason"] == "learning_rate must be > 0 and ≤ 10, got 11"
    assert answer(written, 5)["result"] == "applied"
    # Stopping saved a checkpoint first.
    assert os.path.isdir(os.path.join(args.output_dir, "checkpoint-11"))

    rows = written["steps"]
    assert [int(r["step"]) for r in rows] == list(range(1, 12))
    assert all(r["loss"] for r in rows), "every step is logged, so every row has its loss"
    losses = {h["step"]: h["loss"] for h in trainer.state.log_history if "loss" in h}
    assert [float(r["loss"]) for r in rows] == [pytest.approx(losses[s], rel=1e-5) for s in range(1, 12)]
    frozen = [r for r in rows if int(r["step"]) >= 5]
    assert frozen and all(r["grad_norm/embeddings"] == "" and r["grad_norm/classifier"] for r in frozen)
    # The Trainer evaluates once more where it stops, 3 steps into epoch 2: a mid-epoch row.
    assert [r["epoch"] for r in written["metrics"]] == ["1", "1.375"]
    assert [int(r["step"]) for r in written["metrics"]] == [8, 11]
    assert written["metrics"][0]["val_loss"] and written["metrics"][0]["val_accuracy"]
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h and h["step"] <= 8]
    assert float(written["metrics"][0]["train_loss"]) == pytest.approx(sum(losses) / len(losses), rel=1e-5)
    check_tunetop_reads(tunetop_bin, runs, callback.run_path)
