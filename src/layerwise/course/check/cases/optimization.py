"""Cases for ``layerwise.course.optimization`` (course 2 week 2, COURSE.md §2.8)."""

from __future__ import annotations

import numpy as np

from ... import optimization
from ..draws import initializer_case
from ..spec import Case, N, grads_like, net, seeded
from .three_layer import helper_cases


def _adam_uncorrected(parameters, grads, v, s, t, lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8):
    for key in parameters:
        g = grads[f"d{key}"]
        v[f"d{key}"] = beta1 * v[f"d{key}"] + (1 - beta1) * g
        s[f"d{key}"] = beta2 * s[f"d{key}"] + (1 - beta2) * g**2
        parameters[key] = parameters[key] - lr * v[f"d{key}"] / (np.sqrt(s[f"d{key}"]) + eps)
    return parameters, v, s, v, s


NO_BIAS_CORRECTION = (
    "Adam without bias correction: use v_corrected = v/(1 − β1ᵗ) and "
    "s_corrected = s/(1 − β2ᵗ) in the update θ − lr·v_corrected/(√s_corrected + ε)"
)


def cases() -> list[Case]:
    """The update rules on a seeded 4-3-2-1 net; mini-batches of 148 examples by 64."""

    def params_grads():
        _, _, params = net((4, 3, 2, 1), 1)
        return params, grads_like(params)

    def gd():
        params, grads = params_grads()
        return params, grads, 0.01

    def velocity():
        params, grads = params_grads()
        v = grads_like(params, 0.1)
        return params, grads, v, 0.9, 0.01

    def adam():
        params, grads = params_grads()
        v = grads_like(params, 0.1)
        s = {k: np.abs(a) for k, a in grads_like(params, 0.1).items()}
        return params, grads, v, s, 2, 0.01, 0.9, 0.999, 1e-8

    def batches():
        X = np.random.randn(12, 148)
        Y = (np.random.randn(1, 148) < 0.5).astype(float)
        return X, Y, 64, 0

    adam_out = N("", ("parameters", "v", "s", "v_corrected", "s_corrected"))
    return [
        Case("update_parameters_with_gd", seeded(1, gd), "parameters", may_mutate=True),
        Case(
            "random_mini_batches",
            seeded(1, batches),
            N("mini_batches", each=N("mini_batch", ("mini_batch_X", "mini_batch_Y"))),
        ),
        Case("initialize_velocity", seeded(1, lambda: params_grads()[:1]), "v"),
        Case(
            "update_parameters_with_momentum",
            seeded(1, velocity),
            N("", ("parameters", "v")),
            may_mutate=True,
        ),
        Case("initialize_adam", seeded(1, lambda: params_grads()[:1]), N("", ("v", "s"))),
        Case(
            "update_parameters_with_adam",
            seeded(1, adam),
            adam_out,
            may_mutate=True,
            mistakes=((NO_BIAS_CORRECTION, _adam_uncorrected),),
        ),
        Case("update_lr", lambda: (0.5, 2, 1), "learning_rate"),
        Case("schedule_lr_decay", lambda: (0.5, 2500, 1, 1000), "learning_rate"),
        initializer_case("initialize_parameters", ([2, 5, 2, 1],), 3),
        *(  # its update is update_parameters_with_gd
            c
            for c in helper_cases(optimization, "compute_cost", cost_is_mean=False)
            if c.function != "update_parameters"
        ),
    ]
