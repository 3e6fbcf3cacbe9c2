"""Evaluations in the middle of an epoch: fractional `epoch` cells with their step, from a plain loop,
a Hugging Face Trainer (`eval_strategy="steps"`) and Lightning (`val_check_interval`), read back by
tunetop itself (`tunetop runs`, `tunetop export`) and by the Ray search's follower."""

import json
import os

import pytest
import torch

import mlp
import tunetop
from runformat import check_run, check_tunetop_reads
from tunetop import _files
from tunetop.ray_search import validation_rows


def test_epoch_cells_are_whole_exactly_at_an_epochs_end():
    assert _files.epoch_cell(3) == "3"
    assert _files.epoch_cell(3.0) == "3"
    assert _files.epoch_cell(2.5) == "2.5"
    assert _files.epoch_cell(1 / 3) == "0.333333"
    # Within 1e-6 of a whole number is that epoch's end (Hugging Face's float epoch drifts).
    assert _files.epoch_cell(2.0000000001) == "2"
    # Otherwise never written as a whole number, however close.
    for value in (1.0000011, 0.9999989, 4.000001, 6.999998):
        cell = _files.epoch_cell(value)
        assert "." in cell and not float(cell).is_integer(), (value, cell)
        assert int(value) < float(cell) < int(value) + 1
    assert _files.epoch_of_cell("3") == (3, None)
    assert _files.epoch_of_cell("2.5") == (3, 2.5)


def test_a_plain_loop_evaluating_mid_epoch_writes_fractional_epochs_with_steps(runs, tunetop_bin):
    model, optimizer, x, y = mlp.make()
    steps_per_epoch = 4
    with tunetop.Run(runs=runs, name="mid", config={"batch_size": 16}, model=model, optimizer=optimizer) as run:
        losses = []
        for epoch in range(2):
            for i in range(steps_per_epoch):
                loss, accuracy = mlp.train_step(model, optimizer, x, y, i)
                losses.append(loss.item())
                run.step(loss=loss, accuracy=accuracy, samples=16)
                done = i + 1
                if done % 2 == 0:
                    val = [0.9, 0.8, 0.6, 0.5][len(losses) // 2 - 1]
                    run.evaluate(val_loss=val, val_accuracy=0.5, epoch=epoch + done / steps_per_epoch)
    written = check_run(run.path, "pytorch")
    rows = written["metrics"]
    assert [r["epoch"] for r in rows] == ["0.5", "1", "1.5", "2"]
    assert [int(r["step"]) for r in rows] == [2, 4, 6, 8]
    # Train loss of a row: the steps since the previous evaluation.
    assert float(rows[1]["train_loss"]) == pytest.approx(sum(losses[2:4]) / 2, rel=1e-5)
    summary = written["summary"]
    assert summary["epochs_run"] == 2
    assert summary["best_step"] == 8 and summary["best_epoch"] == 2
    check_tunetop_reads(tunetop_bin, runs, run.path)


def test_a_mid_epoch_best_names_the_epoch_in_progress_and_its_step(runs):
    model, optimizer, x, y = mlp.make()
    with tunetop.Run(runs=runs, name="best", model=model, optimizer=optimizer) as run:
        for step, (epoch, val) in enumerate([(0.5, 0.9), (1, 0.8), (1.5, 0.5), (2, 0.7)], start=1):
            mlp.train_step(model, optimizer, x, y, step)
            run.step(global_step=step)
            run.evaluate(val_loss=val, epoch=epoch)
    summary = check_run(run.path, "pytorch")["summary"]
    # The best evaluation was mid-epoch (step 3, epoch 1.5): best_epoch is the epoch in progress.
    assert (summary["best_epoch"], summary["best_step"], summary["epochs_run"]) == (2, 3, 2)


class Tokens(torch.utils.data.Dataset):
    def __init__(self, count, seed):
        generator = torch.Generator().manual_seed(seed)
        self.ids = torch.randint(0, 64, (count, 12), generator=generator)
        self.labels = self.ids[:, 0] % 2

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": torch.ones(12, dtype=torch.long), "labels": self.labels[i]}


def test_a_trainer_evaluating_every_n_steps_writes_a_row_per_evaluation(tmp_path, tunetop_bin):
    transformers = pytest.importorskip("transformers")
    from tunetop.integrations.transformers import TunetopCallback

    torch.manual_seed(0)
    model = transformers.BertForSequenceClassification(transformers.BertConfig(
        vocab_size=64, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32,
        max_position_embeddings=32, num_labels=2))
    # 64 samples / 8 = 8 steps an epoch, 16 in all, with 2 batches accumulated: 4 optimizer steps an
    # epoch, 8 in all; evaluated every 3 optimizer steps, at 3 and 6 (epochs 0.75 and 1.5), and
    # where training ends.
    args = transformers.TrainingArguments(
        output_dir=str(tmp_path / "out"), num_train_epochs=2, per_device_train_batch_size=8,
        gradient_accumulation_steps=2, learning_rate=1e-3, logging_steps=1, eval_strategy="steps",
        eval_steps=3, save_strategy="no", report_to=[], use_cpu=True, disable_tqdm=True, seed=0)
    runs = str(tmp_path / "runs")
    callback = TunetopCallback(runs=runs, name="bert-steps")
    trainer = transformers.Trainer(model=model, args=args, train_dataset=Tokens(64, 1),
                                   eval_dataset=Tokens(16, 2), callbacks=[callback])
    trainer.train()

    written = check_run(callback.run_path, "transformers")
    evaluations = [h for h in trainer.state.log_history if "eval_loss" in h]
    rows = written["metrics"]
    assert [int(r["step"]) for r in rows] == [h["step"] for h in evaluations] == [3, 6, 8]
    assert [float(r["epoch"]) for r in rows] == [pytest.approx(h["epoch"], abs=1e-6) for h in evaluations]
    assert [r["epoch"] for r in rows] == ["0.75", "1.5", "2"]
    assert [float(r["val_loss"]) for r in rows] == [pytest.approx(h["eval_loss"], rel=1e-5) for h in evaluations]
    assert written["summary"]["epochs_run"] == 2
    check_tunetop_reads(tunetop_bin, runs, callback.run_path)


def test_lightning_validating_twice_an_epoch_writes_half_epochs(tmp_path, tunetop_bin):
    lightning = pytest.importorskip("lightning")
    from test_lightning import Classifier
    from tunetop.integrations.lightning import TunetopCallback

    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(0)
    x, y = torch.randn(128, 8, generator=generator), torch.randint(0, 3, (128,), generator=generator)
    data = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=16)
    runs = str(tmp_path / "runs")
    callback = TunetopCallback(runs=runs, name="half")
    trainer = lightning.Trainer(max_epochs=2, val_check_interval=0.5, callbacks=[callback], logger=False,
                                enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
                                accelerator="cpu", num_sanity_val_steps=0)
    trainer.fit(Classifier(), data, data)

    written = check_run(callback.run_path, "lightning")
    rows = written["metrics"]
    assert [r["epoch"] for r in rows] == ["0.5", "1", "1.5", "2"]
    assert [int(r["step"]) for r in rows] == [4, 8, 12, 16]
    assert written["summary"]["epochs_run"] == 2
    check_tunetop_reads(tunetop_bin, runs, callback.run_path)


