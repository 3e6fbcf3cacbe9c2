"""tunetop's Hugging Face export (`HuggingFaceExport`, behind `tunetop export-model`) loads in
transformers and gives tunetop's own class probabilities.

A tiny random BERT folder is built here (no download); `tunetop-bench bert-export` (env
TUNETOP_BENCH_BIN, default .build/debug/tunetop-bench, built by `swift build`) puts a seeded random
head and LoRA adapters with non-zero B on it, writes the exported folder (adapters merged) and
prints its probabilities. The folder is then loaded as BertForSequenceClassification (cls
pooling) and as BertModel + mean pooling + its classifier (mean pooling).
"""

import json
import os
import subprocess

import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
from safetensors.numpy import load_file  # noqa: E402

REPOSITORY = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORDS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + [f"w{i}" for i in range(95)]


@pytest.fixture(scope="module")
def bench():
    binary = os.environ.get("TUNETOP_BENCH_BIN", os.path.join(REPOSITORY, ".build", "debug", "tunetop-bench"))
    if not os.path.exists(binary):
        pytest.fail("no tunetop-bench binary at %s: run `swift build` or set TUNETOP_BENCH_BIN" % binary)
    return binary


@pytest.fixture(scope="module")
def tiny_bert(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny-bert")
    torch.manual_seed(3)
    config = transformers.BertConfig(
        vocab_size=len(WORDS), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
        intermediate_size=64, max_position_embeddings=64, hidden_act="gelu")
    model = transformers.BertModel(config)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.add_(torch.randn_like(parameter) * (0.3 if parameter.dim() > 1 else 0.1))
    model.save_pretrained(folder)
    (folder / "vocab.txt").write_text("\n".join(WORDS) + "\n")
    return folder


def texts():
    rng = np.random.default_rng(0)
    return [" ".join(f"w{i}" for i in rng.integers(0, 95, size=rng.integers(1, 30))) for _ in range(40)]


def export(bench, tiny_bert, tmp_path, pooling):
    texts_file = tmp_path / "texts.txt"
    texts_file.write_text("\n".join(texts()) + "\n")
    out = tmp_path / f"export-{pooling}"
    result = subprocess.run(
        [bench, "bert-export", "--model", str(tiny_bert), "--pooling", pooling, "--out", str(out),
         "--texts", str(texts_file), "--classes", "3", "--lora-rank", "4", "--max-len", "48"],
        check=True, capture_output=True, text=True)
    ours = np.array([json.loads(line) for line in result.stdout.splitlines()])
    assert ours.shape == (40, 3)
    return out, ours


def softmax(logits):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_cls_export_is_a_sequence_classifier_with_tunetops_probabilities(bench, tiny_bert, tmp_path):
    out, ours = export(bench, tiny_bert, tmp_path, "cls")
    config = json.loads((out / "config.json").read_text())
    assert config["architectures"] == ["BertForSequenceClassification"]
    assert config["id2label"] == {"0": "class0", "1": "class1", "2": "class2"}
    assert not any("lora" in name for name in load_file(str(out / "model.safetensors")))
    tokenizer = transformers.AutoTokenizer.from_pretrained(out)
    model = transformers.BertForSequenceClassification.from_pretrained(out, attn_implementation="eager").eval()
    assert model.config.id2label[2] == "class2"
    batch = tokenizer(texts(), padding=True, truncation=True, max_length=48, return_tensors="pt")
    with torch.no_grad():
        theirs = softmax(model(**batch).logits.double().numpy())
    assert np.abs(ours - theirs).max() < 1e-5
    assert ours.max() - ours.min() > 0.1, "probabilities too uniform for the comparison to mean anything"


def test_mean_export_is_a_sentence_transformers_folder_with_tunetops_probabilities(bench, tiny_bert, tmp_path):
    out, ours = export(bench, tiny_bert, tmp_path, "mean")
    modules = json.loads((out / "modules.json").read_text())
    assert [m["type"] for m in modules] == ["sentence_transformers.models.Transformer",
                                            "sentence_transformers.models.Pooling"]
    assert json.loads((out / "1_Pooling" / "config.json").read_text())["pooling_mode_mean_tokens"] is True
    weights = load_file(str(out / "model.safetensors"))
    w, b = weights["classifier.weight"].astype(np.float64), weights["classifier.bias"].astype(np.float64)

    tokenizer = transformers.AutoTokenizer.from_pretrained(out)
    model = transformers.BertModel.from_pretrained(out, attn_implementation="eager").eval()
    batch = tokenizer(texts(), padding=True, truncation=True, max_length=48, return_tensors="pt")
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state.double()
    mask = batch["attention_mask"].unsqueeze(-1).double()
    pooled = ((hidden * mask).sum(1) / mask.sum(1)).numpy()
    assert np.abs(ours - softmax(pooled @ w.T + b)).max() < 1e-5

    sentence_transformers = pytest.importorskip("sentence_transformers")
    embeddings = sentence_transformers.SentenceTransformer(str(out), device="cpu").encode(texts())
    assert np.abs(ours - softmax(embeddings.astype(np.float64) @ w.T + b)).max() < 1e-5
