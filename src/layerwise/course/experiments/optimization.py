"""Course 2, week 2: mini-batch gradient descent, momentum, Adam and learning-rate decay.

Trains [2, 5, 2, 1] on the moons with mini-batches of 64 for 5000 epochs: gd, momentum and
adam at learning rate 0.0007 (course: train accuracy 0.717, 0.717, 0.943), then gd with
update_lr at 0.1, gd and momentum with schedule_lr_decay at 0.1, adam with
schedule_lr_decay at 0.01 (0.653, 0.943, 0.953, 0.94). Prints the cost (and the learning
rate) every 1000 epochs; writes ``costs.png``, ``costs_decay.png`` and
``decision_boundaries.png``. Needs scikit-learn for the moons.
"""

from __future__ import annotations

from ... import plots
from .. import optimization as course
from ._common import base_parser, output_dir
from ._three_layer_runs import accuracy_of, boundary_panel

LAYERS_DIMS = [2, 5, 2, 1]


def runs(fixed_lr: float = 0.0007) -> list[tuple[str, dict]]:
    """(label, model keyword arguments) of the seven course runs, fixed rate first."""
    return [
        ("gd", {"optimizer": "gd", "learning_rate": fixed_lr}),
        ("momentum", {"optimizer": "momentum", "beta": 0.9, "learning_rate": fixed_lr}),
        ("adam", {"optimizer": "adam", "learning_rate": fixed_lr}),
        ("gd + update_lr", {"optimizer": "gd", "learning_rate": 0.1, "decay": course.update_lr}),
        (
            "gd + schedule",
            {"optimizer": "gd", "learning_rate": 0.1, "decay": course.schedule_lr_decay},
        ),
        (
            "momentum + schedule",
            {"optimizer": "momentum", "learning_rate": 0.1, "decay": course.schedule_lr_decay},
        ),
        (
            "adam + schedule",
            {"optimizer": "adam", "learning_rate": 0.01, "decay": course.schedule_lr_decay},
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = base_parser("optimization", __doc__.splitlines()[0])
    parser.add_argument(
        "--epochs", type=int, default=5000, help="epochs per run (default: %(default)s)"
    )
    parser.add_argument(
        "--mini-batch-size", type=int, default=64, help="mini-batch size (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    out = output_dir(args)

    train_X, train_Y = course.load_dataset()
    fixed: dict[str, list] = {}
    decayed: dict[str, list] = {}
    panels = []
    summary = []
    for label, kwargs in runs():
        decay = kwargs.get("decay")
        rate = f"lr {kwargs['learning_rate']:g}" + (f", {decay.__name__}" if decay else "")
        print(f"\n== {kwargs['optimizer']}, {rate} ==")
        parameters, costs = course.model(
            train_X,
            train_Y,
            LAYERS_DIMS,
            mini_batch_size=args.mini_batch_size,
            num_epochs=args.epochs,
            print_cost=True,
            return_costs=True,
            **kwargs,
        )
        accuracy = accuracy_of(course, train_X, train_Y, parameters)
        summary.append((label, rate, accuracy))
        (decayed if decay else fixed)[label] = costs
        title = f"{label} ({rate.split(',')[0]}): {accuracy:.4g}"
        panels.append(boundary_panel(course, parameters, title))

    print(f"\n{'run':<20}  {'learning rate':<26}  train accuracy")
    for label, rate, accuracy in summary:
        print(f"{label:<20}  {rate:<26}  {accuracy:.4f}")

    written = [
        plots.learning_curves(
            fixed,
            out / "costs.png",
            every=100,
            xlabel="epoch",
            title="Moons, learning rate 0.0007: cost per epoch (gd and momentum overlap)",
        ),
        plots.learning_curves(
            decayed,
            out / "costs_decay.png",
            every=100,
            xlabel="epoch",
            title="Moons, learning-rate decay: cost per epoch",
        ),
        plots.decision_boundaries(
            panels, train_X, train_Y, out / "decision_boundaries.png", columns=4
        ),
    ]
    print("\nwrote " + ", ".join(str(p) for p in written))
    return 0
