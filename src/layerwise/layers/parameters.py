"""The one parameter vector: every parameter of a model in one contiguous array.

┌────────────────────────────────────────────────────────────────────────────────────┐
│ theta (P,) holds every parameter, dtheta (P,) every gradient, in layer order.      │
│ Each layer's params["W"], grads["W"], ... are views of a slice of them, created    │
│ before initialisation and never rebound (assignment raises); code writes in place. │
│ ``ParameterVector`` alone knows the offsets; the optimiser sees ("theta", theta,    │
│ dtheta) and updates all parameters in a few whole-vector passes.                   │
└────────────────────────────────────────────────────────────────────────────────────┘
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..errors import ConfigError, ShapeError
from .base import Array, Layer, Shape


class ParameterVector:
    """theta and dtheta for ``layers`` (already ``setup`` and numbered), bound as views.

    ``names``: the course names (W1, b1, gamma2, ...) in vector order; ``self[name]`` is
    the parameter view and ``grad(name)`` its gradient view.
    """

    def __init__(self, layers: Sequence[Layer], dtype: np.dtype) -> None:
        entries: list[tuple[Layer, str, str, Shape]] = []
        for layer in layers:
            names = layer.param_names()
            for key, shape in layer.declared_params().items():
                entries.append((layer, key, names[key], shape))
        seen: set[str] = set()
        for _, _, name, _ in entries:
            if name in seen:
                raise ConfigError(
                    f"two parameters are named {name}; give the layer that repeats it "
                    "numbered = True or other parameter keys"
                )
            seen.add(name)
        sizes = [int(np.prod(shape)) for *_, shape in entries]
        self.theta = np.zeros(sum(sizes), dtype=dtype)
        self.dtheta = np.zeros(sum(sizes), dtype=dtype)
        self._views: dict[str, tuple[Array, Array]] = {}
        #: (layer, start, end) of each parameter, in vector order
        self._spans: list[tuple[Layer, int, int]] = []
        offset = 0
        per_layer: dict[int, tuple[dict, dict]] = {id(layer): ({}, {}) for layer in layers}
        for (layer, key, name, shape), size in zip(entries, sizes):
            p = self.theta[offset : offset + size].reshape(shape)
            g = self.dtheta[offset : offset + size].reshape(shape)
            self._views[name] = (p, g)
            per_layer[id(layer)][0][key] = p
            per_layer[id(layer)][1][key] = g
            self._spans.append((layer, offset, offset + size))
            offset += size
        for layer in layers:
            layer.bind(*per_layer[id(layer)])

    @property
    def names(self) -> list[str]:
        return list(self._views)

    def __getitem__(self, name: str) -> Array:
        return self._views[name][0]

    def grad(self, name: str) -> Array:
        return self._views[name][1]

    def __len__(self) -> int:
        return int(self.theta.size)

    def as_triple(self) -> list[tuple[str, Array, Array]]:
        """[("theta", theta, dtheta)]: the one triple an optimiser's ``step`` takes."""
        return [("theta", self.theta, self.dtheta)]

    def trainable_runs(self) -> list[tuple[int, int]]:
        """[start, end) of each maximal run of parameters whose layer is trainable."""
        runs: list[list[int]] = []
        for layer, start, end in self._spans:
            if not layer.trainable:
                continue
            if runs and runs[-1][1] == start:
                runs[-1][1] = end
            else:
                runs.append([start, end])
        return [(a, b) for a, b in runs]

    def trainable_triples(self) -> list[tuple[str, Array, Array]]:
        """The triples an optimiser steps: ("theta", theta, dtheta) when every layer is
        trainable, else one ("theta[a:b]", view, view) per run of trainable parameters
        (frozen layers are never touched, whatever the optimiser's momentum)."""
        runs = self.trainable_runs()
        if runs == [(0, len(self))]:
            return self.as_triple()
        return [(f"theta[{a}:{b}]", self.theta[a:b], self.dtheta[a:b]) for a, b in runs]

    def trainable_indices(self) -> Array:
        """Indices into theta of the trainable parameters."""
        runs = self.trainable_runs()
        if not runs:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate([np.arange(a, b) for a, b in runs])

    def assign(self, values: Mapping[str, object]) -> None:
        """Copy ``values`` (course name -> array of the same shape) into the parameters;
        every name and shape is checked before anything is written."""
        if not isinstance(values, Mapping):
            raise ConfigError(
                f"parameters are a dict {{course name: array}}, got {type(values).__name__}"
            )
        unknown = sorted(set(values) - set(self._views))
        if unknown:
            raise ShapeError(
                f"unknown parameter names {', '.join(unknown)}; this model has "
                f"{', '.join(self._views) or 'no parameters'}"
            )
        arrays = {}
        for name, value in values.items():
            value = np.asarray(value)
            own = self[name]
            if value.shape != own.shape:
                raise ShapeError(
                    f"{name} has shape {value.shape} but this model's {name} is {own.shape}"
                )
            if not (np.issubdtype(value.dtype, np.number) or value.dtype == bool) or (
                np.iscomplexobj(value)
            ):
                raise ShapeError(f"{name} must be real numbers, got dtype {value.dtype}")
            with np.errstate(over="ignore", invalid="ignore"):
                if not np.all(np.isfinite(value.astype(self.theta.dtype))):
                    raise ShapeError(f"{name} holds NaN or inf (in {self.theta.dtype})")
            arrays[name] = value
        for name, value in arrays.items():
            self[name][...] = value


def build_layer(
    layer: Layer,
    input_shape: Shape,
    rng: np.random.Generator,
    dtype: np.dtype | str = "float64",
) -> Shape:
    """Build a layer on its own (outside a Sequential), with its own parameter vector;
    return its output shape. For tests and for trying a layer out."""
    out = layer.setup(tuple(input_shape), np.dtype(dtype))
    layer.index = 1
    layer.need_input_grad = True
    ParameterVector([layer], np.dtype(dtype))
    layer.initialize(rng)
    return out
