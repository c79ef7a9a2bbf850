"""Compiled (numba) kernels for images: stride-1 convolutions without a window matrix,
and pooling.

A product over im2col windows reads and writes the window matrix (f·f·n_C_prev times the
input) about three times (the copy, the BLAS packing, the product); with a few filters
the products then run at a fraction of the machine's rate, bound by memory. These kernels
work from the padded input itself, kept channel first (C, nb, Hp, Wp) in a flat buffer (a
``PaddedChunk``): on the "wide" grid of every padded column, the window position (i, j)
of all the outputs of an image is one contiguous run of the input starting at
i·Wp + j, so

    forward:  Z[k] (an image's output plane, filter k) = b[k] + Σ_{i,j,c} W[i,j,c,k] run(c, i, j)
    dW[i,j,c,k] = Σ over positions of run(c, i, j) · dZ[k]     db[k] = Σ dZ[k]
    dX run(c, i, j) += W[i,j,c,k] · dZ[k]      (only the outputs' columns, w < n_W)

each a loop over one contiguous run that the compiler vectorises. Each kernel works on
the images [lo, hi) of its arrays and releases the GIL: ``kernel_dispatch.run_images``
splits a batch over a few threads of its own (numba's parallel threading layers are
either not fork-safe, OpenMP, or not safe to call from two threads at once, workqueue).
Every output element is summed in one fixed order whatever the split, and dW, db are
returned per image and summed by the caller in image order, so a result does not depend
on the number of threads. The sums are not in the order of the BLAS products of the
NumPy path, so the two agree to rounding, not bit for bit. For three- and five-wide
kernels the taps of a kernel row are written out, two filters per pass over the input
(``_add_taps2``, ``_dot_taps2``): each input value is then loaded once for ten
multiply-adds instead of once per multiply-add.

Pooling (``pool_forward``, ``pool_backward``) visits each window once per image, the
maximum with NumPy's ``maximum`` (a NaN wins) and its gradient to the first position
holding it, as ``layers/pool.py`` does with whole-array passes. Importing this module
raises ImportError when numba is not installed.
"""

from __future__ import annotations

import numba
import numpy as np

#: positions per tile of the output plane (a tile of it and of an input run fit in L1)
TILE = 1024

_jit = numba.njit(cache=True, error_model="numpy", nogil=True, fastmath={"contract"})
#: the weight gradients are dot products: let the compiler reassociate them to vectorise
_SUM_MATH = {"reassoc", "nsz", "contract"}
_jit_sum = numba.njit(cache=True, error_model="numpy", nogil=True, fastmath=_SUM_MATH)


@numba.njit(inline="always", error_model="numpy", nogil=True, fastmath={"contract"})
def _add_taps(z, x, w):  # pragma: no cover - compiled
    """z[p] += Σ_j w[j] x[p + j] over one row of taps (x holds len(z) + f − 1 values).
    Three and five taps are written out, so that each z value is loaded and stored once
    per row of the kernel rather than once per tap."""
    f = w.shape[0]
    if f == 3:
        w0, w1, w2 = w[0], w[1], w[2]
        for p in range(z.shape[0]):
            z[p] += w0 * x[p] + w1 * x[p + 1] + w2 * x[p + 2]
    elif f == 5:
        w0, w1, w2, w3, w4 = w[0], w[1], w[2], w[3], w[4]
        for p in range(z.shape[0]):
            z[p] += w0 * x[p] + w1 * x[p + 1] + w2 * x[p + 2] + w3 * x[p + 3] + w4 * x[p + 4]
    else:
        for j in range(f):
            wv = w[j]
            for p in range(z.shape[0]):
                z[p] += wv * x[p + j]


