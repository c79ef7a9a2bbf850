"""The Layer interface every layer follows.

A layer owns ``params`` and ``grads`` (dicts of arrays with the same keys), plus
``state`` for arrays that are saved but not trained (batch-norm running statistics).
A training forward pass keeps in its cache what backward needs; backward fills
``grads`` and returns dA_prev. A layer never updates its own parameters.
"""

from __future__ import annotations

import numpy as np

from ..errors import ShapeError

Array = np.ndarray


class Layer:
    """Base class. Subclasses implement ``build``, ``forward``, ``backward``, ``config``.

    ``example_axis`` says which axis of the layer's input holds the examples: -1 for the
    dense family ((n[l-1], m) columns), 0 for image layers ((m, n_H, n_W, n_C)).
    """

    kind = "layer"
    example_axis = -1
    #: prefix for parameter names, e.g. W1 / b1 (Dense) or gamma1 / beta1 (BatchNorm)
    has_params = False

    def __init__(self) -> None:
        self.params: dict[str, Array] = {}
        self.grads: dict[str, Array] = {}
        self.state: dict[str, Array] = {}
        self.input_shape: tuple[int, ...] | None = None
        self.output_shape: tuple[int, ...] | None = None
        self.index = 0  # l, set by the network: the course's layer number
        #: whether backward must compute dA_prev (False for the first layer)
        self.need_input_grad = True
        self.dtype = np.dtype("float32")

    def build(
        self, input_shape: tuple[int, ...], rng: np.random.Generator, dtype: np.dtype
    ) -> tuple[int, ...]:
        """Create params for inputs of ``input_shape`` (without the example axis);
        return the output shape (without the example axis)."""
        self.input_shape = tuple(input_shape)
        self.output_shape = tuple(input_shape)
        self.dtype = np.dtype(dtype)
        return self.output_shape

    def forward(self, A_prev: Array, training: bool = False) -> Array:
        raise NotImplementedError

    def backward(self, dA: Array) -> Array:
        raise NotImplementedError

    def config(self) -> dict:
        """Constructor arguments, JSON-serialisable, so the layer can be rebuilt."""
        return {}

    def param_names(self) -> dict[str, str]:
        """Map of this layer's param key (e.g. "W") to its course name (e.g. "W2")."""
        return {k: f"{k}{self.index}" for k in self.params}

    @property
    def n_params(self) -> int:
        return int(sum(p.size for p in self.params.values()))

    def describe(self) -> str:
        """Short text for ``summary()``'s activation column."""
        return ""

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"


def buffer(cache: dict, key: str, shape: tuple[int, ...], dtype: np.dtype) -> Array:
    """A work array of ``shape`` kept in ``cache`` between calls (reallocated on change).

    Reusing buffers across mini-batches avoids allocating on the hot path.
    """
    buf = cache.get(key)
    if buf is None or buf.shape != shape or buf.dtype != dtype:
        buf = cache[key] = np.empty(shape, dtype=dtype)
    return buf


def check_images(layer: Layer, A_prev: Array) -> None:
    """Raise unless A_prev is a batch (m, n_H, n_W, n_C) of the images ``layer`` was built for."""
    name = type(layer).__name__
    if layer.input_shape is None:
        raise RuntimeError(f"{name} is not built: call build(input_shape, rng, dtype)")
    if A_prev.ndim != 4 or A_prev.shape[1:] != layer.input_shape:
        raise ShapeError(
            f"{name} expects A_prev (m, {', '.join(map(str, layer.input_shape))}), "
            f"got {A_prev.shape}"
        )
