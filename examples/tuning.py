"""Random search (course 2, week 3): the learning rate on a log scale and the hidden size.

Each trial trains a one-hidden-layer network on the training part of the flower data and
scores it on the dev part; the test part is used once, by the best model only. Prints one
line per trial, the table of trials (best first) and the best model's test accuracy.
"""

from __future__ import annotations

import layerwise as lw
from layerwise.data import make_flower, train_dev_test_split
from layerwise.tuning import IntUniform, LogUniform, random_search


def build(params: dict) -> lw.Sequential:
    """A 2 -> hidden (tanh) -> 1 (sigmoid) network; learning_rate goes to fit by itself."""
    return lw.Sequential([lw.Dense(params["hidden"], "tanh"), lw.Dense(1, "sigmoid")], seed=1)


def main() -> int:
    X, Y = make_flower()  # X (2, 400), Y (1, 400)
    X_train, Y_train, X_dev, Y_dev, X_test, Y_test = train_dev_test_split(
        X, Y, (0.6, 0.2, 0.2), seed=1, stratify=True
    )
    space = {
        "learning_rate": LogUniform(1e-4, 1),  # r ~ U[-4, 0], alpha = 10^r
        "hidden": IntUniform(1, 20),
    }
    result = random_search(
        build,
        space,
        X_train,
        Y_train,
        X_dev,
        Y_dev,
        n_trials=12,
        seed=0,
        fit_kwargs={"epochs": 300, "optimizer": "adam"},
        verbose=1,
    )
    print()
    print(result.table())
    test = result.best_model.evaluate(X_test, Y_test)
    print(f"best model's test accuracy: {test['accuracy']:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