@numba.njit(inline="always", error_model="numpy", nogil=True, fastmath={"contract"})
def _add_taps2(z, y, x, w, v):  # pragma: no cover - compiled
    """``_add_taps`` for two filters at once (z with taps w, y with taps v) over the same
    input run: each x value is loaded once for both. Each sum is the one ``_add_taps``
    forms."""
    f = w.shape[0]
    if f == 3:
        w0, w1, w2, v0, v1, v2 = w[0], w[1], w[2], v[0], v[1], v[2]
        for p in range(z.shape[0]):
            x0, x1, x2 = x[p], x[p + 1], x[p + 2]
            z[p] += w0 * x0 + w1 * x1 + w2 * x2
            y[p] += v0 * x0 + v1 * x1 + v2 * x2
    elif f == 5:
        w0, w1, w2, w3, w4 = w[0], w[1], w[2], w[3], w[4]
        v0, v1, v2, v3, v4 = v[0], v[1], v[2], v[3], v[4]
        for p in range(z.shape[0]):
            x0, x1, x2, x3, x4 = x[p], x[p + 1], x[p + 2], x[p + 3], x[p + 4]
            z[p] += w0 * x0 + w1 * x1 + w2 * x2 + w3 * x3 + w4 * x4
            y[p] += v0 * x0 + v1 * x1 + v2 * x2 + v3 * x3 + v4 * x4
    else:
        _add_taps(z, x, w)
        _add_taps(y, x, v)


@numba.njit(inline="always", error_model="numpy", nogil=True, fastmath=_SUM_MATH)
def _dot_taps(x, dz, out):  # pragma: no cover - compiled
    """out[j] = Σ_p x[p + j] dz[p] for the taps of one kernel row (x holds len(dz) + f − 1
    values); three and five taps in one pass over dz."""
    f = out.shape[0]
    zero = out.dtype.type(0)
    if f == 3:
        s0 = s1 = s2 = zero
        for p in range(dz.shape[0]):
            d = dz[p]
            s0 += x[p] * d
            s1 += x[p + 1] * d
            s2 += x[p + 2] * d
        out[0], out[1], out[2] = s0, s1, s2
    elif f == 5:
        s0 = s1 = s2 = s3 = s4 = zero
        for p in range(dz.shape[0]):
            d = dz[p]
            s0 += x[p] * d
            s1 += x[p + 1] * d
            s2 += x[p + 2] * d
            s3 += x[p + 3] * d
            s4 += x[p + 4] * d
        out[0], out[1], out[2], out[3], out[4] = s0, s1, s2, s3, s4
    else:
        for j in range(f):
            s = zero
            for p in range(dz.shape[0]):
                s += x[p + j] * dz[p]
            out[j] = s


@numba.njit(inline="always", error_model="numpy", nogil=True, fastmath=_SUM_MATH)
def _dot_taps2(x, dz, dy, out, out2):  # pragma: no cover - compiled
    """``_dot_taps`` for two filters at once (dz into out, dy into out2) over the same
    input run: each x value is loaded once for both."""
    f = out.shape[0]
    zero = out.dtype.type(0)
    if f == 3:
        s0 = s1 = s2 = t0 = t1 = t2 = zero
        for p in range(dz.shape[0]):
            d, e = dz[p], dy[p]
            x0, x1, x2 = x[p], x[p + 1], x[p + 2]
            s0 += x0 * d
            s1 += x1 * d
            s2 += x2 * d
            t0 += x0 * e
            t1 += x1 * e
            t2 += x2 * e
        out[0], out[1], out[2] = s0, s1, s2
        out2[0], out2[1], out2[2] = t0, t1, t2
    elif f == 5:
        s0 = s1 = s2 = s3 = s4 = t0 = t1 = t2 = t3 = t4 = zero
        for p in range(dz.shape[0]):
            d, e = dz[p], dy[p]
            x0, x1, x2, x3, x4 = x[p], x[p + 1], x[p + 2], x[p + 3], x[p + 4]
            s0 += x0 * d
            s1 += x1 * d
            s2 += x2 * d
            s3 += x3 * d
            s4 += x4 * d
            t0 += x0 * e
            t1 += x1 * e
            t2 += x2 * e
            t3 += x3 * e
            t4 += x4 * e
        out[0], out[1], out[2], out[3], out[4] = s0, s1, s2, s3, s4
        out2[0], out2[1], out2[2], out2[3], out2[4] = t0, t1, t2, t3, t4
    else:
        _dot_taps(x, dz, out)
        _dot_taps(x, dy, out2)


