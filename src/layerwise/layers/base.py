"""The Layer interface every layer follows.

A layer's life:

1. ``build(input_shape)`` checks the shape of one example, declares each parameter with
   ``self.add_param("W", shape)`` and returns the output shape;
2. the owner (``Sequential``, or ``build_layer`` for a lone layer) allocates every
   declared parameter as a view of one parameter vector (``parameters.ParameterVector``);
3. ``initialize(rng)`` fills those views in place, drawing from ``rng`` in a fixed order.

``params`` and ``grads`` are read-only mappings of the views: write into them
(``params["W"][...] = value``); assigning ``params["W"] = ...`` raises, because a rebound
array would silently stop training. ``state`` holds arrays that are saved but not trained
(batch-norm running statistics). A training forward pass keeps in its cache what backward
needs; backward fills ``grads`` and returns dA_prev. A layer never updates its own
parameters.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping

import numpy as np

from ..errors import ConfigError, ShapeError

Array = np.ndarray
Shape = tuple[int, ...]


class ParamViews(Mapping):
    """A read-only mapping key -> array view; item assignment raises a ConfigError."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._arrays: dict[str, Array] = {}

    def __getitem__(self, key: str) -> Array:
        return self._arrays[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._arrays)

    def __len__(self) -> int:
        return len(self._arrays)

    def __setitem__(self, key: str, value: object) -> None:
        if key in self._arrays and value is self._arrays[key]:
            return  # ``params["W"] *= 2``: updated in place, then "assigned" to itself
        raise ConfigError(
            f"{self._what}[{key!r}] is a view of the model's parameter vector and cannot be "
            f"rebound; write into it ({self._what}[{key!r}][...] = value) or use "
            "model.set_parameters"
        )

    def __delitem__(self, key: str) -> None:
        self.__setitem__(key, None)

    def __repr__(self) -> str:
        shapes = ", ".join(f"{k!r}: {v.shape}" for k, v in self._arrays.items())
        return f"{{{shapes}}}"


