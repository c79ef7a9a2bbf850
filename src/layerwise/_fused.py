"""Kernels compiled with numba: fused optimiser updates and Conv2D's ReLU passes.

Each optimiser loop body performs, per element, exactly the operations of the NumPy
kernel in ``optimizers.py`` in the same order (no fast-math, no contraction), so both give
the same bits; the gain is one pass over memory instead of about ten. Those loops run on
one thread (see ``kernel_dispatch``: a second thread pool fights the BLAS threads).

``relu_forward_wide`` and ``relu_backward_wide`` are Conv2D's ReLU from and onto its
wide window grid: per element the operation of the NumPy path of ``layers/conv.py``
(a maximum; one multiply by the 0/1 mask), in one pass instead of two or three. The
window copies stay NumPy's: its copy loop moved them faster than a compiled one.
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


@_jit
def relu_backward_wide(dA, A, out):  # pragma: no cover - compiled
    """out (m, n_H, n_Wc, n_C) = dA · (A > 0) for w < n_W, 0 beyond (dA, A (m, n_H, n_W, n_C))."""
    m, n_H, n_W, n_C = A.shape
    zero, one = out.dtype.type(0), out.dtype.type(1)
    for k in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    out[k, h, w, c] = dA[k, h, w, c] * (one if A[k, h, w, c] > 0 else zero)
            out[k, h, n_W:] = 0


@_jit
def relu_forward_wide(Z, out):  # pragma: no cover - compiled
    """out (m, n_H, n_W, n_C) = max(Z, 0) from Z (m, n_H, n_Wc, n_C) on the wide grid, as
    NumPy's maximum with zeros: NaN kept, −0 becomes +0."""
    m, n_H, n_W, n_C = out.shape
    zero = out.dtype.type(0)
    for k in range(m):
        for h in range(n_H):
            for w in range(n_W):
                for c in range(n_C):
                    z = Z[k, h, w, c]
                    out[k, h, w, c] = z if (z > zero or z != z) else zero


KERNELS = {
    "gd": gd,
    "momentum": momentum,
    "rmsprop": rmsprop,
    "adam": adam,
    "relu_backward_wide": relu_backward_wide,
    "relu_forward_wide": relu_forward_wide,
}
