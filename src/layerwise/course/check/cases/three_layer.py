"""Cases for the course-2 three-layer helpers that initialization, regularization and
optimization each define (forward, cost, backward, update, predict, predict_dec)."""

from __future__ import annotations

from types import ModuleType

from ..spec import CACHE12, Case, N, grads_like, net, seeded

#: a LINEAR → RELU → LINEAR → RELU → LINEAR → SIGMOID net on m = 5 examples
DIMS, M = (3, 4, 2, 1), 5


def data() -> tuple:
    """X (3, 5), Y (1, 5) and the parameters W1 (4, 3) … b3 (1, 1), from the global generator."""
    return net(DIMS, M)


def forward_cache(ref: ModuleType) -> tuple:
    """X, Y and ``ref``'s 12-tuple cache for them."""
    X, Y, params = data()
    _, cache = ref.forward_propagation(X, params)
    return X, Y, cache


def helper_cases(ref: ModuleType, cost: str, *, cost_is_mean: bool = True) -> list[Case]:
    """The helpers' cases; ``cost`` is the cost function's name (compute_cost, compute_loss),
    a mean over the m examples unless ``cost_is_mean`` is False (optimization sums)."""

    def cost_inputs():
        X, Y, params = data()
        A3, _ = ref.forward_propagation(X, params)
        return A3, Y

    def update():
        _, _, params = data()
        return params, grads_like(params), 0.1

    def forward():
        X, _, params = data()
        return X, params

    def dec():
        X, _, params = data()
        return params, X

    return [
        Case(
            "forward_propagation",
            seeded(1, forward),
            N("", ("A3", CACHE12)),
        ),
        Case(cost, seeded(1, cost_inputs), "cost", m=M if cost_is_mean else None),
        Case("backward_propagation", seeded(1, lambda: forward_cache(ref)), "grads", m=M),
        Case("update_parameters", seeded(1, update), "parameters", may_mutate=True),
        Case("predict", seeded(1, data), N("p", typed=True)),
        Case("predict_dec", seeded(1, dec), N("predictions", typed=True)),
    ]
