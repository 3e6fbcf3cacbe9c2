"""Watch and steer PyTorch, Hugging Face Trainer and Lightning runs with tunetop.

`tunetop.Run` writes the same run directory as `tunetop train` (docs/run-directory.md, format 2)
and applies the commands that `tunetop watch` / `tunetop ctl` append to its control.jsonl."""

from .run import Run

__version__ = "0.4.0"
__all__ = ["Run", "__version__"]