class Layer:
    """Base class. Subclasses implement ``build``, ``forward``, ``backward`` and, when
    they have parameters or constructor arguments, ``initialize`` and ``config``.

    ``example_axis`` says which axis of the layer's input holds the examples: -1 for the
    dense family ((n[l-1], m) columns), 0 for image layers ((m, n_H, n_W, n_C)).
    ``numbered``: whether the layer takes a new course layer number l for its parameter
    names (W1, b1, ...); None means "when it declares parameters" (a BatchNorm shares the
    number of the layer before it). ``regularized``: the parameter keys L2 acts on.
    """

    example_axis = -1
    numbered: bool | None = None
    regularized: tuple[str, ...] = ("W",)

    def __init__(self) -> None:
        self._params = ParamViews("params")
        self._grads = ParamViews("grads")
        self._declared: dict[str, Shape] = {}
        self.state: dict[str, Array] = {}
        self.input_shape: Shape | None = None
        self.output_shape: Shape | None = None
        self.index = 0  # l, set by the network: the course's layer number
        #: False freezes the layer's parameters: fit, the optimiser and gradcheck skip them
        self.trainable = True
        #: whether backward must compute dA_prev (False for the first layer)
        self.need_input_grad = True
        self.dtype = np.dtype("float32")

    # ------------------------------------------------------------------ parameters
    @property
    def params(self) -> ParamViews:
        """{"W": view, "b": view, ...}: the live parameters (write in place)."""
        return self._params

    @params.setter
    def params(self, value: object) -> None:
        raise ConfigError("layer.params cannot be rebound; write into its arrays in place")

    @property
    def grads(self) -> ParamViews:
        """{"W": view, ...}: dJ/dW etc. from the last backward pass."""
        return self._grads

    @grads.setter
    def grads(self, value: object) -> None:
        raise ConfigError("layer.grads cannot be rebound; write into its arrays in place")

    def add_param(self, key: str, shape: Shape) -> None:
        """Declare parameter ``key`` of ``shape``; call from ``build``."""
        self._declared[key] = tuple(int(d) for d in shape)

    def declared_params(self) -> dict[str, Shape]:
        """{key: shape} of the parameters ``build`` declared, in declaration order."""
        return dict(self._declared)

    def bind(self, params: dict[str, Array], grads: dict[str, Array]) -> None:
        """Attach the views of the declared parameters and their gradients (the owner of
        the parameter vector calls this between ``build`` and ``initialize``)."""
        if set(params) != set(self._declared) or set(grads) != set(self._declared):
            raise ConfigError(f"{type(self).__name__}: views do not match its parameters")
        self._params._arrays = dict(params)
        self._grads._arrays = dict(grads)

    @property
    def output_axis(self) -> int:
        """The axis of the layer's output that holds the examples (its input's, except
        for layers that change layout, such as Flatten)."""
        return self.example_axis

    @property
    def is_numbered(self) -> bool:
        return bool(self._declared) if self.numbered is None else self.numbered

    # ------------------------------------------------------------------ life cycle
    def setup(self, input_shape: Shape, dtype: np.dtype) -> Shape:
        """Record the input shape and dtype, run ``build``; return the output shape."""
        self.input_shape = tuple(int(d) for d in input_shape)
        self.dtype = np.dtype(dtype)
        self._declared = {}
        self.output_shape = tuple(int(d) for d in self.build(self.input_shape))
        return self.output_shape

    def build(self, input_shape: Shape) -> Shape:
        """Check ``input_shape`` (one example), declare parameters with ``add_param``;
        return the output shape (one example). The default: no parameters, same shape."""
        return input_shape

    def initialize(self, rng: np.random.Generator) -> None:
        """Fill the declared parameters in place (draws from ``rng`` in a fixed order)."""

    def forward(self, A_prev: Array, training: bool = False) -> Array:
        raise NotImplementedError

    def backward(self, dA: Array) -> Array | None:
        raise NotImplementedError

    # ------------------------------------------------------------------ description
    def config(self) -> dict:
        """Constructor arguments, JSON-serialisable, so the layer can be rebuilt."""
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Layer:
        """The layer ``config()`` describes."""
        return cls(**config)

    def state_dict(self) -> dict[str, object]:
        """Copies of what the layer's behaviour depends on besides its parameters:
        ``state`` arrays (and, in subclasses, e.g. a random generator's state)."""
        return {k: v.copy() for k, v in self.state.items()}

    def load_state_dict(self, state: Mapping[str, object]) -> None:
        """Restore the entries of ``state`` (a part of what ``state_dict`` returned;
        arrays are cast to the layer's dtype). Unknown keys or shapes raise ShapeError."""
        for key, value in state.items():
            target = self.state.get(key)
            if target is None:
                raise ShapeError(f"{type(self).__name__} has no state {key!r}")
            value = np.asarray(value)
            if value.shape != target.shape:
                raise ShapeError(
                    f"{type(self).__name__} state {key!r} has shape {value.shape}, "
                    f"expected {target.shape}"
                )
            target[...] = value

    def param_names(self) -> dict[str, str]:
        """Map of this layer's param key (e.g. "W") to its course name (e.g. "W2")."""
        return {k: f"{k}{self.index}" for k in self._declared}

    @property
    def n_params(self) -> int:
        return sum(math.prod(s) for s in self._declared.values())

    def describe(self) -> str:
        """Short text for ``summary()``'s activation column."""
        return ""

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args})"


def buffer(cache: dict, key: str, shape: Shape, dtype: np.dtype) -> Array:
    """A work array of ``shape`` kept in ``cache`` between calls (reallocated on change).

    Reusing buffers across mini-batches avoids allocating on the hot path.
    """
    buf = cache.get(key)
    if buf is None or buf.shape != shape or buf.dtype != dtype:
        buf = cache[key] = np.empty(shape, dtype=dtype)
    return buf


def keep(cache: dict, Z: Array, training: bool) -> Array:
    """A copy of Z (an output layer's logits): into a buffer kept in ``cache`` in training
    (overwritten by the next training pass), a fresh array at inference."""
    if not training:
        return Z.copy()
    out = buffer(cache, "logits", Z.shape, Z.dtype)
    np.copyto(out, Z)
    return out


def check_images(layer: Layer, A_prev: Array) -> None:
    """Raise unless A_prev is a batch (m, n_H, n_W, n_C) of the images ``layer`` was built for."""
    name = type(layer).__name__
    if layer.input_shape is None:
        raise RuntimeError(f"{name} is not built: call build_layer or put it in a Sequential")
    if A_prev.ndim != 4 or A_prev.shape[1:] != layer.input_shape:
        raise ShapeError(
            f"{name} expects A_prev (m, {', '.join(map(str, layer.input_shape))}), "
            f"got {A_prev.shape}"
        )
