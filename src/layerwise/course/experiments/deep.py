"""Course 1, week 4: the L-layer cat classifier, [LINEAR -> RELU] x 3 -> LINEAR -> SIGMOID.

Trains [12288, 20, 7, 5, 1] on the cat pictures for 2500 iterations at learning rate
0.0075, prints the cost every 100 iterations (the first is 0.771749) and the accuracies
(course: train 0.9856, test 0.8), and writes ``learning_curve.png`` and
``mislabeled.png``. Needs the cat data (h5py).
"""

from __future__ import annotations

from .. import deep_application as course
from ._cat import run_cat_model

LAYERS_DIMS = [12288, 20, 7, 5, 1]


def main(argv: list[str] | None = None) -> int:
    description = __doc__.splitlines()[0]
    title = "4-layer [12288, 20, 7, 5, 1]"
    return run_cat_model("deep", description, course.L_layer_model, LAYERS_DIMS, title, argv)
