"""Cases for ``layerwise.course.deep`` (course 1 week 4, COURSE.md §2.3)."""

from __future__ import annotations

import numpy as np

from ... import deep
from ..draws import initializer_case
from ..spec import LAYER_CACHE, LINEAR_CACHE, Case, N, grads_like, net, seeded


def sigmoid_backward_on_Z(dA, Z):
    return dA * Z * (1 - Z)


SIGMOID_ON_Z = (
    "sigmoid backward used Z where s = σ(Z) belongs: dZ = dA·s·(1 − s) with s = σ(Z), "
    "not dA·Z·(1 − Z)"
)


def _lin():
    """A_prev (4, 5), W (3, 4), b (3, 1)."""
    A, W, b = np.random.randn(4, 5), np.random.randn(3, 4), np.random.randn(3, 1)
    return A, W, b


def _lin_back():
    dZ = np.random.randn(3, 5)
    return dZ, _lin()


def _act_back(activation):
    def build():
        dA = np.random.randn(3, 5)
        _, cache = deep.linear_activation_forward(*_lin(), activation)
        return dA, cache, activation

    return build


def _L_forward():
    X, _, params = net((5, 4, 3, 1), 6)
    return X, params


def _L_backward():
    X, Y, params = net((5, 4, 3, 1), 6)
    AL, caches = deep.L_model_forward(X, params)
    return AL, Y, caches


def _cost():
    """AL and Y of the course's compute_cost test, m = 4."""
    return np.array([[0.8, 0.9, 0.4, 0.2]]), np.array([[1.0, 1.0, 0.0, 0.0]])


def _update():
    _, _, params = net((4, 3, 1), 1)
    return params, grads_like(params), 0.1


def _sig_z_linear(dA, cache, activation):
    linear_cache, Z = cache
    return deep.linear_backward(sigmoid_backward_on_Z(dA, Z), linear_cache)


def cases() -> list[Case]:
    """deep's functions on small seeded layers: 4 → 3 units, m = 5; a 5-4-3-1 net, m = 6."""
    backward_out = N("", ("dA_prev", "dW", "db"))
    return [
        initializer_case("initialize_parameters", (3, 2, 1), 1),
        initializer_case("initialize_parameters_deep", ([5, 4, 3, 1],), 3),
        Case("linear_forward", seeded(1, _lin), N("", ("Z", LINEAR_CACHE))),
        Case("sigmoid", seeded(1, lambda: (np.random.randn(3, 5),)), N("", ("A", "Z"))),
        Case("relu", seeded(1, lambda: (np.random.randn(3, 5),)), N("", ("A", "Z"))),
        Case(
            "sigmoid_backward",
            seeded(1, lambda: (np.random.randn(3, 5), np.random.randn(3, 5))),
            "dZ",
            mistakes=((SIGMOID_ON_Z, sigmoid_backward_on_Z),),
        ),
        Case(
            "relu_backward",
            seeded(1, lambda: (np.random.randn(3, 5), np.random.randn(3, 5))),
            "dZ",
        ),
        *(
            Case(
                "linear_activation_forward",
                seeded(2, lambda a=a: (*_lin(), a)),
                N("", ("A", LAYER_CACHE)),
                label=a,
            )
            for a in ("sigmoid", "relu")
        ),
        Case(
            "L_model_forward", seeded(1, _L_forward), N("", ("AL", N("caches", each=LAYER_CACHE)))
        ),
        Case("compute_cost", _cost, "cost", m=4),
        Case("linear_backward", seeded(1, _lin_back), backward_out, m=5),
        *(
            Case(
                "linear_activation_backward",
                seeded(2, _act_back(a)),
                backward_out,
                label=a,
                m=5,
                mistakes=((SIGMOID_ON_Z, _sig_z_linear),) if a == "sigmoid" else (),
            )
            for a in ("sigmoid", "relu")
        ),
        Case("L_model_backward", seeded(3, _L_backward), "grads", m=6),
        Case("update_parameters", seeded(2, _update), "parameters"),
    ]
