"""Weight initialisers. Each returns W of shape (n[l], n[l-1]); biases start at zero.

| name    | W                                  |
|---------|------------------------------------|
| zeros   | 0                                  |
| random  | randn * scale (0.01 by default)    |
| xavier  | randn * sqrt(1 / n[l-1])           |
| he      | randn * sqrt(2 / n[l-1])           |
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .errors import ConfigError

Initializer = Callable[[int, int, np.random.Generator], np.ndarray]


def zeros(n: int, n_prev: int, rng: np.random.Generator | None = None) -> np.ndarray:
    """W = 0, (n, n_prev). Every unit then stays identical: symmetry is never broken."""
    return np.zeros((n, n_prev))


def random(n: int, n_prev: int, rng: np.random.Generator, scale: float = 0.01) -> np.ndarray:
    """W = randn(n, n_prev) * scale."""
    return rng.standard_normal((n, n_prev)) * scale


def xavier(n: int, n_prev: int, rng: np.random.Generator) -> np.ndarray:
    """W = randn(n, n_prev) * sqrt(1 / n_prev)."""
    return rng.standard_normal((n, n_prev)) * np.sqrt(1.0 / n_prev)


def he(n: int, n_prev: int, rng: np.random.Generator) -> np.ndarray:
    """W = randn(n, n_prev) * sqrt(2 / n_prev)."""
    return rng.standard_normal((n, n_prev)) * np.sqrt(2.0 / n_prev)


INITIALIZERS: dict[str, Initializer] = {
    "zeros": zeros,
    "random": random,
    "xavier": xavier,
    "he": he,
}

#: The default initialiser for each activation: He for the ReLU family, Xavier otherwise.
DEFAULT_FOR_ACTIVATION = {
    "relu": "he",
    "leaky_relu": "he",
    "tanh": "xavier",
    "sigmoid": "xavier",
    "softmax": "xavier",
    "linear": "xavier",
}


def get_initializer(name: str, scale: float | None = None) -> Initializer:
    """The initialiser called ``name``; ``scale`` applies to "random" only."""
    if not isinstance(name, str) or name not in INITIALIZERS:
        raise ConfigError(f"unknown init {name!r}; expected one of {', '.join(INITIALIZERS)}")
    if scale is not None:
        if name != "random":
            raise ConfigError(f"init scale applies to 'random' only, not {name!r}")
        return lambda n, n_prev, rng: random(n, n_prev, rng, scale=scale)
    return INITIALIZERS[name]
