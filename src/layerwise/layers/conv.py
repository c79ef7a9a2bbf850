"""The 2-D convolution layer (course 4, week 1): Z = W * A_prev + b, A = g(Z).

Images are (m, n_H, n_W, n_C) as in the course. At stride 1, with numba (a core
dependency), on layers whose shape favours them (``Conv2D._direct``), the compiled
kernels of ``_image_kernels`` run the convolution directly on the padded images, a chunk
at a time, split over a few threads. Otherwise (a stride of 2 or more, small images or
many weights, or ``LAYERWISE_ACCEL=0``) the work is matrix products over im2col windows, a
chunk of images at a time (see ``_windows``): Z = colsᵀ·[W; b] with a row of ones in
cols for the bias, dW and db = cols·dZ, and for dA_prev the window gradients W·dZᵀ added
back with one whole-array add per kernel position (f·f of them), never a loop over
pixels. A 1×1 convolution without padding (f = 1, p = 0) needs no windows: its products
run on the pixels themselves. The two paths agree to rounding (both are tested against a
four-loop convolution); a model uses one of them throughout.
"""

from __future__ import annotations

import time

import numpy as np

from .. import kernel_dispatch
from ..activations import ActivationFunction, get_activation
from ..checks import non_negative_int, positive_int
from ..errors import ConfigError, ShapeError
from ..initializers import DEFAULT_FOR_ACTIVATION, get_initializer
from ._windows import PaddedChunk, chunk_images, out_size, prefix, to_channels_last, workspace
from .base import Array, Layer, check_images
from .registry import register_layer

#: When Conv2D runs the compiled direct kernels (see ``Conv2D._direct``), measured on 2
#: cores against the window products, forward and backward: 64x64 images 3 -> 16
#: filters 5x5 took 0.54x the time, 32x32 16 -> 32 3x3 0.85-0.90x; 16x16 16 -> 32 2.2x,
#: 4x4 32 -> 64 5.9x, 32x32 64 -> 128 1.3x.
DIRECT_MIN_RUN = 512
DIRECT_MAX_WEIGHTS = 8192


