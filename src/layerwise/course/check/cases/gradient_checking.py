"""Cases for ``layerwise.course.gradient_checking`` (course 2 week 1, COURSE.md §2.7)."""

from __future__ import annotations

import numpy as np

from ... import gradient_checking as ref
from ...experiments.gradient_checking import numerical_gradient
from ..spec import CACHE12, Case, N, net, seeded

#: the course's layout: W1 (5, 4), b1 (5, 1), W2 (3, 5), b2 (3, 1), W3 (1, 3), b3 (1, 1)
DIMS, M = (4, 5, 3, 1), 3

PLANTED = (
    "these are the course's two planted mistakes: dW2 is doubled and db1 uses 4/m; "
    "dW = (1/m)·dZ·A_prevᵀ and db = (1/m)·Σ dZ in every layer"
)
DIFFERENCE = "it is ‖grad − gradapprox‖₂ / (‖grad‖₂ + ‖gradapprox‖₂), the sum of two norms"
DENOMINATORS = {
    "divides by ‖grad + gradapprox‖₂, the norm of the sum": lambda g, a: np.linalg.norm(g + a),
    "divides by ‖grad‖₂ alone": lambda g, a: np.linalg.norm(g),
    "divides by ‖gradapprox‖₂ alone": lambda g, a: np.linalg.norm(a),
    "has no denominator": lambda g, a: 1.0,
}


def _data() -> tuple:
    """X (4, 3), Y (1, 3) and parameters in the course's layout."""
    return net(DIMS, M)


def _checked() -> tuple:
    """parameters, the gradients of the course's buggy backward pass, X, Y: a difference
    far above the threshold, so every slip in its formula shows."""
    X, Y, params = _data()
    _, cache = ref.forward_propagation_n(X, Y, params)
    gradients = ref.backward_propagation_n(X, Y, cache, with_course_bugs=True)
    return params, gradients, X, Y


def _wrong_difference(denominator):
    """gradient_check_n with ``denominator(grad, gradapprox)`` in place of the norm sum."""

    def difference(parameters, gradients, X, Y, epsilon=1e-7):
        grad = ref.gradients_to_vector(gradients)
        gradapprox = numerical_gradient(X, Y, parameters, epsilon)
        return np.linalg.norm(grad - gradapprox) / denominator(grad, gradapprox)

    return difference


def cases() -> list[Case]:
    """J = θx at x = 2, θ = 4; the course's 4-5-3-1 net on m = 3 examples."""

    def backward():
        X, Y, params = _data()
        _, cache = ref.forward_propagation_n(X, Y, params)
        return X, Y, cache

    mistakes = tuple(
        (f"the difference {words}: {DIFFERENCE}", _wrong_difference(d))
        for words, d in DENOMINATORS.items()
    )
    return [
        Case("forward_propagation", lambda: (2.0, 4.0), "J"),
        Case("backward_propagation", lambda: (2.0, 4.0), "dtheta"),
        Case("gradient_check", lambda: (2.0, 4.0), "difference"),
        Case("forward_propagation_n", seeded(1, _data), N("", ("cost", CACHE12)), m=M),
        Case(
            "backward_propagation_n",
            seeded(1, backward),
            "grads",
            m=M,
            mistakes=(
                (
                    PLANTED,
                    lambda X, Y, c: ref.backward_propagation_n(X, Y, c, with_course_bugs=True),
                ),
            ),
        ),
        Case("dictionary_to_vector", seeded(1, lambda: (_data()[2],)), N("", ("theta", "keys"))),
        Case("vector_to_dictionary", seeded(1, lambda: (np.random.randn(47, 1),)), "parameters"),
        Case("gradients_to_vector", seeded(1, lambda: (_checked()[1],)), "grad"),
        Case("gradient_check_n", seeded(1, _checked), "difference", mistakes=mistakes),
    ]
