"""`tunetop export --format tensorboard` read back with TensorBoard's own EventAccumulator.

Runs the Swift binary (env TUNETOP_BIN, default .build/debug/tunetop under the repository root):
a short `tunetop train`, then the export, then every scalar the run's CSV files hold is looked up
in the event file and compared at float32 precision, and the hot edits (text) and the config
(hparams) are decoded.
"""

import csv
import json
import math
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
import yaml

pytest.importorskip("tensorboard")
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402
from tensorboard.plugins.hparams import plugin_data_pb2  # noqa: E402
from tensorboard.util import tensor_util  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
METRIC_TAGS = {
    "train_loss": "train/loss",
    "train_accuracy": "train/accuracy",
    "val_loss": "val/loss",
    "val_accuracy": "val/accuracy",
    "learning_rate": "lr",
}
STEP_TAGS = {"loss": "train/step_loss", "accuracy": "train/step_accuracy", "learning_rate": "lr"}


def tunetop_binary() -> Path:
    binary = Path(os.environ.get("TUNETOP_BIN", REPO / ".build" / "debug" / "tunetop"))
    if not binary.exists():
        pytest.fail(f"{binary} does not exist: run `swift build` first or set TUNETOP_BIN")
    return binary


def number(text: str):
    try:
        return float(text)
    except ValueError:
        return None


def expected_scalars(run: Path) -> dict:
    """tag -> {step: value} from metrics.csv, steps.csv and classes.csv, as the exporter maps them."""
    expected: dict = {}
    steps_csv = run / "steps.csv"
    with open(run / "metrics.csv", newline="") as f:
        metrics = list(csv.DictReader(f))
    for row in metrics:
        for column, text in row.items():
            if column in ("epoch", "step", "seconds") or (column == "learning_rate" and steps_csv.exists()):
                continue
            value = number(text)
            if value is not None:
                expected.setdefault(METRIC_TAGS.get(column, column), {})[int(row["step"])] = value
    if steps_csv.exists():
        with open(steps_csv, newline="") as f:
            for row in csv.DictReader(f):
                for column, text in row.items():
                    value = number(text)
                    if column not in ("step", "epoch") and value is not None:
                        expected.setdefault(STEP_TAGS.get(column, column), {})[int(row["step"])] = value
    # classes.csv rounds to 6 digits; the metrics are recomputed here from its confusion matrix
    # (scikit-learn's definitions with zero_division=0), which is also what the exporter reads.
    # The two files write an evaluation's epoch cell alike (`2.5` mid-epoch): that is the join.
    step_of_epoch = {row["epoch"]: int(row["step"]) for row in metrics}
    with open(run / "classes.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    names = [row["class"] for row in rows if row["epoch"] == rows[0]["epoch"]]
    for start in range(0, len(rows), len(names)):
        epoch_rows = rows[start:start + len(names)]
        confusion = np.array([[int(row[f"pred_{name}"]) for name in names] for row in epoch_rows])
        true_positives = np.diag(confusion).astype(float)
        predicted, actual = confusion.sum(axis=0), confusion.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            precision = np.where(predicted > 0, true_positives / predicted, 0.0)
            recall = np.where(actual > 0, true_positives / actual, 0.0)
            f1 = np.where(predicted + actual > 0, 2 * true_positives / (predicted + actual), 0.0)
        present = predicted + actual > 0
        step = step_of_epoch[epoch_rows[0]["epoch"]]
        expected.setdefault("val/macro_f1", {})[step] = f1[present].mean()
        for index, name in enumerate(names):
            assert abs(float(epoch_rows[index]["f1"]) - f1[index]) < 1e-5
            expected.setdefault(f"val_f1/{name}", {})[step] = f1[index]
            expected.setdefault(f"val_precision/{name}", {})[step] = precision[index]
            expected.setdefault(f"val_recall/{name}", {})[step] = recall[index]
    return expected


@pytest.mark.parametrize("eval_every_steps", [0, 2])
def test_export_reads_back_in_tensorboard(tmp_path, eval_every_steps):
    binary = tunetop_binary()
    runs = tmp_path / "runs"
    subprocess.run(
        [binary, "train", "--runs", runs, "--name", "tb",
         "--set", "epochs=4", "--set", "train_samples=40", "--set", "batch_size=8",
         "--set", f"eval_every_steps={eval_every_steps}"],
        check=True, capture_output=True)
    (run,) = list(runs.iterdir())
    with open(run / "metrics.csv", newline="") as f:
        cells = [row["epoch"] for row in csv.DictReader(f)]
    # With eval_every_steps, evaluations between the epoch ends: every scalar lands at its step.
    assert any("." in cell for cell in cells) == (eval_every_steps > 0)
    events = [json.loads(line) for line in (run / "events.jsonl").read_text().splitlines()]
    if not any(event["event"] == "hot_edit" for event in events):
        # `tunetop train` takes no commands while it runs; this line is what the trainer appends
        # when a learning-rate edit arrives (docs/run-directory.md), so the text export is exercised.
        with open(run / "events.jsonl", "a") as f:
            f.write(json.dumps({"event": "hot_edit", "key": "learning_rate", "value": 0.0005,
                                "step": 12, "time": events[-1]["time"]}) + "\n")
    out = tmp_path / "tb"
    subprocess.run([binary, "export", "--runs", runs, "--format", "tensorboard", "--out", out],
                   check=True, capture_output=True)

    accumulator = EventAccumulator(str(out / run.name), size_guidance={"scalars": 0, "tensors": 0})
    accumulator.Reload()
    expected = expected_scalars(run)
    for tag in ("train/loss", "train/accuracy", "val/loss", "val/accuracy", "lr", "val/macro_f1",
                "val_f1/0", "val_recall/9"):
        assert tag in expected, tag
    assert sorted(accumulator.Tags()["scalars"]) == sorted(expected)
    for tag, points in expected.items():
        read = {event.step: event.value for event in accumulator.Scalars(tag)}
        assert sorted(read) == sorted(points), tag
        for step, value in points.items():
            want = float(np.float32(value))
            assert read[step] == want or (math.isnan(want) and math.isnan(read[step])), (tag, step)

    texts = [tensor_util.make_ndarray(event.tensor_proto).item().decode()
             for event in accumulator.Tensors("hot_edits")]
    assert "learning_rate = 0.0005" in texts

    content = accumulator.PluginTagToContent("hparams")
    start = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/session_start_info"])
    config = yaml.safe_load((run / "config.yaml").read_text())
    hparams = start.session_start_info.hparams
    assert hparams["learning_rate"].number_value == config["learning_rate"]
    assert hparams["optimizer"].string_value == config["optimizer"]
    assert hparams["reset_head"].bool_value == config["reset_head"]
    assert start.session_start_info.group_name == run.name
    end = plugin_data_pb2.HParamsPluginData.FromString(content["_hparams_/session_end_info"])
    assert end.session_end_info.status == 1  # STATUS_SUCCESS: the run completed

    top = EventAccumulator(str(out), size_guidance={"tensors": 0})
    top.Reload()
    experiment = plugin_data_pb2.HParamsPluginData.FromString(
        top.PluginTagToContent("hparams")["_hparams_/experiment"]).experiment
    assert {info.name for info in experiment.hparam_infos} == set(config)
    assert "val/loss" in {info.name.tag for info in experiment.metric_infos}
