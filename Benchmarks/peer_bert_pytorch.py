#!/usr/bin/env python3
"""PyTorch peer of `tunetop-bench bert`: transformers' BertModel at MiniLM's shapes, same step.

Config: vocab 30522, hidden 384, 6 layers, 12 heads, intermediate 1536, exact GELU, dropout 0.1 on
hidden states and attention probabilities; mean pooling over the (unpadded) tokens, a Linear(384, 2)
classifier, cross-entropy, AdamW (lr 2e-5, weight decay 0.01, fused). A step is zero_grad, forward
in training mode, loss, backward, optimizer.step, as tunetop's. `--frozen N` sets requires_grad
False on the embeddings and the N lowest blocks (autograd then records nothing below block N, and
AdamW skips parameters without a gradient), and checks that it did: their gradients stay None and
block N-1's output needs no gradient.

Rows are printed as JSON lines in tunetop-bench's schema, one per thread count: wall and process
CPU time per step (all threads), the median of each phase, and the process's peak RSS.

    /work/venv/bin/python Benchmarks/peer_bert_pytorch.py [--seq L]... [--threads T]... [--steps N] [--frozen N]
"""

import argparse
import json
import resource
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
    parser.add_argument("--frozen", type=int, default=0)
    args = parser.parse_args()
    torch.manual_seed(3)
    config = BertConfig(
        vocab_size=30522, hidden_size=384, num_hidden_layers=args.layers, num_attention_heads=12,
        intermediate_size=1536, max_position_embeddings=512, hidden_act="gelu",
        hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
    encoder = BertModel(config, add_pooling_layer=False)
    classifier = torch.nn.Linear(384, 2)
    frozen = []
    if args.frozen > 0:
        frozen = list(encoder.embeddings.parameters())
        for block in encoder.encoder.layer[: args.frozen]:
            frozen += list(block.parameters())
        for parameter in frozen:
            parameter.requires_grad_(False)
    parameters = [p for p in list(encoder.parameters()) + list(classifier.parameters()) if p.requires_grad]
    optimizer = torch.optim.AdamW(parameters, lr=2e-5, weight_decay=0.01, fused=True)
    encoder.train()
    below_needs_grad = []
    if args.frozen > 0:
        # The output of the highest frozen block: if it needs no gradient, autograd has no edge
        # into any frozen block, so their backward cannot run.
        encoder.encoder.layer[args.frozen - 1].register_forward_hook(
            lambda module, inputs, output: below_needs_grad.append(
                (output[0] if isinstance(output, tuple) else output).requires_grad))
    for length in args.seq or [64, 128]:
        ids = torch.randint(0, 30522, (args.batch, length))
        mask = torch.ones(args.batch, length, dtype=torch.long)
        labels = torch.randint(0, 2, (args.batch,))
        phases = [[], [], []]

        def step():
            optimizer.zero_grad()
            t0 = time.perf_counter()
            hidden = encoder(input_ids=ids, attention_mask=mask).last_hidden_state
            m = mask.unsqueeze(-1).float()
            pooled = (hidden * m).sum(1) / m.sum(1)
            loss = torch.nn.functional.cross_entropy(classifier(pooled), labels)
            t1 = time.perf_counter()
            loss.backward()
            t2 = time.perf_counter()
            optimizer.step()
            t3 = time.perf_counter()
            phases[0].append(t1 - t0)
            phases[1].append(t2 - t1)
            phases[2].append(t3 - t2)
            return loss.item()

        for threads in args.threads or [1, 2]:
            torch.set_num_threads(threads)
            step()
            for phase in phases:
                phase.clear()
            wall, cpu = [], []
            last = 0.0
            for _ in range(args.steps):
                start, cpu_start = time.perf_counter(), time.process_time()
                last = step()
                wall.append(time.perf_counter() - start)
                cpu.append(time.process_time() - cpu_start)

            def median(values):
                return sorted(values)[len(values) // 2]

            per_step = median(wall)
            row = {
                "bench": "bert-train", "impl": "pytorch", "model": f"minilm-shape-L{args.layers}-H384",
                "batch": args.batch, "seq": length, "frozen_blocks": args.frozen, "threads": threads,
                "steps": args.steps, "seconds_per_step": round(per_step, 3),
                "samples_per_s": round(args.batch / per_step, 3),
                "samples_per_cpu_s": round(args.batch / median(cpu), 3),
                "forward_s": round(median(phases[0]), 3), "backward_s": round(median(phases[1]), 3),
                "optimizer_s": round(median(phases[2]), 3),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "torch": torch.__version__, "final_loss": round(last, 3),
            }
            if frozen:
                row["frozen_grads_none"] = all(p.grad is None for p in frozen)
                row["frozen_output_needs_grad"] = any(below_needs_grad)
            print(json.dumps(row, separators=(",", ":")), flush=True)


if __name__ == "__main__":
    main()