@_jit
def forward(lo, hi, xf, nb, Hp, Wp, Wk, b, relu, A):  # pragma: no cover - compiled
    """A (n, n_H, n_W, K) = g(conv(X) + b) for the images [lo, hi) of the padded chunk
    xf (C·nb·Hp·Wp + slack), W (f, f, C, K), b (K,); g = ReLU when ``relu``, else the
    identity (the caller applies another activation). An image's K output planes are
    summed in a scratch (K, n_H·Wp), then written channels last."""
    _, n_H, n_W, K = A.shape
    f, C = Wk.shape[0], Wk.shape[2]
    L = n_H * Wp
    zero = A.dtype.type(0)
    Z = np.empty((K, L), A.dtype)
    for img in range(lo, hi):
        for k in range(K):
            Z[k] = b[k]
        for k in range(0, K, 2):  # two filters per pass over the input
            for p0 in range(0, L, TILE):  # a tile of z and of each run stay in L1
                p1 = min(L, p0 + TILE)
                for i in range(f):
                    for c in range(C):
                        base = (c * nb + img) * Hp * Wp + i * Wp + p0
                        x = xf[base : base + p1 - p0 + f - 1]
                        if k + 1 < K:
                            w, v = Wk[i, :, c, k], Wk[i, :, c, k + 1]
                            _add_taps2(Z[k, p0:p1], Z[k + 1, p0:p1], x, w, v)
                        else:
                            _add_taps(Z[k, p0:p1], x, Wk[i, :, c, k])
        for h in range(n_H):
            for w in range(n_W):
                for k in range(K):
                    v = Z[k, h * Wp + w]
                    if relu and not (v > zero or v != v):
                        v = zero
                    A[img, h, w, k] = v


@_jit_sum
def backward_weights(lo, hi, xf, nb, Hp, Wp, dA, A, relu, f, dZt, dWn, dbn):  # pragma: no cover
    """Images [lo, hi): dZt (K, n, n_H·Wp) = dA · g'(A) on the wide grid (zero in the
    columns w ≥ n_W; g' = ReLU's from A when ``relu``, else dA is dZ already); per image
    i: dWn[i] (f, f, C, K) and dbn[i] (K,)."""
    _, n_H, n_W, K = dA.shape
    C = dWn.shape[3]
    zero, one = dZt.dtype.type(0), dZt.dtype.type(1)
    for t in range(lo * K, hi * K):
        img, k = t // K, t % K
        dz = dZt[k, img]
        total = zero
        for h in range(n_H):
            for w in range(n_W):
                v = dA[img, h, w, k]
                if relu:  # as NumPy's dA · (A > 0): a NaN or inf in dA is not hidden
                    v = v * (one if A[img, h, w, k] > zero else zero)
                dz[h * Wp + w] = v
                total += v
            for w in range(n_W, Wp):
                dz[h * Wp + w] = zero
        dbn[img, k] = total
    L = n_H * Wp
    for img in range(lo, hi):
        for k in range(0, K, 2):  # two filters per pass over the input
            for i in range(f):
                for c in range(C):
                    base = (c * nb + img) * Hp * Wp + i * Wp
                    x = xf[base : base + L + f - 1]
                    if k + 1 < K:
                        dz, dy = dZt[k, img], dZt[k + 1, img]
                        _dot_taps2(x, dz, dy, dWn[img, i, :, c, k], dWn[img, i, :, c, k + 1])
                    else:
                        _dot_taps(x, dZt[k, img], dWn[img, i, :, c, k])