@register_layer
class Conv2D(Layer):
    """g(conv(A_prev, W) + b). W: (f, f, n_C_prev, n_C), b: (1, 1, 1, n_C);
    A_prev: (m, n_H_prev, n_W_prev, n_C_prev) -> A: (m, n_H, n_W, n_C) with
    n_H = ⌊(n_H_prev + 2p − f) / s⌋ + 1 (likewise n_W).

    ``padding``: "valid" (p = 0), "same" (p = (f − 1)/2, odd f; keeps n_H at stride 1) or
    an int p of zeros. ``init`` as for Dense, with fan-in f·f·n_C_prev (He for relu by
    default, Xavier otherwise). As in Dense, the 1/m is already in dA.
    """

    numbered = True
    example_axis = 0

    def __init__(
        self,
        filters: int,
        kernel_size: int,
        stride: int = 1,
        padding: str | int = "valid",
        activation: str | dict | ActivationFunction = "relu",
        init: str | None = None,
    ) -> None:
        super().__init__()
        self.filters = positive_int(filters, "Conv2D filters")
        self.kernel_size = positive_int(kernel_size, "Conv2D kernel_size")
        self.stride = positive_int(stride, "Conv2D stride")
        if isinstance(padding, str):
            if padding not in ("valid", "same"):
                raise ConfigError(
                    f"Conv2D padding must be 'valid', 'same' or an int, got {padding!r}"
                )
            if padding == "same" and self.kernel_size % 2 == 0:
                raise ConfigError(
                    f"Conv2D padding='same' needs an odd kernel_size, got {self.kernel_size}"
                )
        else:
            padding = non_negative_int(padding, "Conv2D padding ('valid', 'same' or an int)")
        self.padding = padding
        self.activation = get_activation(activation)
        if self.activation.name == "softmax":
            raise ConfigError("Conv2D does not take a softmax activation; use it on a Dense layer")
        self.init = init or DEFAULT_FOR_ACTIVATION[self.activation.name]
        self._initializer = get_initializer(self.init)
        self._buf: dict[str, Array] = {}  # work arrays kept between batches
        self._chunks: dict[str, PaddedChunk] = {}  # padded chunks of images, forward/backward
        self._A: Array | None = None
        self._X: Array | None = None  # the input rows of a pointwise (f = 1) convolution
        self._direct_pass = False  # whether the last training forward ran the direct kernels

    @property
    def pad(self) -> int:
        """p, the zeros added on each side of height and width."""
        if self.padding == "valid":
            return 0
        if self.padding == "same":
            return (self.kernel_size - 1) // 2
        return self.padding

    def build(self, input_shape):
        if len(input_shape) != 3:
            raise ShapeError(
                "Conv2D expects images (m, n_H_prev, n_W_prev, n_C_prev), got examples of "
                f"shape {tuple(input_shape)}"
            )
        n_H_prev, n_W_prev, n_C_prev = input_shape
        f, s, p = self.kernel_size, self.stride, self.pad
        if f > n_H_prev + 2 * p or f > n_W_prev + 2 * p:
            raise ShapeError(
                f"Conv2D kernel f = {f} is bigger than the padded input "
                f"({n_H_prev + 2 * p}, {n_W_prev + 2 * p}) (n_H_prev + 2p, n_W_prev + 2p)"
            )
        self.add_param("W", (f, f, n_C_prev, self.filters))
        self.add_param("b", (1, 1, 1, self.filters))
        return (out_size(n_H_prev, f, s, p), out_size(n_W_prev, f, s, p), self.filters)

    def initialize(self, rng):
        """W from the initialiser with fan-in f·f·n_C_prev; b = 0."""
        f, n_C_prev = self.kernel_size, self.input_shape[2]
        W = self._initializer(self.filters, f * f * n_C_prev, rng)
        self.params["W"][...] = W.T.reshape(f, f, n_C_prev, self.filters)
        self.params["b"][...] = 0

    @property
    def _pointwise(self) -> bool:
        """f = 1 without padding: each output pixel sees one input pixel, no windows."""
        return self.kernel_size == 1 and self.pad == 0

    def forward(self, A_prev: Array, training: bool = False) -> Array:
        """A_prev (m, n_H_prev, n_W_prev, n_C_prev) -> A (m, n_H, n_W, n_C).

        Z = colsᵀ·[W; b], chunk by chunk of images (one chunk for a usual batch): the
        window matrix cols of a chunk has a row of ones appended, so the bias is in the
        product. In training the window matrices are kept for backward and A is a work
        array overwritten by the next training pass; at inference A is a new array."""
        check_images(self, A_prev)
        m = A_prev.shape[0]
        n_H, n_W, n_C = self.output_shape
        shape = (m * n_H * n_W, n_C)
        A = (
            workspace(self._buf, "A", shape, self.dtype)
            if training
            else np.empty(shape, self.dtype)
        )
        if self._pointwise:
            X = self._pointwise_input(A_prev)
            np.matmul(X, self.params["W"].reshape(-1, n_C), out=A)
            A += self.params["b"].reshape(n_C)
            self.activation.forward(A, out=A)
            if training:
                self._X = X
        elif self._direct() is not None:
            self._forward_direct(A_prev, A.reshape(m, n_H, n_W, n_C), training)
        else:
            self._forward_windows(A_prev, A, training)
        A = A.reshape(m, n_H, n_W, n_C)
        if training:
            self._A = A
            self._direct_pass = not self._pointwise and self._direct() is not None
        return A

    def _pointwise_input(self, A_prev: Array) -> Array:
        """A_prev at the output's pixels (every s-th row and column) as rows (m·n_H·n_W,
        n_C_prev): a view when s = 1."""
        s = self.stride
        X = A_prev if s == 1 else A_prev[:, ::s, ::s, :]
        return X.reshape(-1, X.shape[3])

    def _direct(self):
        """The compiled direct-convolution kernels when they apply and are the faster way,
        else None: then the window products run. They apply at stride 1 with numba
        present (and not turned off); they are faster when an output plane on the wide
        grid is long (n_H·Wp ≥ ``DIRECT_MIN_RUN``: their loops run over it) and the layer
        has few weights (f·f·n_C_prev·n_C ≤ ``DIRECT_MAX_WEIGHTS``: with many, BLAS
        products over the window matrix run near the machine's peak). A rule on the
        layer's shape, so a model always takes the same path."""
        if self.stride != 1:
            return None
        (H, W, C), f, p = self.input_shape, self.kernel_size, self.pad
        run = (H + 2 * p - f + 1) * (W + 2 * p)
        if run < DIRECT_MIN_RUN or f * f * C * self.filters > DIRECT_MAX_WEIGHTS:
            return None
        return kernel_dispatch.image_kernels()

    def _chunks_of(self, m: int):
        """(chunk index, first image, images) of a batch of m, chunks of ``_geometry``'s size."""
        nb = self._geometry(m)[0]
        return [(c, n0, min(m, n0 + nb) - n0) for c, n0 in enumerate(range(0, m, nb))], nb

    def _forward_direct(self, A_prev: Array, A: Array, training: bool) -> None:
        """A (m, n_H, n_W, n_C) = g(conv(A_prev) + b) by the compiled kernels, a chunk of
        images at a time; in training each chunk's padded images are kept for backward."""
        ck, n_C = self._direct(), self.filters
        chunks, nb = self._chunks_of(A_prev.shape[0])
        relu = self.activation.name == "relu"
        for c, n0, n in chunks:
            P = self._chunk_arrays(f"X{c}" if training else "X", nb)
            P.fill(A_prev[n0 : n0 + n], self.pad)
            out = A[n0 : n0 + n]
            Hp, Wp = P.X.shape[2:]
            b = self.params["b"].reshape(n_C)
            run = kernel_dispatch.run_images
            run(ck.forward, n, P.flat, P.nb, Hp, Wp, self.params["W"], b, relu, out)
            if not relu:
                self.activation.forward(out, out=out)

    def _backward_direct(self, dA: Array) -> Array | None:
        """dW, db (and dA_prev) by the compiled kernels from the padded chunks kept by
        forward; dW and db are summed over the images in order (the kernels return them
        per image), so the result does not depend on the number of threads."""
        ck, dt = self._direct(), self.dtype
        m, n_H, n_W, n_C = self._A.shape
        f, n_C_prev = self.kernel_size, self.input_shape[2]
        relu = self.activation.name == "relu"
        dA = np.ascontiguousarray(dA, dtype=dt)
        if not relu:  # dZ = dA g'(Z), then the kernels take it as it is
            dA = self.activation.backward(dA, self._A, out=dA if dA.flags.writeable else None)
        chunks, nb = self._chunks_of(m)
        run = kernel_dispatch.run_images
        dWn = workspace(self._buf, "dWn", (m, f, f, n_C_prev, n_C), dt)
        dbn = workspace(self._buf, "dbn", (m, n_C), dt)
        if self.need_input_grad:
            dA_prev = workspace(self._buf, "dA_prev", (m, *self.input_shape), dt)
        for c, n0, n in chunks:
            P = self._chunks[f"X{c}"]
            Hp, Wp = P.X.shape[2:]
            dZt = workspace(self._buf, "dZt", (n_C, n, n_H * Wp), dt)
            part = slice(n0, n0 + n)
            args = (P.flat, P.nb, Hp, Wp, dA[part], self._A[part], relu, f, dZt)
            run(ck.backward_weights, n, *args, dWn[part], dbn[part])
            if self.need_input_grad:
                dP = self._chunk_arrays("dX", nb)
                run(ck.backward_input, n, dZt, self.params["W"], dP.nb, Hp, Wp, dP.flat)
                to_channels_last(dP.X[:, :n], self.pad, dA_prev[part])
        np.add.reduce(dWn, axis=0, out=self.grads["W"])
        np.add.reduce(dbn, axis=0, out=self.grads["b"].reshape(n_C))
        return dA_prev if self.need_input_grad else None

    def _forward_windows(self, A_prev: Array, A: Array, training: bool) -> None:
        m = A_prev.shape[0]
        n_H, n_W, n_C = self.output_shape
        nb, n_Wc, K1 = self._geometry(m)
        P, dt, HWc = self._chunk_arrays("X", nb), self.dtype, n_H * n_Wc
        Wb = self._weights_with_bias()
        if training:
            store = workspace(self._buf, "cols", (-(-m // nb), K1, nb * HWc), dt)
        else:
            slot = workspace(self._buf, "cols1", (K1, nb * HWc), dt)
        Zc = workspace(self._buf, "Z", (nb, n_H, n_Wc, n_C), dt)
        zeros = workspace(self._buf, "zeros", (nb, n_H, n_W, n_C), dt, fill=0)
        A = A.reshape(m, n_H, n_W, n_C)
        for c, n0 in enumerate(range(0, m, nb)):
            n = min(m, n0 + nb) - n0
            cols = prefix(store[c] if training else slot, (K1, n * HWc))
            P.fill(A_prev[n0 : n0 + n], self.pad)
            P.im2col(n, cols[:-1])
            cols[-1] = 1
            Z = Zc[:n]
            np.matmul(cols.T, Wb, out=Z.reshape(-1, n_C))
            self._activate(Z, A[n0 : n0 + n], zeros[:n])

    def _chunk_arrays(self, key: str, nb: int) -> PaddedChunk:
        """The layer's PaddedChunk ``key`` ("X" forward, "dX" backward) for chunks of up
        to nb images, made when first needed (again for a larger nb or another dtype)."""
        P = self._chunks.get(key)
        if P is None or P.nb < nb or P.X.dtype != self.dtype:
            H, W, C = self.input_shape
            f, s, p = self.kernel_size, self.stride, self.pad
            P = self._chunks[key] = PaddedChunk(C, nb, H + 2 * p, W + 2 * p, f, s, self.dtype)
        return P

    def _geometry(self, m: int) -> tuple[int, int, int]:
        """For a batch of m: images per chunk (chunks of about CHUNK_BYTES of windows,
        evened out), columns of the window grid n_Wc (Wp at stride 1: wide windows, see
        PaddedChunk; else n_W) and the window matrix's rows f·f·n_C_prev + 1 (the ones)."""
        H, W, C = self.input_shape
        f, s, n_H = self.kernel_size, self.stride, self.output_shape[0]
        n_Wc = W + 2 * self.pad if s == 1 else self.output_shape[1]
        K1 = f * f * C + 1
        return chunk_images(K1 * n_H * n_Wc * self.dtype.itemsize, m), n_Wc, K1

    def _weights_with_bias(self) -> Array:
        """[W; b] as one (f·f·n_C_prev + 1, n_C) matrix."""
        n_C = self.filters
        return np.concatenate([self.params["W"].reshape(-1, n_C), self.params["b"].reshape(1, n_C)])

    def _relu_kernel(self, name: str, *arrays: Array):
        """The compiled ReLU pass ``name`` of ``kernel_dispatch`` for these arrays, or None
        (another activation, mixed dtypes, or not loaded yet)."""
        if self.activation.name != "relu" or any(a.dtype != self.dtype for a in arrays):
            return None
        return kernel_dispatch.compiled(name)

    def _activate(self, Z: Array, out: Array, zeros: Array) -> Array:
        """out (n, n_H, n_W, n_C) = g(Z) from Z (n, n_H, n_Wc, n_C) on the window grid.
        ReLU is one compiled pass when loaded; in NumPy it takes the maximum with
        ``zeros``, an array of them as big as out: NumPy's vector loop for two arrays is
        several times faster than the one for an array and a scalar."""
        fused = self._relu_kernel("relu_forward_wide", Z, out)
        if fused is not None:
            fused(Z, out)
            return out
        Z = Z[:, :, : out.shape[2]]
        if self.activation.name == "relu":
            t0 = time.perf_counter()
            np.maximum(Z, zeros, out=out)
            kernel_dispatch.charge(time.perf_counter() - t0)
            return out
        return self.activation.forward(Z, out=out)

    def backward(self, dA: Array) -> Array | None:
        """dA (m, n_H, n_W, n_C) -> dA_prev (m, n_H_prev, n_W_prev, n_C_prev);
        fills dW = Σ dZ · window and db = Σ dZ over m, h, w. dA may be overwritten;
        dA_prev is a work array overwritten by the next backward pass."""
        if self._A is None:
            raise RuntimeError("backward called before a training forward pass")
        if self._direct_pass:
            return self._backward_direct(dA)
        m, n_H, n_W, n_C = self._A.shape
        n_Wc = n_W if self._pointwise else self._geometry(m)[1]
        if n_Wc == n_W:
            out = dA if dA.flags.writeable and dA.dtype == self.dtype else None
            dZ = self.activation.backward(dA, self._A, out=out).reshape(-1, n_C)
        else:  # wide windows: dZ on the (n_H, Wp) grid, zero where there is no output
            dZ = self._wide_dZ(dA, n_Wc).reshape(-1, n_C)
        if self._pointwise:
            return self._backward_pointwise(dZ)
        return self._backward_windows(dZ)

    def _wide_dZ(self, dA: Array, n_Wc: int) -> Array:
        """dZ (m, n_H, n_Wc, n_C) on the wide window grid from dA (m, n_H, n_W, n_C):
        g'(Z)·dA where there is an output, 0 in the columns w ≥ n_W."""
        m, n_H, n_W, n_C = self._A.shape
        dZw = workspace(self._buf, "dZ", (m, n_H, n_Wc, n_C), self.dtype)
        fused = self._relu_kernel("relu_backward_wide", dA)
        if fused is not None:
            fused(dA, self._A, dZw)
            return dZw
        t0 = time.perf_counter()
        dZw[:, :, n_W:] = 0
        self.activation.backward(dA, self._A, out=dZw[:, :, :n_W])
        kernel_dispatch.charge(time.perf_counter() - t0)
        return dZw

    def _store_grads(self, dWb: Array) -> None:
        n_C = self.filters
        self.grads["W"][...] = dWb[:-1].reshape(self.grads["W"].shape)
        self.grads["b"][...] = dWb[-1].reshape(1, 1, 1, n_C)

    def _backward_pointwise(self, dZ: Array) -> Array | None:
        n_C, X = self.filters, self._X
        dWb = np.empty((X.shape[1] + 1, n_C), self.dtype)
        np.matmul(X.T, dZ, out=dWb[:-1])
        np.matmul(workspace(self._buf, "ones", (dZ.shape[0],), self.dtype, fill=1), dZ, out=dWb[-1])
        self._store_grads(dWb)
        if not self.need_input_grad:
            return None
        m, n_H, n_W, _ = self._A.shape
        dX = (dZ @ self.params["W"].reshape(-1, n_C).T).reshape(m, n_H, n_W, -1)
        if self.stride == 1:
            return dX
        dA_prev = np.zeros((m, *self.input_shape), self.dtype)
        dA_prev[:, :: self.stride, :: self.stride, :] = dX
        return dA_prev

    def _backward_windows(self, dZ: Array) -> Array | None:
        """dZ (m·n_H·n_Wc, n_C) on the window grid -> dW, db and dA_prev."""
        m, n_H, _, n_C = self._A.shape
        (nb, n_Wc, K1), dt = self._geometry(m), self.dtype
        HWc = n_H * n_Wc
        store = workspace(self._buf, "cols", (-(-m // nb), K1, nb * HWc), dt)
        dWb, part = np.zeros((K1, n_C), dt), np.empty((K1, n_C), dt)
        if self.need_input_grad:
            Wm = self.params["W"].reshape(K1 - 1, n_C)
            dP = self._chunk_arrays("dX", nb)
            dcols = workspace(self._buf, "dcols", (K1 - 1, nb * HWc), dt)
            dA_prev = workspace(self._buf, "dA_prev", (m, *self.input_shape), dt)
        for c, n0 in enumerate(range(0, m, nb)):
            n = min(m, n0 + nb) - n0
            dz = dZ[n0 * HWc : (n0 + n) * HWc]
            dWb += np.matmul(prefix(store[c], (K1, n * HWc)), dz, out=part)
            if self.need_input_grad:
                d = np.matmul(Wm, dz.T, out=prefix(dcols, (K1 - 1, n * HWc)))
                to_channels_last(dP.col2im(d, n), self.pad, dA_prev[n0 : n0 + n])
        self._store_grads(dWb)
        return dA_prev if self.need_input_grad else None

    def config(self) -> dict:
        return {
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "stride": self.stride,
            "padding": self.padding,
            "activation": self.activation.config(),
            "init": self.init,
        }

    def describe(self) -> str:
        return self.activation.name
