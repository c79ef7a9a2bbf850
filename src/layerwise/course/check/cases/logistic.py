"""Cases for ``layerwise.course.logistic`` (course 1 week 2, COURSE.md §2.1)."""

from __future__ import annotations

import numpy as np

from ..spec import Case, N, seeded


def cases() -> list[Case]:
    """One neuron on 3 features, m = 5."""

    def wbXY():
        w = np.random.randn(3, 1) * 0.1
        X = np.random.randn(3, 5)
        Y = (np.random.rand(1, 5) > 0.5).astype(float)
        return w, 0.5, X, Y

    return [
        Case("sigmoid", lambda: (np.array([0.0, 2.0, -1.5]),), "sigmoid(z)"),
        Case("initialize_with_zeros", lambda: (4,), N("", ("w", "b"))),
        Case("propagate", seeded(1, wbXY), N("", ("grads", "cost")), m=5),
        Case(
            "optimize",
            seeded(1, lambda: (*wbXY(), 101, 0.009)),
            N("", ("params", "grads", N("costs", each=N("cost")))),
        ),
        Case("predict", seeded(1, lambda: wbXY()[:3]), "Y_prediction"),
    ]
