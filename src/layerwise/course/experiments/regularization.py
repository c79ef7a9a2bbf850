"""Course 2, week 1: no regularisation, L2 and dropout on the football data.

Trains [2, 20, 3, 1] for 30000 iterations at learning rate 0.3 without regularisation,
with L2 (lambd 0.7) and with dropout (keep_prob 0.86); prints the cost every 10000
iterations and the train/test accuracies (course: 0.948/0.915, 0.938/0.93, 0.929/0.95), and
writes ``costs.png`` and ``decision_boundaries.png``. Needs ``data.mat`` (``--data-dir``).
"""

from __future__ import annotations

import numpy as np

from ... import plots
from .. import regularization as course
from ._common import base_parser, find_data_files, output_dir


def main(argv: list[str] | None = None) -> int:
    parser = base_parser("regularization", __doc__.splitlines()[0])
    parser.add_argument(
        "--data-dir",
        default=None,
        help="folder holding data.mat (default: $LAYERWISE_DATA, ../shared/data/course2, ./data)",
    )
    parser.add_argument(
        "--iterations",
        type=int,
        default=30000,
        help="gradient-descent iterations per run (default: %(default)s)",
    )
    parser.add_argument(
        "--learning-rate", type=float, default=0.3, help="learning rate (default: %(default)s)"
    )
    parser.add_argument(
        "--lambd", type=float, default=0.7, help="L2 strength of the L2 run (default: %(default)s)"
    )
    parser.add_argument(
        "--keep-prob",
        type=float,
        default=0.86,
        help="keep probability of the dropout run (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    (path,) = find_data_files(("data.mat",), "course2", args.data_dir)
    train_X, train_Y, test_X, test_Y = course.load_2D_dataset(path)
    out = output_dir(args)

    runs = (
        ("no regularization", {}),
        (f"L2, lambd={args.lambd:g}", {"lambd": args.lambd}),
        (f"dropout, keep_prob={args.keep_prob:g}", {"keep_prob": args.keep_prob}),
    )
    curves: dict[str, list] = {}
    panels = []
    summary = []
    for label, kwargs in runs:
        print(f"\n== {label} ==")
        parameters, costs = course.model(
            train_X,
            train_Y,
            learning_rate=args.learning_rate,
            num_iterations=args.iterations,
            print_cost=True,
            return_costs=True,
            **kwargs,
        )
        print("On the training set:")
        p_train = course.predict(train_X, train_Y, parameters)
        print("On the test set:")
        p_test = course.predict(test_X, test_Y, parameters)
        train_acc = float(np.mean(p_train == train_Y))
        test_acc = float(np.mean(p_test == test_Y))
        summary.append((label, train_acc, test_acc))
        curves[label] = costs
        panels.append(
            (
                f"{label}\ntrain {train_acc:.4g}, test {test_acc:.4g}",
                lambda x, params=parameters: course.predict_dec(params, x),
            )
        )

    print(f"\n{'model':<24}  train   test")
    for label, train_acc, test_acc in summary:
        print(f"{label:<24}  {train_acc:.4f}  {test_acc:.4f}")

    cost_png = plots.learning_curves(
        curves,
        out / "costs.png",
        every=1000,
        title=f"Football data, learning rate {args.learning_rate:g}: cost "
        "(L2 includes its penalty)",
    )
    boundary_png = plots.decision_boundaries(
        panels, train_X, train_Y, out / "decision_boundaries.png", columns=3
    )
    print(f"\nwrote {cost_png} and {boundary_png}")
    return 0
