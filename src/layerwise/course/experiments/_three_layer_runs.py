"""What the course-2 three-layer experiments share: training and scoring a list of runs,
decision-boundary panels, the summary table and the two plots."""

from __future__ import annotations

import argparse
from pathlib import Path
from types import ModuleType

import numpy as np

from ... import plots


def accuracy_of(course: ModuleType, X, Y, parameters: dict, heading: str | None = None) -> float:
    """Print ``heading`` (if any), call ``course.predict`` (which prints "Accuracy: ...")
    on X (n_x, m), Y (1, m), and return the fraction mean(p = Y)."""
    if heading:
        print(heading)
    p = course.predict(X, Y, parameters)
    return float(np.mean(p == Y))


def boundary_panel(course: ModuleType, parameters: dict, title: str) -> tuple:
    """(title, x -> course.predict_dec(parameters, x)): a panel for plots.decision_boundaries."""
    return title, lambda x: course.predict_dec(parameters, x)


def train_runs(
    course: ModuleType,
    runs: list[tuple[str, str, dict]],
    data: tuple,
    args: argparse.Namespace,
    train_heading: str,
) -> list[tuple[str, dict, list, float, float]]:
    """Train ``course.model`` once per (banner, label, model keywords) at --learning-rate for
    --iterations, printing "== banner ==", the costs and both accuracies.

    ``data`` is (train_X, train_Y, test_X, test_Y). Returns one
    (label, parameters, costs, train accuracy, test accuracy) per run.
    """
    train_X, train_Y, test_X, test_Y = data
    results = []
    for banner, label, kwargs in runs:
        print(f"\n== {banner} ==")
        parameters, costs = course.model(
            train_X,
            train_Y,
            learning_rate=args.learning_rate,
            num_iterations=args.iterations,
            print_cost=True,
            return_costs=True,
            **kwargs,
        )
        train_acc = accuracy_of(course, train_X, train_Y, parameters, train_heading)
        test_acc = accuracy_of(course, test_X, test_Y, parameters, "On the test set:")
        results.append((label, parameters, costs, train_acc, test_acc))
    return results


def print_summary(first_column: str, width: int, results: list) -> None:
    """The table "<first_column>  train   test", one row per result of ``train_runs``."""
    print(f"\n{first_column:<{width}}  train   test")
    for label, _, _, train_acc, test_acc in results:
        print(f"{label:<{width}}  {train_acc:.4f}  {test_acc:.4f}")


def write_plots(results: list, panels: list, data: tuple, out: Path, title: str) -> None:
    """costs.png (the cost every 1000 iterations, one curve per run) and
    decision_boundaries.png (``panels`` over the training points), then "wrote ..."."""
    train_X, train_Y = data[0], data[1]
    curves = {label: costs for label, _, costs, _, _ in results}
    cost_png = plots.learning_curves(curves, out / "costs.png", every=1000, title=title)
    boundary_png = plots.decision_boundaries(
        panels, train_X, train_Y, out / "decision_boundaries.png", columns=3
    )
    print(f"\nwrote {cost_png} and {boundary_png}")
