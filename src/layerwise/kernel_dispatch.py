"""Choosing how an optimiser's elementwise update runs: fused and compiled, or NumPy.

Each update rule is written once as a NumPy kernel ``kernel(p, g, *state, tmp, *consts)``
working in place on arrays of one shape. ``run_update`` runs it through a fused compiled
kernel when numba is installed (the ``fast`` extra) and the arrays are large: one pass
over memory instead of about ten. The compiled kernels evaluate the same operations in
the same order as the NumPy ones, so the results are identical (tests check it bit for
bit). Otherwise, and always for small or non-contiguous arrays, the NumPy kernel runs.

The compiled kernels are single-threaded on purpose: between two matrix products the
BLAS threads are still spinning, and a second pool of threads fighting them for the
cores was measured to make a training epoch twice as slow.

``LAYERWISE_ACCEL=0`` in the environment turns the compiled kernels off.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import numpy as np

Array = np.ndarray

#: Size from which a fused kernel pays for its call overhead (and its one-off compilation).
FUSED_MIN_SIZE = 1 << 15


def run_update(name: str, kernel: Callable, arrays: list[Array], consts: tuple) -> None:
    """Run update rule ``name`` (NumPy version ``kernel``) on ``arrays`` in place.

    ``arrays``: param, grad, state..., tmp, all of one shape and dtype.
    ``consts``: Python floats (cast to the arrays' dtype, as NumPy does with them).
    """
    if arrays[0].size >= FUSED_MIN_SIZE and all(a.flags.c_contiguous for a in arrays):
        fused = fused_kernel(name)
        if fused is not None:
            typed = tuple(arrays[0].dtype.type(c) for c in consts)
            fused(*(a.reshape(-1) for a in arrays[:-1]), *typed)  # no tmp needed
            return
    kernel(*arrays, *consts)


_FUSED: dict[str, Callable] | None = None


def fused_kernel(name: str) -> Callable | None:
    """The compiled kernel for ``name``, or None when numba is absent or turned off."""
    global _FUSED
    if _FUSED is None:
        _FUSED = {}
        if os.environ.get("LAYERWISE_ACCEL", "1") != "0":
            try:
                from ._fused import KERNELS  # noqa: PLC0415 - optional fast extra (numba)
            except ImportError:
                pass
            else:
                _FUSED = KERNELS
    return _FUSED.get(name)
