"""Course 1, week 3: a one-hidden-layer tanh network on the planar flower.

Fits the logistic-regression baseline (scikit-learn, course: 47 %), trains the 4-unit
network for 10000 iterations at learning rate 1.2 (course: 90.75 %), then sweeps the
hidden size over 1, 2, 3, 4, 5, 20, 50 at 5000 iterations. Writes
``logistic_regression.png`` (with scikit-learn), ``decision_boundary.png`` and
``hidden_sizes.png``.
"""

from __future__ import annotations

import warnings

import numpy as np

from ... import plots
from .. import shallow as course
from ._common import base_parser, output_dir

HIDDEN_SIZES = (1, 2, 3, 4, 5, 20, 50)


def _baseline(X: np.ndarray, Y: np.ndarray, out) -> None:
    """scikit-learn's LogisticRegressionCV on the flower, as the course; skipped without it."""
    try:
        from sklearn.linear_model import LogisticRegressionCV  # noqa: PLC0415 - optional sklearn extra
    except ImportError:
        print("scikit-learn is not installed: the logistic-regression baseline was skipped")
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = LogisticRegressionCV()
        clf.fit(X.T, Y.ravel())
        predictions = clf.predict(X.T).reshape(1, -1)
    acc = course.accuracy(predictions, Y)
    print(f"Accuracy of logistic regression: {acc:g} % (percentage of correctly labelled points)")
    png = plots.decision_boundary(
        lambda x: clf.predict(x.T),
        X,
        Y,
        out / "logistic_regression.png",
        title=f"Logistic regression: {acc:g} %",
    )
    print(f"wrote {png}")


def main(argv: list[str] | None = None) -> int:
    parser = base_parser("planar", __doc__.splitlines()[0])
    parser.add_argument(
        "--iterations",
        type=int,
        default=10000,
        help="iterations of the 4-unit run (default: %(default)s)",
    )
    parser.add_argument(
        "--sweep-iterations",
        type=int,
        default=5000,
        help="iterations of each hidden-size run (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    out = output_dir(args)

    X, Y = course.load_planar_dataset()
    print(f"X: {X.shape}, Y: {Y.shape}, {Y.shape[1]} training examples")

    print("\n== baseline: logistic regression ==")
    _baseline(X, Y, out)

    print(f"\n== nn_model, n_h = 4, {args.iterations} iterations, learning rate 1.2 ==")
    parameters = course.nn_model(X, Y, n_h=4, num_iterations=args.iterations, print_cost=True)
    acc = course.accuracy(course.predict(parameters, X), Y)
    print(f"Accuracy: {acc!r} %")
    boundary = plots.decision_boundary(
        lambda x: course.predict(parameters, x),
        X,
        Y,
        out / "decision_boundary.png",
        title=f"Hidden layer of size 4: {acc:g} %",
    )

    print(f"\n== hidden layer sizes, {args.sweep_iterations} iterations each ==")
    panels = []
    table = []
    for n_h in HIDDEN_SIZES:
        params = course.nn_model(X, Y, n_h, num_iterations=args.sweep_iterations)
        acc_h = course.accuracy(course.predict(params, X), Y)
        table.append((n_h, acc_h))
        print(f"Accuracy for {n_h} hidden units: {acc_h!r} %")
        panels.append(
            (
                f"Hidden layer of size {n_h}: {acc_h:g} %",
                lambda x, p=params: course.predict(p, x),
            )
        )
    print("\nn_h   accuracy %")
    for n_h, acc_h in table:
        print(f"{n_h:<4}  {acc_h!r}")
    sweep = plots.decision_boundaries(panels, X, Y, out / "hidden_sizes.png", columns=4)
    print(f"\nwrote {boundary} and {sweep}")
    return 0
