"""Data augmentation for images (m, n_H, n_W, n_C), as the course's lecture gives it:
mirroring, random cropping and colour shifting (per-channel shifts, and the PCA colour
augmentation of AlexNet the lecture mentions).

Each transform maps a batch X (m, n_H, n_W, n_C) to a new batch of the same shape (the
input is never modified) with draws from the generator it is given; ``fit`` passes the
model's, so an augmented run is reproducible from its seed and resumes exactly. Labels
are untouched (every transform preserves the class). ``fit(..., augment=...)`` applies
them to training batches only: evaluation and prediction never augment.

    augment = lw.augment.get_augment("flip,crop,color")   # or a list of transforms
    model.fit(X, Y, augment=augment, ...)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .checks import in_range, non_negative_int
from .errors import ConfigError, ShapeError

Array = np.ndarray


def _images(X: Array) -> Array:
    if X.ndim != 4:
        raise ShapeError(f"augmentation takes images (m, n_H, n_W, n_C), got shape {X.shape}")
    return X


class Transform:
    """A seeded batch transform: ``transform(X, rng)`` -> a new X of the same shape."""

    name = ""

    def fit(self, X: Array) -> Transform:
        """Learn what the transform needs from the training images (most need nothing)."""
        return self

    def __call__(self, X: Array, rng: np.random.Generator) -> Array:
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({args})"


class Flip(Transform):
    """Mirror each image left-right with probability ``p`` (one uniform draw per image)."""

    name = "flip"

    def __init__(self, p: float = 0.5) -> None:
        self.p = in_range(p, "Flip p", 0.0, 1.0, high_open=False)

    def __call__(self, X: Array, rng: np.random.Generator) -> Array:
        X = _images(X)
        flip = rng.random(X.shape[0]) < self.p
        out = X.copy()
        out[flip] = X[flip, :, ::-1]
        return out


class RandomCrop(Transform):
    """Pad each image with ``padding`` zeros on every side, then cut out an n_H × n_W
    window at a random offset (one integer draw per image and axis): a random crop that
    keeps the input size. ``padding=None`` scales it to the pictures: min(n_H, n_W) // 16,
    at least 1 (4 pixels for the 64 × 64 cats, 1 for the 8 × 8 digits)."""

    name = "crop"

    def __init__(self, padding: int | None = None) -> None:
        self.padding = None if padding is None else non_negative_int(padding, "RandomCrop padding")

    def __call__(self, X: Array, rng: np.random.Generator) -> Array:
        X = _images(X)
        m, n_H, n_W, _ = X.shape
        p = self.padding if self.padding is not None else max(1, min(n_H, n_W) // 16)
        padded = np.pad(X, ((0, 0), (p, p), (p, p), (0, 0)))
        top = rng.integers(0, 2 * p + 1, m)
        left = rng.integers(0, 2 * p + 1, m)
        rows = top[:, None] + np.arange(n_H)  # (m, n_H)
        cols = left[:, None] + np.arange(n_W)  # (m, n_W)
        return padded[np.arange(m)[:, None, None], rows[:, :, None], cols[:, None, :]]


class ColorShift(Transform):
    """Add to each channel of each image a shift drawn uniformly from [-shift, shift]
    (one draw per image and channel), then clip to [low, high] (the pixel range)."""

    name = "color"

    def __init__(self, shift: float = 0.1, low: float = 0.0, high: float = 1.0) -> None:
        self.shift = in_range(shift, "ColorShift shift", 0.0)
        self.low, self.high = float(low), float(high)
        if not self.low < self.high:
            raise ConfigError(f"ColorShift needs low < high, got {low} and {high}")

    def __call__(self, X: Array, rng: np.random.Generator) -> Array:
        X = _images(X)
        m, _, _, n_C = X.shape
        delta = rng.uniform(-self.shift, self.shift, (m, 1, 1, n_C)).astype(X.dtype)
        return np.clip(X + delta, self.low, self.high)


class PCAColor(Transform):
    """AlexNet's PCA colour augmentation: with λ_i, p_i the eigenvalues and eigenvectors
    of the 3×3 covariance of the training set's RGB values (``fit``), add to every pixel
    of an image Σ_i α_i λ_i p_i with α_i ~ N(0, std²) drawn once per image; clip to
    [low, high]."""

    name = "pca_color"

    def __init__(self, std: float = 0.1, low: float = 0.0, high: float = 1.0) -> None:
        self.std = in_range(std, "PCAColor std", 0.0)
        self.low, self.high = float(low), float(high)
        self.eigenvalues_: Array | None = None
        self.eigenvectors_: Array | None = None

    def fit(self, X: Array) -> PCAColor:
        X = _images(X)
        pixels = X.reshape(-1, X.shape[3]).astype(np.float64)
        cov = np.atleast_2d(np.cov(pixels, rowvar=False))
        self.eigenvalues_, self.eigenvectors_ = np.linalg.eigh(cov)
        return self

    def __call__(self, X: Array, rng: np.random.Generator) -> Array:
        X = _images(X)
        if self.eigenvalues_ is None:
            raise ConfigError("PCAColor must be fitted on the training images first (fit(X))")
        if self.eigenvectors_.shape[0] != X.shape[3]:
            raise ShapeError(
                f"PCAColor was fitted on {self.eigenvectors_.shape[0]} channels, X has {X.shape[3]}"
            )
        alpha = rng.normal(0.0, self.std, (X.shape[0], X.shape[3]))
        delta = (alpha * self.eigenvalues_) @ self.eigenvectors_.T  # (m, n_C)
        return np.clip(X + delta[:, None, None, :].astype(X.dtype), self.low, self.high)


class Compose(Transform):
    """Transforms applied in order, each drawing from the same generator."""

    name = "compose"

    def __init__(self, transforms: Sequence[Transform]) -> None:
        transforms = list(transforms)
        if not all(isinstance(t, Transform) for t in transforms):
            raise ConfigError("Compose takes Transform objects (Flip, RandomCrop, ...)")
        self.transforms = transforms

    def fit(self, X: Array) -> Compose:
        for t in self.transforms:
            t.fit(X)
        return self

    def __call__(self, X: Array, rng: np.random.Generator) -> Array:
        for t in self.transforms:
            X = t(X, rng)
        return X


TRANSFORMS = {cls.name: cls for cls in (Flip, RandomCrop, ColorShift, PCAColor)}


def get_augment(spec: str | Transform | Sequence[Transform | str] | None) -> Transform | None:
    """A transform from a comma-separated list of names ("flip,crop,color,pca_color"),
    a Transform, a list of either, or None / "none" (no augmentation)."""
    if spec is None or isinstance(spec, Transform):
        return spec
    if isinstance(spec, str) and spec.strip().lower() == "none":
        return None
    if not isinstance(spec, (str, Sequence)):
        raise ConfigError(f"augment takes names like 'flip,crop' or transforms, got {spec!r}")
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    transforms = []
    for item in items:
        if isinstance(item, Transform):
            transforms.append(item)
            continue
        name = str(item).strip().lower()
        if name not in TRANSFORMS:
            raise ConfigError(
                f"unknown augmentation {item!r}; expected names from {', '.join(TRANSFORMS)}"
            )
        transforms.append(TRANSFORMS[name]())
    if not transforms:
        raise ConfigError("augment needs at least one transform, e.g. 'flip,crop'")
    return Compose(transforms)
