"""Course 2, week 1: zeros, large random and He initialisation on the circles.

Trains [2, 10, 5, 1] for 15000 iterations at learning rate 0.01 from each initialisation,
prints the cost every 1000 iterations and the train/test accuracies (course: 0.5/0.5,
0.83/0.86, 0.9933/0.96), and writes ``costs.png`` and ``decision_boundaries.png``.
Needs scikit-learn for the circles.
"""

from __future__ import annotations

import numpy as np

from ... import plots
from .. import initialization as course
from ._common import base_parser, output_dir

RUNS = (("zeros", "zeros"), ("random", "random x10"), ("he", "He"))


def main(argv: list[str] | None = None) -> int:
    parser = base_parser("initialization", __doc__.splitlines()[0])
    parser.add_argument(
        "--iterations",
        type=int,
        default=15000,
        help="gradient-descent iterations per run (default: %(default)s)",
    )
    parser.add_argument(
        "--learning-rate", type=float, default=0.01, help="learning rate (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    out = output_dir(args)

    train_X, train_Y, test_X, test_Y = course.load_dataset()
    curves: dict[str, list] = {}
    panels = []
    summary = []
    for init, label in RUNS:
        print(f"\n== initialization = {init!r} ==")
        parameters, costs = course.model(
            train_X,
            train_Y,
            learning_rate=args.learning_rate,
            num_iterations=args.iterations,
            print_cost=True,
            initialization=init,
            return_costs=True,
        )
        print("On the train set:")
        p_train = course.predict(train_X, train_Y, parameters)
        print("On the test set:")
        p_test = course.predict(test_X, test_Y, parameters)
        train_acc = float(np.mean(p_train == train_Y))
        test_acc = float(np.mean(p_test == test_Y))
        summary.append((label, train_acc, test_acc))
        curves[label] = costs
        constant = "\n(one class everywhere)" if init == "zeros" else ""
        panels.append(
            (
                f"{label}: train {train_acc:.4g}, test {test_acc:.4g}{constant}",
                lambda x, params=parameters: course.predict_dec(params, x),
            )
        )

    print("\ninitialization  train   test")
    for label, train_acc, test_acc in summary:
        print(f"{label:<14}  {train_acc:.4f}  {test_acc:.4f}")

    cost_png = plots.learning_curves(
        curves,
        out / "costs.png",
        every=1000,
        title=f"Circles, learning rate {args.learning_rate}: cost by initialisation "
        "(random x10 starts at inf)",
    )
    boundary_png = plots.decision_boundaries(
        panels, train_X, train_Y, out / "decision_boundaries.png", columns=3
    )
    print(f"\nwrote {cost_png} and {boundary_png}")
    return 0
