"""PNG plots: learning curves, decision boundaries, picture grids.

Every function writes one PNG with the non-interactive Agg backend and returns its
path; the file is written to a temporary name and renamed, so a crash never leaves
half a picture. Nothing here is shown on screen.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np

from .atomic import atomic_write


def plt_colormap(name: str):
    """A matplotlib colormap by name."""
    return _pyplot().get_cmap(name)


def _pyplot():
    import matplotlib  # noqa: PLC0415 - matplotlib loads only when a plot is drawn

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt  # noqa: PLC0415 - after choosing the Agg backend

    return plt


def _save(fig, path: str | os.PathLike) -> Path:
    try:
        return atomic_write(
            path, lambda fh: fig.savefig(fh, dpi=110, bbox_inches="tight", format="png")
        )
    finally:
        _pyplot().close(fig)


def learning_curves(
    curves: Mapping[str, Sequence[float]],
    path: str | os.PathLike,
    *,
    title: str = "Learning curve",
    xlabel: str = "iteration",
    ylabel: str = "cost",
    every: int = 1,
) -> Path:
    """One line per named curve; point k is plotted at x = k * every."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    for label, ys in curves.items():
        ys = np.asarray(ys, dtype=float).ravel()
        ax.plot(np.arange(len(ys)) * every, ys, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    if len(curves) > 1:
        ax.legend()
    return _save(fig, path)


def learning_curve(costs: Sequence[float], path: str | os.PathLike, **kwargs) -> Path:
    """The cost against iterations (or epochs) as one line."""
    return learning_curves({"cost": costs}, path, **kwargs)


def _draw_boundary(
    ax,
    predict: Callable[[np.ndarray], np.ndarray],
    X: np.ndarray,
    Y: np.ndarray,
    title: str,
    resolution: int,
    test: tuple[np.ndarray, np.ndarray] | None = None,
    classes: Sequence[str] | None = None,
) -> None:
    pad = 0.1 * (X.max(axis=1) - X.min(axis=1)) + 1e-9
    x_min, y_min = X.min(axis=1) - pad
    x_max, y_max = X.max(axis=1) + pad
    xx, yy = np.meshgrid(
        np.linspace(x_min, x_max, resolution), np.linspace(y_min, y_max, resolution)
    )
    grid = np.vstack([xx.ravel(), yy.ravel()])
    Z = np.asarray(predict(grid), dtype=float).reshape(xx.shape)
    labels = np.asarray(Y, dtype=float).ravel()
    # Fixed colour limits, so a classifier predicting one class everywhere is shaded in
    # that class's colour rather than the colormap's middle.
    vmin = float(min(labels.min(), Z.min()))
    vmax = float(max(labels.max(), Z.max(), vmin + 1))
    ax.pcolormesh(
        xx, yy, Z, cmap="Spectral", vmin=vmin, vmax=vmax, alpha=0.8, shading="auto", rasterized=True
    )
    cmap = plt_colormap("Spectral")
    sets = [("train", X, labels, "o")]
    if test is not None:
        sets.append(("test", np.asarray(test[0], float), np.asarray(test[1], float).ravel(), "^"))
    for name, pts, lab, marker in sets:
        for k in np.unique(lab):
            pick = lab == k
            colour = cmap((k - vmin) / (vmax - vmin))
            label = classes[int(k)] if classes and 0 <= int(k) < len(classes) else f"{k:g}"
            ax.scatter(
                pts[0, pick],
                pts[1, pick],
                color=colour,
                marker=marker,
                s=14 if marker == "o" else 26,
                edgecolors="k",
                linewidths=0.3 if marker == "o" else 0.8,
                label=f"{name}: class {label}",
            )
    if test is not None or len(np.unique(labels)) <= 10:
        ax.legend(loc="best", fontsize=7, framealpha=0.8)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title)


