"""Cases for ``layerwise.course.regularization`` (course 2 week 1, COURSE.md §2.6)."""

from __future__ import annotations

import numpy as np

from ... import regularization
from ..diagnosis import fmt
from ..draws import initializer_case
from ..spec import CACHE14, CALLER_SEED, Case, N, seeded
from .three_layer import DIMS, M, data, forward_cache, helper_cases

LAMBD, KEEP_PROB = 0.7, 0.8

NOT_RESCALED = (
    "dropout without rescaling: after A = A * D, divide by keep_prob "
    "(A = A / keep_prob) so the expected activation is unchanged"
)
NOT_RESEEDED = (
    "the masks do not come from np.random.seed(1): its first statement seeds 1 on every "
    "call, then D1 = rand(A1's shape) < keep_prob, then D2"
)
BACKWARD_NOT_RESCALED = (
    "dropout backward without rescaling: dA = dA * D / keep_prob, the same D and "
    "keep_prob as the forward pass"
)


def _dropout_forward(X, p, keep_prob, *, rescale=True, reseed=True):
    """The dropout forward pass, with one of its two plausible slips (no /keep_prob, no seed)."""
    if reseed:
        np.random.seed(1)
    Z1 = p["W1"] @ X + p["b1"]
    D1 = np.random.rand(*Z1.shape) < keep_prob
    A1 = np.maximum(0, Z1) * D1 / (keep_prob if rescale else 1)
    Z2 = p["W2"] @ A1 + p["b2"]
    D2 = np.random.rand(*Z2.shape) < keep_prob
    A2 = np.maximum(0, Z2) * D2 / (keep_prob if rescale else 1)
    Z3 = p["W3"] @ A2 + p["b3"]
    A3 = 1 / (1 + np.exp(-Z3))
    return A3, (
        Z1,
        D1,
        A1,
        p["W1"],
        p["b1"],
        Z2,
        D2,
        A2,
        p["W2"],
        p["b2"],
        Z3,
        A3,
        p["W3"],
        p["b3"],
    )


def _dropout_backward_unscaled(X, Y, cache, keep_prob):
    """The masks applied, the 1/keep_prob forgotten."""
    return regularization.backward_propagation_with_dropout(X, Y, cache, 1.0)


def _factor_word(k: float, lambd: float, m: int) -> str:
    """λ/(2m), λ/m, λ/2, λ, 0 … as the course writes the factor k, or k itself."""
    words = {
        "0": 0.0,
        "λ/(2m)": lambd / (2 * m),
        "λ/m": lambd / m,
        "λ/2": lambd / 2,
        "λ": lambd,
        "1/(2m)": 1 / (2 * m),
        "1/m": 1 / m,
    }
    for word, value in words.items():
        if np.isclose(k, value, rtol=1e-6, atol=1e-12):
            return word
    return fmt(k)


def _l2_cost(got, args: tuple, case: Case) -> list[str]:
    """How the learner's L2 term relates to (λ/(2m))·ΣW²."""
    A3, Y, params, lambd = args
    try:
        extra = float(got) - float(regularization.compute_cost(A3, Y))
    except (TypeError, ValueError):
        return []
    squares = sum(float(np.sum(np.square(params[f"W{l}"]))) for l in (1, 2, 3))
    word = _factor_word(extra / squares, lambd, Y.shape[1])
    if word == "λ/(2m)":
        return []
    if word == "0":
        return ["the L2 term is missing: add (λ/(2m))·(ΣW1² + ΣW2² + ΣW3²) to the cost"]
    return [f"the L2 term is {word}·(ΣW1² + ΣW2² + ΣW3²); it should be λ/(2m)·(…)"]


def _l2_backward(got, args: tuple, case: Case) -> list[str]:
    """How each learner's dW[l] − (plain dW[l]) relates to (λ/m)·W[l]."""
    X, Y, cache, lambd = args
    if not isinstance(got, dict):
        return []
    plain = regularization.backward_propagation(X, Y, cache)
    problems = []
    for l, W in ((1, cache[2]), (2, cache[6]), (3, cache[10])):
        dW = got.get(f"dW{l}")
        if dW is None or np.shape(dW) != W.shape:
            continue
        extra = np.asarray(dW, dtype=float) - plain[f"dW{l}"]
        k = float(np.vdot(extra, W) / np.vdot(W, W))
        if not np.allclose(extra, k * W, rtol=1e-6, atol=1e-10):
            continue
        word = _factor_word(k, lambd, X.shape[1])
        if word == "0":
            problems.append(f"dW{l} lacks the L2 term: add (λ/m)·W{l}")
        elif word != "λ/m":
            problems.append(f"dW{l} adds {word}·W{l}; the L2 term is (λ/m)·W{l}")
    return problems


def cases() -> list[Case]:
    """L2 with λ = 0.7 and dropout with keep_prob = 0.8 on the three-layer net, m = 5."""

    def l2_cost():
        X, Y, params = data()
        A3, _ = regularization.forward_propagation(X, params)
        return A3, Y, params, LAMBD

    def dropout_forward():
        X, _, params = data()
        return X, params, KEEP_PROB

    def dropout_backward():
        X, Y, params = data()
        _, cache = regularization.forward_propagation_with_dropout(X, params, KEEP_PROB)
        return X, Y, cache, KEEP_PROB

    grads_cases = (
        Case(
            "backward_propagation_with_regularization",
            seeded(1, lambda: (*forward_cache(regularization), LAMBD)),
            "grads",
            m=M,
            diagnose=_l2_backward,
        ),
        Case(
            "forward_propagation_with_dropout",
            seeded(1, dropout_forward),
            N("", ("A3", CACHE14)),
            seed=CALLER_SEED,
            mistakes=(
                (NOT_RESCALED, lambda X, p, k: _dropout_forward(X, p, k, rescale=False)),
                (NOT_RESEEDED, lambda X, p, k: _dropout_forward(X, p, k, reseed=False)),
            ),
        ),
        Case(
            "backward_propagation_with_dropout",
            seeded(1, dropout_backward),
            "grads",
            m=M,
            mistakes=((BACKWARD_NOT_RESCALED, _dropout_backward_unscaled),),
        ),
    )
    return [
        initializer_case("initialize_parameters", (list(DIMS),), 3),
        *helper_cases(regularization, "compute_cost"),
        Case("compute_cost_with_regularization", seeded(1, l2_cost), "cost", diagnose=_l2_cost),
        *grads_cases,
        *(
            Case(
                "model",
                seeded(1, lambda k=k: (*data()[:2], 0.3, 30, False, *k)),
                "parameters",
                label=label,
            )
            for label, k in (("L2", (LAMBD, 1)), ("dropout", (0, KEEP_PROB)))
        ),
    ]
