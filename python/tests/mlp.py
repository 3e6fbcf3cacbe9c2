"""A tiny MLP classifier on random data: a real PyTorch CPU training loop for the tests."""

import torch
import torch.nn as nn


def make(seed=0, lr=0.05, dropout=0.1):
    torch.manual_seed(seed)
    model = nn.Sequential()
    model.add_module("hidden1", nn.Linear(8, 16))
    model.add_module("act", nn.ReLU())
    model.add_module("drop", nn.Dropout(dropout))
    model.add_module("head", nn.Linear(16, 3))
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(64, 8, generator=generator)
    y = torch.randint(0, 3, (64,), generator=generator)
    return model, optimizer, x, y


def train_step(model, optimizer, x, y, i, batch=16):
    start = (i * batch) % len(x)
    xb, yb = x[start : start + batch], y[start : start + batch]
    optimizer.zero_grad()
    out = model(xb)
    loss = nn.functional.cross_entropy(out, yb)
    loss.backward()
    optimizer.step()
    return loss, (out.argmax(1) == yb).float().mean()