def decision_boundary(
    predict: Callable[[np.ndarray], np.ndarray],
    X: np.ndarray,
    Y: np.ndarray,
    path: str | os.PathLike,
    *,
    title: str = "Decision boundary",
    resolution: int = 300,
    test: tuple[np.ndarray, np.ndarray] | None = None,
    classes: Sequence[str] | None = None,
) -> Path:
    """Shade the plane by ``predict`` (maps (2, k) points to k labels) and scatter X (2, m)
    coloured by Y (1, m) as circles, and the ``test`` (X, Y) points as triangles, with a
    legend naming the ``classes``."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 5))
    _draw_boundary(ax, predict, np.asarray(X, float), Y, title, resolution, test, classes)
    return _save(fig, path)


def decision_boundaries(
    panels: Sequence[tuple[str, Callable[[np.ndarray], np.ndarray]]],
    X: np.ndarray,
    Y: np.ndarray,
    path: str | os.PathLike,
    *,
    columns: int = 4,
    resolution: int = 200,
) -> Path:
    """Several decision boundaries on the same data, one panel per (title, predict)."""
    plt = _pyplot()
    n = len(panels)
    cols = min(columns, n)
    rows = -(-n // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(4 * cols, 3.6 * rows), squeeze=False)
    for ax, (title, predict) in zip(axes.ravel(), panels):
        _draw_boundary(ax, predict, np.asarray(X, float), Y, title, resolution)
    for ax in axes.ravel()[n:]:
        ax.axis("off")
    fig.tight_layout()
    return _save(fig, path)


def image_grid(
    images: np.ndarray,
    titles: Sequence[str],
    path: str | os.PathLike,
    *,
    columns: int = 5,
    suptitle: str = "",
) -> Path:
    """A grid of pictures (k, n_H, n_W, 3), uint8 or floats in [0, 1], with a title each."""
    plt = _pyplot()
    k = len(images)
    cols = max(1, min(columns, k))
    rows = max(1, -(-k // cols))
    fig, axes = plt.subplots(
        rows, cols, figsize=(2.4 * cols, 2.8 * rows), squeeze=False, layout="constrained"
    )
    for ax in axes.ravel():
        ax.axis("off")
    for ax, img, title in zip(axes.ravel(), images, titles):
        ax.imshow(img, interpolation="nearest")
        ax.set_title(title, fontsize=8)
    if suptitle:
        fig.suptitle(suptitle)
    return _save(fig, path)


def _unit_range(A: np.ndarray) -> np.ndarray:
    """A scaled to [0, 1] (a constant array becomes 0.5)."""
    low, high = float(np.min(A)), float(np.max(A))
    return np.full_like(A, 0.5, dtype=np.float64) if high == low else (A - low) / (high - low)


def conv_filters(W: np.ndarray, path: str | os.PathLike, *, title: str = "") -> Path:
    """The n_C filters of a first conv layer, W (f, f, n_C_prev, n_C), as pictures: RGB
    when n_C_prev is 3, grey otherwise (the mean over input channels), each scaled to
    its own range."""
    n_C = W.shape[3]
    if W.shape[2] == 3:
        images = [_unit_range(W[:, :, :, c]) for c in range(n_C)]
    else:
        images = [
            np.repeat(_unit_range(W[:, :, :, c].mean(axis=2))[..., None], 3, 2) for c in range(n_C)
        ]
    titles = [f"filter {c + 1}" for c in range(n_C)]
    return image_grid(
        np.stack(images), titles, path, columns=8, suptitle=title or "First-layer filters"
    )


def feature_maps(A: np.ndarray, path: str | os.PathLike, *, title: str = "") -> Path:
    """The channels of one example's activations A (n_H, n_W, n_C), each in grey and
    scaled to its own range."""
    images = [np.repeat(_unit_range(A[:, :, c])[..., None], 3, 2) for c in range(A.shape[2])]
    titles = [f"channel {c + 1}" for c in range(A.shape[2])]
    return image_grid(np.stack(images), titles, path, columns=8, suptitle=title or "Feature maps")


def confusion_matrix(
    counts: np.ndarray,
    path: str | os.PathLike,
    *,
    classes: Sequence[str] | None = None,
    title: str = "Confusion matrix",
) -> Path:
    """The (C, C) counts (row: true class, column: predicted) as a labelled heat map."""
    plt = _pyplot()
    C = counts.shape[0]
    names = list(classes) if classes and len(classes) == C else [str(k) for k in range(C)]
    size = max(3.5, 0.45 * C + 2)
    fig, ax = plt.subplots(figsize=(size, size * 0.9), layout="constrained")
    ax.imshow(counts, cmap="Blues")
    for i in range(C):
        for j in range(C):
            dark = counts[i, j] > counts.max() / 2
            ax.text(
                j,
                i,
                str(int(counts[i, j])),
                ha="center",
                va="center",
                fontsize=8,
                color="white" if dark else "black",
            )
    ax.set_xticks(range(C), names, rotation=45 if C > 4 else 0, fontsize=8)
    ax.set_yticks(range(C), names, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    return _save(fig, path)
