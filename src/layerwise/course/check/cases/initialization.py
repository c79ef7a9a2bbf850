"""Cases for ``layerwise.course.initialization`` (course 2 week 1, COURSE.md §2.5)."""

from __future__ import annotations

import numpy as np

from ... import initialization
from ..draws import draw_diagnosis
from ..spec import CALLER_SEED, Case, seeded
from .three_layer import data, helper_cases

DIMS = [3, 4, 2, 1]

HE_WITH_ONE_OVER_N = (
    "He initialisation scales by √(2/n[l-1]), not √(1/n[l-1]): "
    "W[l] = randn(n[l], n[l-1]) * np.sqrt(2 / n[l-1])"
)


def _he_with_one_over_n(layers_dims) -> dict:
    np.random.seed(3)
    parameters = {}
    for l in range(1, len(layers_dims)):
        W = np.random.randn(layers_dims[l], layers_dims[l - 1])
        parameters[f"W{l}"] = W * np.sqrt(1 / layers_dims[l - 1])
        parameters[f"b{l}"] = np.zeros((layers_dims[l], 1))
    return parameters


def cases() -> list[Case]:
    """The three initialisers on [3, 4, 2, 1], the helpers, and 30 steps of ``model``."""
    draws = draw_diagnosis(lambda args: args[0], 3)
    return [
        Case("initialize_parameters_zeros", lambda: (DIMS,), "parameters", seed=CALLER_SEED),
        Case(
            "initialize_parameters_random",
            lambda: (DIMS,),
            "parameters",
            seed=CALLER_SEED,
            diagnose=draws,
        ),
        Case(
            "initialize_parameters_he",
            lambda: (DIMS,),
            "parameters",
            seed=CALLER_SEED,
            mistakes=((HE_WITH_ONE_OVER_N, _he_with_one_over_n),),
            diagnose=draws,
        ),
        *helper_cases(initialization, "compute_loss"),
        Case(
            "model",
            seeded(1, lambda: (*data()[:2], 0.01, 30, False, "he")),
            "parameters",
            label="he",
        ),
    ]
