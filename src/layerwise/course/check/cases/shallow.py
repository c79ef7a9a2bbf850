"""Cases for ``layerwise.course.shallow`` (course 1 week 3, COURSE.md §2.2)."""

from __future__ import annotations

import numpy as np

from ... import shallow
from ..draws import initializer_case
from ..spec import Case, N, grads_like, net, seeded


def cases() -> list[Case]:
    """A 2-4-1 net on m = 5 planar-like points."""

    def data():
        X = np.random.randn(2, 5)
        Y = (np.random.rand(1, 5) > 0.5).astype(float)
        return X, Y

    def params():
        _, _, p = net((2, 4, 1), 1)
        return p

    def backward():
        X, Y = data()
        p = params()
        _, cache = shallow.forward_propagation(X, p)
        return p, cache, X, Y

    cache = N("cache")
    return [
        Case("layer_sizes", seeded(1, data), N("", ("n_x", "n_h", "n_y"))),
        initializer_case("initialize_parameters", (2, 4, 1), None, seed=2),
        Case("forward_propagation", seeded(1, lambda: (data()[0], params())), N("", ("A2", cache))),
        Case(
            "compute_cost",
            seeded(1, lambda: (np.random.rand(1, 5), data()[1])),
            "cost",
            m=5,
        ),
        Case("backward_propagation", seeded(1, backward), "grads", m=5),
        Case(
            "update_parameters",
            seeded(1, lambda: (params(), grads_like(params()), 1.2)),
            "parameters",
        ),
        Case(
            "predict",
            seeded(1, lambda: (params(), data()[0])),
            N("predictions", typed=True),
        ),
    ]
