"""Course 2, week 1: no regularisation, L2 and dropout on the football data.

Trains [2, 20, 3, 1] for 30000 iterations at learning rate 0.3 without regularisation,
with L2 (lambd 0.7) and with dropout (keep_prob 0.86); prints the cost every 10000
iterations and the train/test accuracies (course: 0.948/0.915, 0.938/0.93, 0.929/0.95), and
writes ``costs.png`` and ``decision_boundaries.png``. Needs ``data.mat`` (``--data-dir``).
"""

from __future__ import annotations

from .. import regularization as course
from ._common import add_data_dir, add_training_flags, base_parser, find_data_files, output_dir
from ._three_layer_runs import boundary_panel, print_summary, train_runs, write_plots


def main(argv: list[str] | None = None) -> int:
    parser = base_parser("regularization", __doc__.splitlines()[0])
    add_data_dir(
        parser, "folder holding data.mat (default: $LAYERWISE_DATA, ../shared/data/course2, ./data)"
    )
    add_training_flags(parser, iterations=30000, learning_rate=0.3)
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
    data = course.load_2D_dataset(path)
    out = output_dir(args)

    runs = [
        ("no regularization", {}),
        (f"L2, lambd={args.lambd:g}", {"lambd": args.lambd}),
        (f"dropout, keep_prob={args.keep_prob:g}", {"keep_prob": args.keep_prob}),
    ]
    runs = [(label, label, kwargs) for label, kwargs in runs]  # the banner is the label
    results = train_runs(course, runs, data, args, "On the training set:")
    panels = [
        boundary_panel(course, parameters, f"{label}\ntrain {train_acc:.4g}, test {test_acc:.4g}")
        for label, parameters, _, train_acc, test_acc in results
    ]

    print_summary("model", 24, results)
    write_plots(
        results,
        panels,
        data,
        out,
        title=f"Football data, learning rate {args.learning_rate:g}: cost "
        "(L2 includes its penalty)",
    )
    return 0
