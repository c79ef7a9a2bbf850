"""Course 1, week 4: the two-layer cat classifier, LINEAR -> RELU -> LINEAR -> SIGMOID.

Trains (12288, 7, 1) on the cat pictures for 2500 iterations at learning rate 0.0075,
prints the cost every 100 iterations and the accuracies (course: train 1.0, test 0.72),
and writes ``learning_curve.png`` and ``mislabeled.png``. Needs the cat data (h5py).
"""

from __future__ import annotations

from .. import deep_application as course
from ._cat import run_cat_model

LAYERS_DIMS = (12288, 7, 1)


def main(argv: list[str] | None = None) -> int:
    description = __doc__.splitlines()[0]
    title = "2-layer (12288, 7, 1)"
    return run_cat_model("two-layer", description, course.two_layer_model, LAYERS_DIMS, title, argv)
