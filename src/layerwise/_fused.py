"""Fused optimiser kernels compiled with numba (the optional ``fast`` extra).

Each loop body performs, per element, exactly the operations of the NumPy kernel in
``optimizers.py`` in the same order (no fast-math, no contraction), so both give the same
bits; the gain is one pass over memory instead of about ten. The loops run on one thread
(see ``kernel_dispatch``: a second thread pool fights the BLAS threads).
Importing this module raises ImportError when numba is not installed.
"""

from __future__ import annotations

import math

import numba

_jit = numba.njit(cache=True, error_model="numpy", nogil=True)


@_jit
def gd(p, g, lr):  # pragma: no cover - compiled
    for i in range(p.size):
        p[i] -= g[i] * lr


@_jit
def momentum(p, g, v, beta, k):  # pragma: no cover - compiled
    for i in range(p.size):
        vi = v[i] * beta + g[i]
        v[i] = vi
        p[i] -= vi * k


@_jit
def rmsprop(p, g, s, beta, e, k):  # pragma: no cover - compiled
    for i in range(p.size):
        gi = g[i]
        si = s[i] * beta + gi * gi
        s[i] = si
        p[i] -= gi / (math.sqrt(si) + e) * k


@_jit
def adam(p, g, v, s, b1, b2, e, k):  # pragma: no cover - compiled
    for i in range(p.size):
        gi = g[i]
        vi = v[i] * b1 + gi
        si = s[i] * b2 + gi * gi
        v[i] = vi
        s[i] = si
        p[i] -= vi / (math.sqrt(si) + e) * k


KERNELS = {"gd": gd, "momentum": momentum, "rmsprop": rmsprop, "adam": adam}
