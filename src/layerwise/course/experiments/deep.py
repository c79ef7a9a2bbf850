"""Course 1, week 4: the L-layer cat classifier, [LINEAR -> RELU] x 3 -> LINEAR -> SIGMOID.

Trains [12288, 20, 7, 5, 1] on the cat pictures for 2500 iterations at learning rate
0.0075, prints the cost every 100 iterations (the first is 0.771749) and the accuracies
(course: train 0.9856, test 0.8), and writes ``learning_curve.png`` and
``mislabeled.png``. Needs the cat data (h5py).
"""

from __future__ import annotations

from .. import deep_application as course
from ._cat import cat_parser, load_cat, report
from ._common import output_dir

LAYERS_DIMS = [12288, 20, 7, 5, 1]


def main(argv: list[str] | None = None) -> int:
    parser = cat_parser("deep", __doc__.splitlines()[0])
    args = parser.parse_args(argv)
    data = load_cat(args.data_dir)
    out = output_dir(args)

    print(f"\n== L_layer_model, layers_dims = {LAYERS_DIMS} ==")
    parameters, costs = course.L_layer_model(
        data["train_x"],
        data["train_y"],
        LAYERS_DIMS,
        learning_rate=args.learning_rate,
        num_iterations=args.iterations,
        print_cost=True,
    )
    report("4-layer [12288, 20, 7, 5, 1]", parameters, costs, data, args, out)
    return 0
