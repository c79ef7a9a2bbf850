"""Course 2, week 1: zeros, large random and He initialisation on the circles.

Trains [2, 10, 5, 1] for 15000 iterations at learning rate 0.01 from each initialisation,
prints the cost every 1000 iterations and the train/test accuracies (course: 0.5/0.5,
0.83/0.86, 0.9933/0.96), and writes ``costs.png`` and ``decision_boundaries.png``.
Needs scikit-learn for the circles.
"""

from __future__ import annotations

from .. import initialization as course
from ._common import add_training_flags, base_parser, output_dir
from ._three_layer_runs import boundary_panel, print_summary, train_runs, write_plots

RUNS = (("zeros", "zeros"), ("random", "random x10"), ("he", "He"))


def main(argv: list[str] | None = None) -> int:
    parser = base_parser("initialization", __doc__.splitlines()[0])
    add_training_flags(parser, iterations=15000, learning_rate=0.01)
    args = parser.parse_args(argv)
    out = output_dir(args)

    data = course.load_dataset()
    runs = [(f"initialization = {init!r}", label, {"initialization": init}) for init, label in RUNS]
    results = train_runs(course, runs, data, args, "On the train set:")
    panels = []
    for (init, _), (label, parameters, _, train_acc, test_acc) in zip(RUNS, results, strict=True):
        constant = "\n(one class everywhere)" if init == "zeros" else ""
        title = f"{label}: train {train_acc:.4g}, test {test_acc:.4g}{constant}"
        panels.append(boundary_panel(course, parameters, title))

    print_summary("initialization", 14, results)
    write_plots(
        results,
        panels,
        data,
        out,
        title=f"Circles, learning rate {args.learning_rate}: cost by initialisation "
        "(random x10 starts at inf)",
    )
    return 0