@_jit
def backward_input(lo, hi, dZt, Wk, nb, Hp, Wp, dxf):  # pragma: no cover - compiled
    """dX (C, nb, Hp, Wp) in the flat buffer dxf, images [lo, hi): the adjoint of
    ``forward``'s sum from dZt (K, n, n_H·Wp), padding included (the caller keeps the
    middle). Row i of the kernel adds Σ_j W[i,j,c,k] dZ[k][q − j] at q + i·Wp: the taps of
    ``forward`` reversed. Positions past the plane would only get the zero columns of the
    wide grid, so each (image, channel) is written within its own plane."""
    K, _, L = dZt.shape
    f, C = Wk.shape[0], Wk.shape[2]
    zero = dxf.dtype.type(0)
    for t in range(lo * C, hi * C):
        img, c = t // C, t % C
        plane = (c * nb + img) * Hp * Wp
        for q in range(Hp * Wp):
            dxf[plane + q] = zero
        for i in range(f):
            base = plane + i * Wp
            for k in range(K):
                w, dz = Wk[i, ::-1, c, k], dZt[k, img]
                for q in range(min(f - 1, L)):  # the first positions: fewer taps
                    for j in range(q + 1):
                        dxf[base + q] += w[f - 1 - j] * dz[q - j]
                _add_taps(dxf[base + f - 1 : base + L], dz, w)


@numba.njit(inline="always")
def _maximum(a, b):  # pragma: no cover - compiled
    """NumPy's maximum of two values: a NaN wins."""
    return a if (a >= b or a != a) else b


@_jit
def pool_forward(lo, hi, X, f, s, average, A):  # pragma: no cover - compiled
    """A (m, n_H, n_W, C) = the maximum (or the mean, summed in window order and divided
    by f²) of each f×f window of X (m, H, W, C) at stride s, images [lo, hi)."""
    _, n_H, n_W, C = A.shape
    area = A.dtype.type(f * f)
    for n in range(lo, hi):
        for h in range(n_H):
            for w in range(n_W):
                a, x0 = A[n, h, w], X[n, h * s, w * s]
                for c in range(C):
                    a[c] = x0[c]
                for k in range(1, f * f):
                    x = X[n, h * s + k // f, w * s + k % f]
                    if average:
                        for c in range(C):
                            a[c] += x[c]
                    else:
                        for c in range(C):
                            a[c] = _maximum(a[c], x[c])
                if average:
                    for c in range(C):
                        a[c] /= area


@_jit
def pool_backward(lo, hi, X, A, dA, f, s, average, dX):  # pragma: no cover - compiled
    """dX (m, H, W, C) of the images [lo, hi), overwritten: dA/f² to every position of its
    window (average), or dA to the first position (row-major) whose value equals the
    window's maximum A (the last position when none does, as for a NaN); overlapping
    windows add up."""
    _, n_H, n_W, C = dA.shape
    zero, one = dX.dtype.type(0), dX.dtype.type(1)
    share = dX.dtype.type(1.0 / (f * f))
    left = np.empty(C, dX.dtype)  # what each channel's window still has to hand out
    for n in range(lo, hi):
        dX[n] = zero
        for h in range(n_H):
            for w in range(n_W):
                a, d = A[n, h, w], dA[n, h, w]
                if average:
                    for k in range(f * f):
                        g = dX[n, h * s + k // f, w * s + k % f]
                        for c in range(C):
                            g[c] += d[c] * share
                    continue
                for c in range(C):
                    left[c] = d[c]
                for k in range(f * f - 1):
                    x = X[n, h * s + k // f, w * s + k % f]
                    g = dX[n, h * s + k // f, w * s + k % f]
                    for c in range(C):
                        v = left[c] * (one if x[c] == a[c] else zero)
                        g[c] += v
                        left[c] = left[c] - v
                g = dX[n, h * s + f - 1, w * s + f - 1]
                for c in range(C):
                    g[c] += left[c]
