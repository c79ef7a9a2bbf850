"""Cases for ``layerwise.course.initialization`` (course 2 week 1, COURSE.md §2.5)."""

from __future__ import annotations

from ... import initialization
from ..._numerics import over_sqrt_n
from ..draws import course_draws, initializer_case
from ..spec import CALLER_SEED, Case, seeded
from .three_layer import data, helper_cases

DIMS = [3, 4, 2, 1]

HE_WITH_ONE_OVER_N = (
    "He initialisation scales by √(2/n[l-1]), not √(1/n[l-1]): "
    "W[l] = randn(n[l], n[l-1]) * np.sqrt(2 / n[l-1])"
)


def cases() -> list[Case]:
    """The three initialisers on [3, 4, 2, 1], the helpers, and 30 steps of ``model``."""
    return [
        Case("initialize_parameters_zeros", lambda: (DIMS,), "parameters", seed=CALLER_SEED),
        initializer_case("initialize_parameters_random", (DIMS,), 3),
        initializer_case(
            "initialize_parameters_he",
            (DIMS,),
            3,
            mistakes=((HE_WITH_ONE_OVER_N, course_draws(3, over_sqrt_n)),),
        ),
        *helper_cases(initialization, "compute_loss"),
        Case(
            "model",
            seeded(1, lambda: (*data()[:2], 0.01, 30, False, "he")),
            "parameters",
            label="he",
        ),
    ]
