"""What tunetop.Run costs a small PyTorch training: step time with and without the bridge.

    /work/venv/bin/python Benchmarks/bridge_overhead.py [--steps 20000] [--blocks 20]

The same loop (an MLP 784-128-10 on random data, batch 64, AdamW, one CPU thread) runs in blocks
that alternate between plain steps and steps followed by `run.step(loss=loss, accuracy=acc)`, so
load from other processes falls on both alike; the ratio of the median block times is the
overhead. Times are CPU time of the training thread (`time.thread_time`; PyTorch is held to
that one thread), so other processes on a loaded machine count less. The bridge side pays for everything it does each step: turning the loss and accuracy
tensors into floats, the stat of control.jsonl, the clock, the rate-limited steps.csv rows with
per-group gradient norms, and the summary refresh. On a loaded machine the difference of the
medians is within the noise, so the bridge is also timed alone (warm): the cost of a call without
a row and of one row, which bound the overhead for any step time.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time

import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python", "src"))
import tunetop  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=20000, help="steps in all, split over the blocks")
    parser.add_argument("--blocks", type=int, default=20, help="blocks of each kind, interleaved")
    arguments = parser.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Dropout(0.1), nn.Linear(128, 10))
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    x, y = torch.randn(64, 784), torch.randint(0, 10, (64,))
    per_block = arguments.steps // (2 * arguments.blocks)

    def train_step():
        optimizer.zero_grad()
        out = model(x)
        loss = nn.functional.cross_entropy(out, y)
        loss.backward()
        optimizer.step()
        return loss, (out.argmax(1) == y).float().mean()

    for _ in range(200):  # warm up allocator and kernels
        train_step()
    plain, bridged = [], []
    with tempfile.TemporaryDirectory() as runs, tunetop.Run(runs=runs, name="overhead", model=model,
                                                           optimizer=optimizer) as run:
        for _ in range(arguments.blocks):
            start = time.thread_time()
            for _ in range(per_block):
                train_step()
            plain.append((time.thread_time() - start) / per_block)
            start = time.thread_time()
            for _ in range(per_block):
                loss, accuracy = train_step()
                run.step(loss=loss, accuracy=accuracy)
            bridged.append((time.thread_time() - start) / per_block)
        # The bridge alone, warm: a step without a row, and one row (norms of this model's gradients).
        loss, accuracy = train_step()
        row_interval, run.ROW_INTERVAL, run.SUMMARY_INTERVAL = run.ROW_INTERVAL, 1e9, 1e9
        start = time.thread_time()
        for _ in range(20000):
            run.step(loss=loss, accuracy=accuracy)
        per_call = (time.thread_time() - start) / 20000
        start = time.thread_time()
        for _ in range(1000):
            run._write_row()
        per_row = (time.thread_time() - start) / 1000
        rows = run._last_row_step and sum(1 for _ in open(os.path.join(run.path, "steps.csv"))) - 1
    without, with_bridge = statistics.median(plain), statistics.median(bridged)
    print("steps %d (%d blocks of %d each way), torch %s, 1 thread" % (
        2 * per_block * arguments.blocks, arguments.blocks, per_block, torch.__version__))
    print("step without bridge  %8.1f µs (median block, CPU)" % (without * 1e6))
    print("step with bridge     %8.1f µs (median block, CPU)" % (with_bridge * 1e6))
    print("overhead             %8.2f %%  (%.1f µs a step, difference of the medians)" % (
        100 * (with_bridge / without - 1), (with_bridge - without) * 1e6))
    print("steps.csv rows written: %d (in the timed blocks and the row loop)" % rows)
    print("run.step() alone       %8.2f µs a call without a row; a row %.1f µs (at most %d a second)" % (
        per_call * 1e6, per_row * 1e6, round(1 / row_interval)))
    print("bound: %.2f %% of this step + rows ≤ %.2f %% of wall time" % (
        100 * per_call / without, 100 * per_row / row_interval))

if __name__ == "__main__":
    main()
