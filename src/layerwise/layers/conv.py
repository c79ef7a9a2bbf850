"""The 2-D convolution layer (course 4, week 1): Z = W * A_prev + b, A = g(Z).

Images are (m, n_H, n_W, n_C) as in the course. The work is one matrix product over
im2col windows; backward scatters the window gradients back with one strided add per
kernel position (f·f of them), never a loop over pixels.
"""

from __future__ import annotations

from ..activations import ActivationFunction, get_activation
from ..checks import non_negative_int, positive_int
from ..errors import ConfigError, ShapeError
from ..initializers import DEFAULT_FOR_ACTIVATION, get_initializer
from ._windows import out_size, scatter_windows, windows, zero_pad
from .base import Array, Layer, check_images
from .registry import register_layer


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
        self._cols: Array | None = None
        self._A: Array | None = None
        self._pad_shape: tuple[int, ...] | None = None

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

    def forward(self, A_prev: Array, training: bool = False) -> Array:
        """A_prev (m, n_H_prev, n_W_prev, n_C_prev) -> A (m, n_H, n_W, n_C)."""
        check_images(self, A_prev)
        m = A_prev.shape[0]
        f, s = self.kernel_size, self.stride
        n_H, n_W, n_C = self.output_shape
        A_pad = zero_pad(A_prev, self.pad)
        # im2col: one row per output position, columns in (h, w, c) order like W
        win = windows(A_pad, f, s, n_H, n_W).transpose(0, 1, 2, 4, 5, 3)
        cols = win.reshape(m * n_H * n_W, f * f * A_prev.shape[3])
        Z = cols @ self.params["W"].reshape(-1, n_C)
        Z += self.params["b"].reshape(1, n_C)
        A = self.activation.forward(Z, out=Z).reshape(m, n_H, n_W, n_C)
        if training:
            self._cols, self._A, self._pad_shape = cols, A, A_pad.shape
        return A

    def backward(self, dA: Array) -> Array | None:
        """dA (m, n_H, n_W, n_C) -> dA_prev (m, n_H_prev, n_W_prev, n_C_prev);
        fills dW = Σ dZ · window and db = Σ dZ over m, h, w. dA may be overwritten."""
        if self._A is None:
            raise RuntimeError("backward called before a training forward pass")
        n_C = self.filters
        dZ = self.activation.backward(dA, self._A).reshape(-1, n_C)
        self.grads["W"][...] = (self._cols.T @ dZ).reshape(self.grads["W"].shape)
        self.grads["b"][...] = dZ.sum(axis=0).reshape(1, 1, 1, n_C)
        if not self.need_input_grad:
            return None
        m, n_H, n_W, _ = self._A.shape
        f, p = self.kernel_size, self.pad
        dcols = (dZ @ self.params["W"].reshape(-1, n_C).T).reshape(m, n_H, n_W, f, f, -1)
        dA_pad = scatter_windows(dcols, self._pad_shape, self.stride)
        if p == 0:
            return dA_pad
        return dA_pad[:, p:-p, p:-p, :]

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
