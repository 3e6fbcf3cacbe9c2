"""A PyTorch loop under tunetop.Run that another process steers (test_watch_end_to_end.py runs it).

    python steered_loop.py RUNS OBSERVED EXPECTED_LR

It trains a small MLP at a constant learning rate of 0.01 (no scheduler), one "epoch" of 200 steps
after another, until the run is told to stop or 60 s have passed. When the optimizer's rate changes
it checks that the rate is EXPECTED_LR and writes what it saw to OBSERVED (JSON), so the test reads
what the optimizer itself holds, not what the run files say.
"""

import json
import math
import os
import sys
import time

import torch

import mlp
import tunetop

INITIAL_LR = 0.01
#: Bounds the run when nothing steers it: the test then fails on the missing stop, never hangs.
DEADLINE_SECONDS = 60.0
STEPS_PER_EPOCH = 200


def main(runs, observed_path, expected_lr):
    model, optimizer, x, y = mlp.make(lr=INITIAL_LR)
    config = {"learning_rate": INITIAL_LR, "batch_size": 16, "optimizer": "adamw", "weight_decay": 0.01}
    seen = None
    deadline = time.monotonic() + DEADLINE_SECONDS
    with tunetop.Run(runs=runs, name="steered", config=config, model=model, optimizer=optimizer) as run:
        step, epoch = 0, 0
        while time.monotonic() < deadline:
            loss, accuracy = mlp.train_step(model, optimizer, x, y, step)
            step += 1
            stop = run.step(loss=loss, accuracy=accuracy, samples=16)
            lr = optimizer.param_groups[0]["lr"]
            if seen is None and lr != INITIAL_LR:
                seen = {"learning_rate": lr, "step": step, "pid": os.getpid()}
                with open(observed_path + ".tmp", "w") as file:
                    json.dump(seen, file)
                os.replace(observed_path + ".tmp", observed_path)
                assert math.isclose(lr, expected_lr, rel_tol=1e-12), "optimizer lr %r, expected %r" % (lr, expected_lr)
            if stop:
                break
            if step % STEPS_PER_EPOCH == 0:
                epoch += 1
                with torch.no_grad():
                    val_loss = torch.nn.functional.cross_entropy(model.eval()(x), y).item()
                model.train()
                run.evaluate(val_loss=val_loss)
            # The viewer needs time to draw the charts and the person to type: a real step is
            # ~0.2 ms here, so each is paced to ~2 ms and the 60 s bound holds ~30 000 steps.
            time.sleep(0.002)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], float(sys.argv[3])))
