"""Course 1, week 2: logistic regression as one neuron on the cat pictures.

Trains for 2000 iterations at learning rate 0.005, prints the cost every 100 iterations
and the accuracies (course: train 99.04 %, test 70 %), then compares learning rates
0.01, 0.001 and 0.0001 over 1500 iterations. Writes ``learning_curve.png`` and
``learning_rates.png``. Needs the cat data (h5py).
"""

from __future__ import annotations

from ... import plots
from .. import logistic as course
from ._cat import read_cat
from ._common import add_data_dir, add_training_flags, base_parser, output_dir

COMPARED_RATES = (0.01, 0.001, 0.0001)


def main(argv: list[str] | None = None) -> int:
    parser = base_parser("logreg", __doc__.splitlines()[0])
    add_data_dir(parser, "folder holding train_catvnoncat.h5 and test_catvnoncat.h5")
    add_training_flags(
        parser,
        iterations=2000,
        learning_rate=0.005,
        iterations_help="iterations of the main run",
        learning_rate_help="learning rate of the main run",
    )
    parser.add_argument(
        "--compare-iterations",
        type=int,
        default=1500,
        help="iterations of each learning-rate comparison run (default: %(default)s)",
    )
    args = parser.parse_args(argv)

    data = read_cat(args.data_dir)
    out = output_dir(args)
    train_x, train_y, test_x, test_y = (data[k] for k in ("train_x", "train_y", "test_x", "test_y"))
    print(f"train_x: {train_x.shape}, test_x: {test_x.shape}")

    print(f"\n== model, {args.iterations} iterations, learning rate {args.learning_rate} ==")
    d = course.model(
        train_x, train_y, test_x, test_y, args.iterations, args.learning_rate, print_cost=True
    )
    curve = plots.learning_curve(
        d["costs"],
        out / "learning_curve.png",
        every=100,
        title=f"Logistic regression on the cats: learning rate {args.learning_rate}",
    )

    print(f"\n== learning rates, {args.compare_iterations} iterations each ==")
    curves = {}
    table = []
    for lr in COMPARED_RATES:
        print(f"Training a model with learning rate: {lr}")
        r = course.model(train_x, train_y, test_x, test_y, args.compare_iterations, lr)
        train_acc = course.accuracy(r["Y_prediction_train"], train_y)
        test_acc = course.accuracy(r["Y_prediction_test"], test_y)
        table.append((lr, train_acc, test_acc))
        curves[f"learning rate {lr}"] = r["costs"]
    print("\nlearning rate   train %               test %")
    for lr, train_acc, test_acc in table:
        print(f"{lr:<14}  {train_acc!r:<20}  {test_acc!r}")
    rates = plots.learning_curves(
        curves,
        out / "learning_rates.png",
        every=100,
        title=f"Logistic regression: cost by learning rate ({args.compare_iterations} iterations)",
    )
    print(f"\nwrote {curve} and {rates}")
    return 0