def test_the_ray_search_follower_reports_epoch_ends_only(tmp_path):
    path = tmp_path / "metrics.csv"
    path.write_text("epoch,step,train_loss,train_accuracy,val_loss,val_accuracy,learning_rate,seconds\n"
                    "0,0,2,0.1,2,0.1,0.001,0.1\n"
                    "0.5,2,1.5,0.4,1.4,0.5,0.001,0.2\n"
                    "1,4,1.2,0.6,1.1,0.6,0.001,0.3\n"
                    "1.5,6,1,0.7,1.2,0.6,0.001,0.4\n"
                    "2,8,0.9,0.8,1.3,0.55,0.001,0.5\n")
    rows, end = validation_rows(str(path), 0)
    assert rows == [(1, 1.1, 0.6), (2, 1.3, 0.55)]
    assert end == path.stat().st_size


def test_tunetops_own_mid_epoch_rows_read_in_pandas(tmp_path, tunetop_bin):
    import subprocess

    import pandas

    runs = tmp_path / "runs"
    result = subprocess.run(
        [tunetop_bin, "train", "--runs", str(runs), "--name", "mid", "--set", "epochs=2", "--set",
         "eval_every_steps=2"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    (run,) = [runs / name for name in os.listdir(runs)]
    metrics = pandas.read_csv(run / "metrics.csv")
    summary = json.loads((run / "summary.json").read_text())
    per_epoch = summary["steps"] // 2
    assert per_epoch % 2 == 1, "the test wants epochs that are not a multiple of eval_every_steps"
    # Every second step of the run and every epoch's end, each once.
    steps = sorted(set(range(0, 2 * per_epoch + 1, 2)) | {per_epoch, 2 * per_epoch})
    assert list(metrics["step"]) == steps
    # Completed epochs + share of the epoch, cut to two decimals (enough for fewer than 10 steps).
    assert list(metrics["epoch"]) == [
        float("%d.%02d" % (s // per_epoch, (s % per_epoch) * 100 // per_epoch)) for s in steps]
    classes = pandas.read_csv(run / "classes.csv")
    assert sorted(set(classes["epoch"])) == list(metrics["epoch"])
    merged = classes.merge(metrics, on="epoch")
    assert len(merged) == len(classes)
    best = metrics.loc[metrics["val_loss"].idxmin()]
    assert summary["best_step"] == best["step"]
    check_tunetop_reads(tunetop_bin, str(runs), str(run))
