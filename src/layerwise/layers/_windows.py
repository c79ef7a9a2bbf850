"""Sliding f×f windows over images (m, n_H, n_W, n_C), shared by Conv2D and Pool2D.

NumPy is fast on long contiguous runs and slow on short ones (a step of its loop over
n_C = 3 values costs about as much as one over 64), so the copies here move rows of
pixels, or whole pixels, never single channels:

- Conv2D copies each chunk of images channel first and zero padded into a
  ``PaddedChunk``; ``PaddedChunk.im2col`` builds the window matrix (f·f·n_C, positions)
  from it with one strided view and one copy, and ``col2im`` adds window gradients back
  with f·f whole-array adds. At stride 1 the window grid is "wide" (every padded column),
  which makes each copy or add move runs of n_H·Wp values.
- Pool2D gathers its windows into (f, f, m, n_H, n_W, n_C) with one copy (each pixel's
  n_C values moved as one item), so every reduction over a window is a contiguous pass;
  ``scatter_windows`` is the adjoint (one copy when the windows do not overlap, s ≥ f).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

Array = np.ndarray

#: A chunk of images has a window matrix of at most about this many bytes: it bounds the
#: memory of an inference pass over a large set. Chunks are not smaller on purpose: with
#: several BLAS threads on a busy machine every matrix product waits until all its threads
#: are scheduled, and chunks of about 1 MB (in cache, 5-10 % faster on one quiet core)
#: made a step of C2 six times slower there than a few large products.
CHUNK_BYTES = 1 << 26


def out_size(n_prev: int, f: int, s: int, p: int = 0) -> int:
    """n = ⌊(n_prev + 2p − f) / s⌋ + 1."""
    return (n_prev + 2 * p - f) // s + 1


def workspace(cache: dict, key: str, shape: tuple[int, ...], dtype, fill=None) -> Array:
    """A C-contiguous work array of ``shape`` from storage kept in ``cache`` under ``key``.

    The storage only grows (a smaller batch reuses it), so alternating batch sizes do not
    reallocate. ``fill`` fills new storage once (for arrays that are only ever read, such
    as a row of ones); otherwise the contents are whatever the last user left."""
    size = math.prod(shape)
    buf = cache.get(key)
    if buf is None or buf.size < size or buf.dtype != dtype:
        if fill is None:
            buf = np.empty(size, dtype=dtype)
        elif fill == 0:  # calloc'd: pages that are only read are never written to memory
            buf = np.zeros(size, dtype=dtype)
        else:
            buf = np.full(size, fill, dtype=dtype)
        cache[key] = buf
    return buf[:size].reshape(shape)


def prefix(buf: Array, shape: tuple[int, ...]) -> Array:
    """The first prod(shape) entries of the contiguous ``buf`` as a contiguous view."""
    return buf.reshape(-1)[: math.prod(shape)].reshape(shape)


def chunk_images(bytes_per_image: int, m: int | None = None) -> int:
    """Images per chunk: as many as make about CHUNK_BYTES (at least one); given the
    batch size m, the chunks are then evened out (64 images of at most 62 make two chunks
    of 32, not 62 and 2)."""
    nb = max(1, CHUNK_BYTES // max(1, bytes_per_image))
    if m is not None and m > 0:
        nb = -(-m // -(-m // nb))
    return nb


# --------------------------------------------------------------------------- Conv2D
def to_channels_last(Xt: Array, pad: int, out: Array) -> Array:
    """Copy the middle of Xt (C, m, H + 2p, W + 2p) into out (m, H, W, C). A few channels
    are copied one at a time (NumPy's own loop would move n_C values per step)."""
    _, H, W, C = out.shape
    middle = Xt[:, :, pad : pad + H, pad : pad + W]
    if C <= 4:
        for c in range(C):
            out[..., c] = middle[c]
    else:
        out[...] = middle.transpose(1, 2, 3, 0)
    return out


class PaddedChunk:
    """Work arrays for a chunk of ``nb`` images of a convolution: X (C, nb, Hp, Wp), zero
    where the padding is (only the middle is ever written through ``fill``), followed in
    memory by f values of slack, and the strided views of it that ``im2col`` and
    ``col2im`` use (made once: NumPy's as_strided costs more than the copies it serves
    for small chunks).

    At stride 1 the window grid is ``wide``: n_W = Wp columns instead of Wp − f + 1, so a
    row of the grid runs on into the next and every copy or add moves runs of n_H·Wp
    values instead of n_W. The columns w ≥ Wp − f + 1 are not outputs (they straddle two
    rows; their windows read up to f − 1 values past an image, the last ones into the
    slack) and are dropped from the results; their gradients must be zero."""

    def __init__(self, C, nb, Hp, Wp, f, s, dtype) -> None:
        self.f, self.s, self.nb = f, s, nb
        self.n_H, self.n_W = (Hp - f) // s + 1, Wp if s == 1 else (Wp - f) // s + 1
        self.wide = s == 1
        self.flat = np.zeros(C * nb * Hp * Wp + f, dtype=dtype)
        self.X = self.flat[: C * nb * Hp * Wp].reshape(C, nb, Hp, Wp)
        sc, sn, sh, sw = self.X.strides
        shape = (f, f, C, nb, self.n_H, self.n_W)
        self.windows = as_strided(self.X, shape, (sh, sw, sc, sn, sh * s, sw * s), writeable=False)
        # the wide grid's positions of one (c, image): a run from i·Wp + j, and the slack
        self.runs = as_strided(self.X, (C, nb, Hp * Wp + f), (sc, sn, sw)) if self.wide else None

    def fill(self, A: Array, pad: int) -> None:
        """Copy the images A (n, H, W, C), n ≤ nb, into the middle of X, channel first; the
        slot after the last one is zeroed when n < nb (wide windows read into it)."""
        n, H, W, _ = A.shape
        self.X[:, :n, pad : pad + H, pad : pad + W] = A.transpose(3, 0, 1, 2)
        if n < self.nb:
            self.X[:, n] = 0

    def im2col(self, n: int, out: Array) -> Array:
        """The windows of the first n images as columns: out (f·f·C, n·n_H·n_W),
        out[(i, j, c), (k, h, w)] = X[c, k, h·s + i, w·s + j]; rows in the (i, j, c) order
        of W.reshape(f·f·C, n_C). One copy."""
        view = self.windows[:, :, :, :n]
        np.copyto(out.reshape(view.shape), view)
        return out

    def col2im(self, dcols: Array, n: int) -> Array:
        """The adjoint of ``im2col``: X[:, :n] = the sum of dcols (f·f·C, n·n_H·n_W) over
        the windows, one whole-array add per kernel position (f·f of them)."""
        f, s, n_H, n_W = self.f, self.s, self.n_H, self.n_W
        X = self.X[:, :n]
        X.fill(0)
        if self.wide:  # position (i, j): one run per (c, image) from offset i·Wp + j
            Wp = X.shape[3]
            runs, d = self.runs[:, :n], dcols.reshape(f, f, *X.shape[:2], n_H * n_W)
            for i in range(f):
                for j in range(f):
                    runs[:, :, i * Wp + j : i * Wp + j + n_H * Wp] += d[i, j]
            return X
        d = dcols.reshape(f, f, *X.shape[:2], n_H, n_W)
        for i in range(f):
            for j in range(f):
                X[:, :, i : i + (n_H - 1) * s + 1 : s, j : j + (n_W - 1) * s + 1 : s] += d[i, j]
        return X


# --------------------------------------------------------------------------- Pool2D
def windows(A: Array, f: int, s: int, n_H: int, n_W: int) -> Array:
    """Strided view (f, f, m, n_H, n_W, C) of the f×f windows of A (m, H, W, C):
    view[i, j, n, h, w, c] = A[n, h·s + i, w·s + j, c]."""
    sn, sh, sw, sc = A.strides
    m, C = A.shape[0], A.shape[3]
    return as_strided(A, (f, f, m, n_H, n_W, C), (sh, sw, sn, sh * s, sw * s, sc), writeable=False)


def copy_pixels(dst: Array, src: Array) -> None:
    """dst[...] = src for arrays whose last axis is the channels. When that axis is
    contiguous in both, each pixel's n_C values are moved as one opaque item (a void
    dtype): one step of NumPy's copy loop per pixel instead of per value."""
    C, size = dst.shape[-1], dst.itemsize
    if C > 1 and src.dtype == dst.dtype and dst.strides[-1] == size == src.strides[-1]:
        pixel = np.dtype((np.void, C * size))
        dst, src = dst.view(pixel)[..., 0], src.view(pixel)[..., 0]
    np.copyto(dst, src)


def gather_windows(A: Array, f: int, s: int, n_H: int, n_W: int, out: Array) -> Array:
    """``windows`` copied into out (f, f, m, n_H, n_W, C), contiguous: each kernel
    position's values then lie in one block, and reductions over a window are whole-array
    passes."""
    copy_pixels(out, windows(A, f, s, n_H, n_W))
    return out


def scatter_windows(dwin: Array, out: Array, s: int) -> Array:
    """Sum window gradients dwin (f, f, m, n_H, n_W, C) back into out (m, H, W, C), which
    is overwritten: the adjoint of ``windows``. Windows that do not overlap (s ≥ f) are
    copied in one pass; overlapping ones are added, one add per position."""
    f, _, _, n_H, n_W, _ = dwin.shape
    covered = (n_H - 1) * s + f == out.shape[1] and (n_W - 1) * s + f == out.shape[2]
    if s >= f:
        if not (s == f and covered):
            out.fill(0)
        sn, sh, sw, sc = out.strides
        # distinct windows never share a pixel, so this view has no repeated element
        copy_pixels(as_strided(out, dwin.shape, (sh, sw, sn, sh * s, sw * s, sc)), dwin)
        return out
    out.fill(0)
    for i in range(f):
        for j in range(f):
            out[:, i : i + (n_H - 1) * s + 1 : s, j : j + (n_W - 1) * s + 1 : s] += dwin[i, j]
    return out
