"""Cases for ``layerwise.course.convolution`` (course 4 week 1, COURSE.md §2.9), on the
course's own seeded inputs."""

from __future__ import annotations

import numpy as np

from ... import convolution as ref
from ..spec import Case, N, seeded

CONV_CACHE = N("cache", ("A_prev", "W", "b", "hparameters"))
POOL_CACHE = N("cache", ("A_prev", "hparameters"))
CONV_HPARAMETERS = {"pad": 1, "stride": 2}

NO_BIAS = "Z lacks the bias: Z[i, h, w, c] = Σ(a_slice_prev ∗ W[..., c]) + b[..., c]"
STRIDE_IN_SLICE = (
    "the windows do not move by the stride: window (h, w) starts at row "
    "vert_start = stride·h and column horiz_start = stride·w"
)
AVERAGE_NOT_SPREAD = (
    "average pooling must spread dA evenly: each of the f·f window entries gets "
    "dA/(f·f) (distribute_value divides dz by n_H·n_W)"
)


def _conv_inputs() -> tuple:
    """The course's A_prev (2, 5, 7, 4), W (3, 3, 4, 8), b (1, 1, 1, 8); pad 1, stride 2."""
    A_prev = np.random.randn(2, 5, 7, 4)
    W = np.random.randn(3, 3, 4, 8)
    b = np.random.randn(1, 1, 1, 8)
    return A_prev, W, b, dict(CONV_HPARAMETERS)


def _conv_without_bias(A_prev, W, b, hparameters):
    Z, _ = ref.conv_forward(A_prev, W, np.zeros_like(b), hparameters)
    return Z, (A_prev, W, b, hparameters)


def _conv_stride_one_slices(A_prev, W, b, hparameters):
    """Windows at rows h, w (stride 1) while the output keeps the strided size."""
    Z, _ = ref.conv_forward(A_prev, W, b, hparameters)
    Z1, _ = ref.conv_forward(A_prev, W, b, {**hparameters, "stride": 1})
    return Z1[:, : Z.shape[1], : Z.shape[2], :], (A_prev, W, b, hparameters)


def _conv_backward_inputs() -> tuple:
    _, cache = ref.conv_forward(*_conv_inputs())
    return np.random.randn(2, 3, 4, 8), cache


def _pool_backward_inputs(mode: str):
    def build() -> tuple:
        A_prev = np.random.randn(5, 5, 3, 2)
        A, cache = ref.pool_forward(A_prev, {"stride": 1, "f": 2}, mode)
        return np.random.randn(*A.shape), cache, mode

    return build


def _average_not_spread(dA, cache, mode):
    f = cache[1]["f"]
    return ref.pool_backward(dA, cache, mode) * (f * f)


def cases() -> list[Case]:
    """Every function of §2.9; pooling in both modes."""
    backward_out = N("", ("dA_prev", "dW", "db"))
    return [
        Case("zero_pad", seeded(1, lambda: (np.random.randn(4, 3, 3, 2), 2)), "x_pad"),
        Case(
            "conv_single_step",
            seeded(
                1, lambda: tuple(np.random.randn(*s) for s in ((4, 4, 3), (4, 4, 3), (1, 1, 1)))
            ),
            "Z",
        ),
        Case(
            "conv_forward",
            seeded(1, _conv_inputs),
            N("", ("Z", CONV_CACHE)),
            mistakes=((NO_BIAS, _conv_without_bias), (STRIDE_IN_SLICE, _conv_stride_one_slices)),
        ),
        Case("conv_backward", seeded(1, _conv_backward_inputs), backward_out),
        *(
            Case(
                "pool_forward",
                seeded(
                    1, lambda mode=mode: (np.random.randn(2, 5, 5, 3), {"stride": 1, "f": 3}, mode)
                ),
                N("", ("A", POOL_CACHE)),
                label=mode,
            )
            for mode in ("max", "average")
        ),
        Case(
            "create_mask_from_window",
            seeded(1, lambda: (np.random.randn(2, 3),)),
            N("mask", typed=True),
        ),
        Case("distribute_value", lambda: (2.0, (2, 2)), "a"),
        *(
            Case(
                "pool_backward",
                seeded(1, _pool_backward_inputs(mode)),
                "dA_prev",
                label=mode,
                mistakes=((AVERAGE_NOT_SPREAD, _average_not_spread),) if mode == "average" else (),
            )
            for mode in ("max", "average")
        ),
    ]
