"""Hyper-parameter search (course 2, week 3) in Python: the learning rate on a log scale,
Adam's β1 through 1 − β on a log scale, the hidden size and the mini-batch size (a power
of two), searched by Optuna's TPE sampler with median pruning.

Each trial trains a one-hidden-layer network on the training part of the flower data,
reporting its dev accuracy after every epoch (so a poor trial is stopped early), and is
scored on the dev part; the test part is used once, by the best model only. Prints one
line per trial, the table of trials (best first) and the best model's test accuracy.
The command-line twin, with a TOML space file, is ``layerwise tune`` (docs/tuning.md).
"""

from __future__ import annotations

import layerwise as lw
from layerwise.data import make_flower, train_dev_test_split
from layerwise.tuning import IntUniform, LogUniform, OneMinusLogUniform, PowerOfTwo, tune


def build(params: dict):
    """A 2 -> hidden (tanh) -> 1 (sigmoid) network and its Adam; learning_rate and
    batch_size go to fit by themselves."""
    model = lw.Sequential([lw.Dense(params["hidden"], "tanh"), lw.Dense(1, "sigmoid")], seed=1)
    return model, {"optimizer": lw.Adam(beta1=params["beta1"])}


def main() -> int:
    X, Y = make_flower()  # X (2, 400), Y (1, 400)
    X_train, Y_train, X_dev, Y_dev, X_test, Y_test = train_dev_test_split(
        X, Y, (0.6, 0.2, 0.2), seed=1, stratify=True
    )
    space = {
        "learning_rate": LogUniform(1e-4, 1e-1),  # r ~ U[-4, -1], alpha = 10^r
        "beta1": OneMinusLogUniform(0.9, 0.999),  # 1 - beta1 = 10^r, r ~ U[-3, -1]
        "hidden": IntUniform(1, 20),
        "batch_size": PowerOfTwo(16, 128),
    }
    result = tune(
        build,
        space,
        X_train,
        Y_train,
        X_dev,
        Y_dev,
        n_trials=20,
        sampler="tpe",
        pruner="median",
        seed=0,
        fit_kwargs={"epochs": 100},
        verbose=1,
    )
    print()
    print(result.table())
    test = result.best_model.evaluate(X_test, Y_test)
    print(f"best model's test accuracy: {test['accuracy']:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
