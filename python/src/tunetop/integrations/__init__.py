"""Callbacks that make a Hugging Face `Trainer` or a PyTorch Lightning `Trainer` a tunetop run."""
