"""The Ray Tune and Optuna callbacks: every trial of a small PyTorch search is a tunetop run, pruned ones marked."""

import json
import os
import subprocess

import pytest

torch = pytest.importorskip("torch")


def train(lr, epochs, report):
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(64, 4, generator=generator)
    y = (x.sum(1) > 0).long()
    model = torch.nn.Linear(4, 2)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    for epoch in range(1, epochs + 1):
        loss = torch.nn.functional.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if report(epoch, loss.item()):
            return


def trials_of(runs):
    [directory] = [os.path.join(runs, n) for n in os.listdir(runs) if "-search-" in n]
    summaries = []
    for name in sorted(os.listdir(directory)):
        path = os.path.join(directory, name, "summary.json")
        if os.path.exists(path):
            summaries.append(json.load(open(path)))
    return directory, summaries


def test_optuna_callback(runs, tunetop_bin):
    optuna = pytest.importorskip("optuna")
    from tunetop.integrations.optuna import TunetopCallback

    def objective(trial):
        lr = trial.suggest_float("lr", 1e-4, 1.0, log=True)
        losses = []

        def report(epoch, loss):
            losses.append(loss)
            trial.report(loss, epoch)
            if trial.should_prune():
                raise optuna.TrialPruned()
        train(lr, 6, report)
        return losses[-1]

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0),
                                pruner=optuna.pruners.MedianPruner(n_startup_trials=2, n_warmup_steps=1))
    study.optimize(objective, n_trials=8, callbacks=[TunetopCallback(runs=runs, n_trials=8)])
    directory, summaries = trials_of(runs)
    # What `tunetop watch` on the directory needs: the study's space, its plan, sampler and pruner.
    record = json.load(open(os.path.join(directory, "search.json")))
    assert record["space"] == [{"key": "lr", "low": 1e-4, "high": 1.0, "log": True}]
    assert (record["backend"], record["planned_trials"]) == ("optuna", 8)
    assert (record["sampler"], record["pruner"]) == ("TPESampler", "MedianPruner")
    assert sorted(s["trial"] for s in summaries) == list(range(1, 9))
    states = {t.number + 1: t.state.name for t in study.trials}
    for summary in summaries:
        assert summary["search"] == os.path.basename(directory)
        assert summary["status"] == {"COMPLETE": "completed", "PRUNED": "pruned"}[states[summary["trial"]]]
    assert any(s["status"] == "pruned" for s in summaries), states
    listing = subprocess.run([tunetop_bin, "runs", "--runs", runs], capture_output=True, text=True, check=True).stdout
    assert listing.count(os.path.basename(directory) + "/") == 8


def test_ray_tune_logger(runs, tunetop_bin):
    pytest.importorskip("ray.tune")
    import ray
    from ray import tune
    from ray.tune.schedulers import ASHAScheduler
    from tunetop.integrations.ray import TunetopLogger

    def trainable(config):
        # Self-contained: the test module is not importable in Ray's workers.
        import torch
        from ray import tune
        generator = torch.Generator().manual_seed(0)
        x = torch.randn(64, 4, generator=generator)
        y = (x.sum(1) > 0).long()
        model = torch.nn.Linear(4, 2)
        optimizer = torch.optim.SGD(model.parameters(), lr=config["lr"])
        for _ in range(6):
            loss = torch.nn.functional.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            tune.report({"val_loss": loss.item()})

    ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        tuner = tune.Tuner(
            trainable, param_space={"lr": tune.grid_search([1e-4, 1e-3, 0.3, 1.0])},
            tune_config=tune.TuneConfig(metric="val_loss", mode="min", max_concurrent_trials=1,
                                        scheduler=ASHAScheduler(max_t=6, grace_period=1, reduction_factor=2)),
            run_config=tune.RunConfig(storage_path=os.path.join(os.path.dirname(runs), "ray"), verbose=0,
                                      callbacks=[TunetopLogger(runs=runs, max_iterations=6)]))
        tuner.fit()
    finally:
        ray.shutdown()
    directory, summaries = trials_of(runs)
    assert sorted(s["trial"] for s in summaries) == [1, 2, 3, 4]
    assert all(s["status"] in ("completed", "pruned") for s in summaries)
    assert any(s["status"] == "pruned" for s in summaries), summaries
    assert any(s["status"] == "completed" and s["epochs_run"] == 6 for s in summaries)
    # Each trial names the node Ray ran it on; the record says how many were planned and that it ended.
    assert all(s.get("node") == os.uname().nodename for s in summaries), summaries
    record = json.load(open(os.path.join(directory, "search.json")))
    assert (record["planned_trials"], record["finished"]) == (4, True)
