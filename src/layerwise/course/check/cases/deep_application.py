"""Cases for ``layerwise.course.deep_application`` (course 1 week 4, the cat classifier,
COURSE.md §2.4): deep's functions, which it re-exports, and its own initialiser and models."""

from __future__ import annotations

from ..._numerics import times_001
from ..draws import course_draws, initializer_case
from ..spec import Case, N, net, seeded
from . import deep

DIMS = [5, 4, 3, 1]

DEEP_SCALE = (
    "W[l] = randn·0.01 is the step-by-step initialiser; the cat model seeds 1 and divides "
    "by √n[l-1]: W[l] = randn(n[l], n[l-1]) / np.sqrt(n[l-1])"
)


def _data() -> tuple:
    """X (5, 8), Y (1, 8) and a 5-4-3-1 net."""
    return net(DIMS, 8)


def cases() -> list[Case]:
    """deep's cases (its own initialiser replaced), 201 steps of each model, predict."""
    costs = N("", ("parameters", N("costs", each=N("cost"))))
    return [
        *(c for c in deep.cases() if c.function != "initialize_parameters_deep"),
        initializer_case(
            "initialize_parameters_deep",
            (DIMS,),
            1,
            mistakes=((DEEP_SCALE, course_draws(1, times_001)),),
        ),
        Case(
            "two_layer_model",
            seeded(1, lambda: (*_data()[:2], (5, 4, 1), 0.1, 201, False)),
            costs,
        ),
        Case(
            "L_layer_model",
            seeded(1, lambda: (*_data()[:2], DIMS, 0.1, 201, False)),
            costs,
        ),
        Case("predict", seeded(1, lambda: _data()), N("p", typed=True)),
    ]
