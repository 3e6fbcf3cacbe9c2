#!/usr/bin/env python3
"""Parity of tunetop's BERT classifier with Hugging Face, through `export-model`'s folder format.

For each pooling (cls, mean): tunetop builds the model folder's encoder (MiniLM by default) with a
seeded random head and LoRA adapters on query and value whose B is non-zero (as after training),
writes the Hugging Face folder (adapters merged) and prints its class probabilities for a few
hundred texts (`tunetop-bench bert-export`). The folder is then loaded by:

  cls:  transformers.BertForSequenceClassification (softmax of its logits)
  mean: transformers.BertModel + mean pooling over the attention mask + the folder's classifier,
        and sentence_transformers.SentenceTransformer(DIR) (its embeddings + the classifier)

and the max abs difference of the probabilities is printed (goal <= 1e-4).

  swift build -c release --product tunetop-bench
  /work/venv/bin/python Benchmarks/bert_parity.py [--model DIR] [--texts N] [--bench PATH]

Not run by CI: it needs the real MiniLM (`tunetop models get minilm`) and sentence-transformers.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
from safetensors.numpy import load_file
from transformers import AutoTokenizer, BertForSequenceClassification, BertModel

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def texts_from_builtin_task(count):
    path = os.path.join(ROOT, "Sources/Training/Resources/wordnet-nouns.csv")
    with open(path, newline="", encoding="utf-8") as f:
        rows = [row["text"] for row in csv.DictReader(f)]
    # Every 13th definition: varied lengths and classes, deterministic.
    return rows[::13][:count]


def tunetop_probabilities(bench, model, pooling, out, texts_file, max_len, lora_rank):
    command = [bench, "bert-export", "--model", model, "--pooling", pooling, "--out", out,
               "--texts", texts_file, "--max-len", str(max_len), "--classes", "4", "--seed", "7"]
    if lora_rank:
        command += ["--lora-rank", str(lora_rank)]
    result = subprocess.run(command, check=True, capture_output=True, text=True)
    return np.array([json.loads(line) for line in result.stdout.splitlines()], dtype=np.float64)


def softmax(logits):
    logits = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(logits)
    return e / e.sum(axis=1, keepdims=True)


def hf_cls(folder, texts, max_len):
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = BertForSequenceClassification.from_pretrained(folder, attn_implementation="eager").eval()
    out = []
    with torch.no_grad():
        for start in range(0, len(texts), 32):
            batch = tokenizer(texts[start:start + 32], padding=True, truncation=True, max_length=max_len,
                              return_tensors="pt")
            out.append(model(**batch).logits.double().numpy())
    return softmax(np.concatenate(out))


def classifier(folder):
    weights = load_file(os.path.join(folder, "model.safetensors"))
    return weights["classifier.weight"].astype(np.float64), weights["classifier.bias"].astype(np.float64)


def hf_mean(folder, texts, max_len):
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = BertModel.from_pretrained(folder, attn_implementation="eager").eval()
    w, b = classifier(folder)
    pooled = []
    with torch.no_grad():
        for start in range(0, len(texts), 32):
            batch = tokenizer(texts[start:start + 32], padding=True, truncation=True, max_length=max_len,
                              return_tensors="pt")
            hidden = model(**batch).last_hidden_state.double()
            mask = batch["attention_mask"].unsqueeze(-1).double()
            pooled.append(((hidden * mask).sum(1) / mask.sum(1)).numpy())
    return softmax(np.concatenate(pooled) @ w.T + b)


def sentence_transformers_mean(folder, texts):
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(folder, device="cpu")
    w, b = classifier(folder)
    pooled = model.encode(texts, batch_size=32, convert_to_numpy=True).astype(np.float64)
    return softmax(pooled @ w.T + b)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=os.path.expanduser("~/.cache/tunetop/models/all-MiniLM-L6-v2"))
    parser.add_argument("--texts", type=int, default=300)
    parser.add_argument("--max-len", type=int, default=128)
    parser.add_argument("--lora-rank", type=int, default=8, help="0: no adapters")
    parser.add_argument("--bench", default=os.path.join(ROOT, ".build/release/tunetop-bench"))
    args = parser.parse_args()
    torch.set_num_threads(1)

    texts = texts_from_builtin_task(args.texts)
    worst = 0.0
    with tempfile.TemporaryDirectory() as work:
        texts_file = os.path.join(work, "texts.txt")
        with open(texts_file, "w", encoding="utf-8") as f:
            f.write("\n".join(texts) + "\n")
        for pooling in ("cls", "mean"):
            folder = os.path.join(work, f"export-{pooling}")
            ours = tunetop_probabilities(
                args.bench, args.model, pooling, folder, texts_file, args.max_len, args.lora_rank)
            assert ours.shape == (len(texts), 4), ours.shape
            references = {"BertForSequenceClassification": hf_cls(folder, texts, args.max_len)} if pooling == "cls" \
                else {"BertModel + mean pooling + classifier": hf_mean(folder, texts, args.max_len),
                      "SentenceTransformer + classifier": sentence_transformers_mean(folder, texts)}
            for name, theirs in references.items():
                difference = float(np.abs(ours - theirs).max())
                agree = float((ours.argmax(1) == theirs.argmax(1)).mean())
                worst = max(worst, difference)
                print(json.dumps({"pooling": pooling, "reference": name, "texts": len(texts),
                                  "lora_rank": args.lora_rank, "max_abs_difference": difference,
                                  "argmax_agreement": agree, "spread": float(ours.max() - ours.min())}))
    print(json.dumps({"worst_max_abs_difference": worst, "goal": 1e-4, "met": worst <= 1e-4}))
    return 0 if worst <= 1e-4 else 1


if __name__ == "__main__":
    sys.exit(main())
