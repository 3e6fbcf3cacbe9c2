#!/usr/bin/env python3
"""PyTorch peer of `tunetop-bench bert`: transformers' BertModel at MiniLM's shapes, same step.

Config: vocab 30522, hidden 384, 6 layers, 12 heads, intermediate 1536, exact GELU, dropout 0.1 on
hidden states and attention probabilities; mean pooling over the (unpadded) tokens, a Linear(384, 2)
classifier, cross-entropy, AdamW (lr 2e-5, weight decay 0.01, fused). A step is zero_grad, forward
in training mode, loss, backward, optimizer.step, as tunetop's. Rows are printed as JSON lines in
tunetop-bench's schema for 1 and 2 threads; with one thread `samples_per_cpu_s` divides by the
process CPU time, which on a loaded machine is steadier than wall time.

    /work/venv/bin/python Benchmarks/peer_bert_pytorch.py [--seq L]... [--threads T]... [--steps N]
"""

import argparse
import json
import time

import torch
from transformers import BertConfig, BertModel


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seq", type=int, action="append")
    parser.add_argument("--threads", type=int, action="append")
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--layers", type=int, default=6)
    args = parser.parse_args()
    torch.manual_seed(3)
    config = BertConfig(
        vocab_size=30522, hidden_size=384, num_hidden_layers=args.layers, num_attention_heads=12,
        intermediate_size=1536, max_position_embeddings=512, hidden_act="gelu",
        hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
    encoder = BertModel(config, add_pooling_layer=False)
    classifier = torch.nn.Linear(384, 2)
    parameters = list(encoder.parameters()) + list(classifier.parameters())
    optimizer = torch.optim.AdamW(parameters, lr=2e-5, weight_decay=0.01, fused=True)
    encoder.train()
    for length in args.seq or [64, 128]:
        ids = torch.randint(0, 30522, (args.batch, length))
        mask = torch.ones(args.batch, length, dtype=torch.long)
        labels = torch.randint(0, 2, (args.batch,))

        def step():
            optimizer.zero_grad()
            hidden = encoder(input_ids=ids, attention_mask=mask).last_hidden_state
            m = mask.unsqueeze(-1).float()
            pooled = (hidden * m).sum(1) / m.sum(1)
            loss = torch.nn.functional.cross_entropy(classifier(pooled), labels)
            loss.backward()
            optimizer.step()
            return loss.item()

        for threads in args.threads or [1, 2]:
            torch.set_num_threads(threads)
            step()
            wall, cpu = [], []
            last = 0.0
            for _ in range(args.steps):
                start, cpu_start = time.perf_counter(), time.process_time()
                last = step()
                wall.append(time.perf_counter() - start)
                cpu.append(time.process_time() - cpu_start)
            per_step = sorted(wall)[len(wall) // 2]
            row = {
                "bench": "bert-train", "impl": "pytorch", "model": f"minilm-shape-L{args.layers}-H384",
                "batch": args.batch, "seq": length, "threads": threads, "steps": args.steps,
                "seconds_per_step": round(per_step, 3), "samples_per_s": round(args.batch / per_step, 3),
                "torch": torch.__version__, "final_loss": round(last, 3),
            }
            if threads == 1:
                row["samples_per_cpu_s"] = round(args.batch / sorted(cpu)[len(cpu) // 2], 3)
            print(json.dumps(row, separators=(",", ":")), flush=True)


if __name__ == "__main__":
    main()
