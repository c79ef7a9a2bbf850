"""The course's planar "flower" data set (course 1, week 3)."""

from __future__ import annotations

import numpy as np

from layerwise import checks
from layerwise.errors import ConfigError

__all__ = ["make_flower"]


def make_flower(m: int = 400, seed: int | None = 1, *, rng=None) -> tuple[np.ndarray, np.ndarray]:
    """Two-class "flower" points: X (2, m) float64, Y (1, m) uint8, class 0 first.

    For class j in (0, 1), with a = 4 and N = m // 2 points per class:
    θ = linspace(3.12 j, 3.12 (j + 1), N) + 0.2 randn(N), r = a sin(4θ) + 0.2 randn(N),
    points (r sin θ, r cos θ). Normals are drawn θ-noise 0, r-noise 0, θ-noise 1, r-noise 1.

    Without ``rng`` the draws come from a private ``np.random.RandomState(seed)`` (the same
    stream as ``np.random.seed(seed)``, without touching global state). With ``rng`` (any
    object with ``.randn``, e.g. the ``np.random`` module) the draws come from it.
    An odd m gives 2 (m // 2) points.
    """
    if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or m < 2:
        raise ConfigError(f"m must be an integer >= 2 (two classes), got {m!r}")
    if rng is None:
        rng = np.random.RandomState(None if seed is None else checks.seed(seed, "seed"))
    elif not hasattr(rng, "randn"):
        raise ConfigError(
            f"rng must have a .randn method (e.g. np.random.RandomState), got {type(rng).__name__}"
        )
    N = int(m) // 2
    a = 4
    X = np.zeros((2 * N, 2))
    Y = np.zeros((2 * N, 1), dtype=np.uint8)
    for j in range(2):
        rows = slice(N * j, N * (j + 1))
        theta = np.linspace(3.12 * j, 3.12 * (j + 1), N) + rng.randn(N) * 0.2
        r = a * np.sin(4 * theta) + rng.randn(N) * 0.2
        X[rows, 0] = r * np.sin(theta)
        X[rows, 1] = r * np.cos(theta)
        Y[rows, 0] = j
    # X.T is column-major: each example's features sit together, so batch gathers are fast.
    return X.T, Y.T
