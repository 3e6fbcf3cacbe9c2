#!/usr/bin/env python3
"""PyTorch peer of `tunetop-bench train`: same models, data shape, optimizer and step counts.

Model 64 -> W -> W/2 -> 10 (Linear, ReLU, Linear, ReLU, Linear), AdamW(lr 1e-3, betas (0.9, 0.999),
eps 1e-8, weight_decay 0.01), cross-entropy on synthetic Gaussian features with random labels,
batches taken in order from a fixed synthetic set. A step is zero_grad, forward, loss, backward,
optimizer.step; unlike tunetop's step there is no gradient clipping (so the comparison is
conservative for tunetop). Rows are printed as JSON lines in tunetop-bench's schema, for 1 and 2
threads, default (foreach) and fused AdamW.

    python3 Benchmarks/peer_pytorch.py [--quick] [--rounds N] [--width W]... [--batch B] [--threads T]
"""

import argparse
import json
import sys
import time

import torch

WIDTHS = [64, 256, 1024, 2048]
BATCHES = [32, 256]
# Same as TrainCase.quickSeconds in Benchmarks/TunetopBench/TrainBench.swift.
QUICK_SECONDS = 0.75


def parameters(width):
    half = width // 2
    return 64 * width + width + width * half + half + half * 10 + 10


def steps_for(width, batch, quick):
    # Same formula as TrainCase.steps in Benchmarks/TunetopBench/TrainBench.swift.
    budget = 1.5e9 if quick else 6e9
    flops_per_step = 6 * parameters(width) * batch
    return max(5 if quick else 10, min(500 if quick else 2000, int(budget / flops_per_step)))


def row(width, batch, threads, fused, quick, round_index):
    torch.set_num_threads(threads)
    torch.manual_seed(7)
    half = width // 2
    model = torch.nn.Sequential(
        torch.nn.Linear(64, width), torch.nn.ReLU(),
        torch.nn.Linear(width, half), torch.nn.ReLU(),
        torch.nn.Linear(half, 10))
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01,
        **({"fused": True} if fused else {}))
    samples = max(2048, batch * 8)
    features = torch.randn(samples, 64)
    labels = torch.randint(0, 10, (samples,))
    cursor = 0

    def step():
        nonlocal cursor
        if cursor + batch > samples:
            cursor = 0
        x = features[cursor:cursor + batch]
        y = labels[cursor:cursor + batch]
        cursor += batch
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        return loss

    steps = steps_for(width, batch, quick)
    # --quick also stops a row after QUICK_SECONDS, and its warm-up after a third of that (the
    # rate stays honest; fewer steps are timed), so that a loaded machine, where 2-thread rows can
    # run 10x slower, cannot stretch the run.
    limit = QUICK_SECONDS if quick else float("inf")
    warm_start = time.perf_counter()
    for _ in range(max(3, steps // 10)):
        step()
        if time.perf_counter() - warm_start > limit / 3:
            break
    start = time.perf_counter()
    done = 0
    while done < steps:
        loss = step()
        done += 1
        if time.perf_counter() - start > limit:
            break
    final = loss.item()
    seconds = time.perf_counter() - start
    steps = done
    return {
        "bench": "train", "impl": "pytorch", "model": f"64-{width}-{half}-10", "batch": batch,
        "threads": threads, "optimizer": "adamw", "variant": "fused" if fused else "default",
        "steps": steps, "samples_per_s": round(steps * batch / seconds, 3), "round": round_index,
        "torch": torch.__version__, "final_loss": round(final, 3),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--width", type=int, action="append", help="repeatable")
    parser.add_argument("--batch", type=int)
    parser.add_argument("--threads", type=int)
    args = parser.parse_args()
    widths = args.width or WIDTHS
    batches = [args.batch] if args.batch else BATCHES
    thread_counts = [args.threads] if args.threads else [1, 2]
    for round_index in range(args.rounds):
        for width in widths:
            for batch in batches:
                for threads in thread_counts:
                    for fused in (False, True):
                        print(json.dumps(row(width, batch, threads, fused, args.quick, round_index),
                                         separators=(",", ":")), flush=True)


if __name__ == "__main__":
    sys.exit(main())
