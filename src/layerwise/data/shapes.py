"""Synthetic detection scenes: filled squares, circles and triangles on a noisy background
(course 4, week 3: object detection), the data the YOLO example trains on.

Conventions
-----------
* **Images** ``X`` are ``(m, n_H, n_W, 3)`` float32 RGB in [0, 1] with n_H = n_W =
  ``image_size``, one example per *first* index as the conv layers take them.
* **Boxes** are corner boxes **(y1, x1, y2, x2) in pixels**, row first — the order of the
  course's YOLO pipeline (``detection.yolo_eval`` returns boxes in this form), so predicted
  and true boxes compare directly. Coordinates are continuous: pixel (r, c) is the unit
  square [r, r + 1) × [c, c + 1), its centre at (r + 0.5, c + 0.5); y grows downwards.
  A box is the exact extent of its geometric shape (a square of side s centred at
  (c_y, c_x) is (c_y − s/2, c_x − s/2, c_y + s/2, c_x + s/2)); a pixel is painted when its
  centre lies inside the shape, so the painted pixels match the box to half a pixel.
  Every box lies inside the image. A box describes the whole shape even where a later
  shape covers part of it (the "amodal" box, as annotators draw them).
* **Labels** are class indices 0 ... C − 1 into ``classes`` (int64).
* ``boxes[i]`` (k_i, 4) float64 and ``labels[i]`` (k_i,) hold image i's k_i objects, in
  the order they were painted (later ones on top); k_i is 0 ... ``max_objects``.

Each scene: a background colour plus Gaussian pixel noise (σ = ``noise``), then k
objects, each of a random class, size, position and colour. A shape's size s (its box's
height) is uniform in [``min_size``, ``max_size``] × image_size; squares and circles have
width s, triangles (apex up, base down) a width of s × U(0.8, 1.25). Colours differ from
the background by at least 0.35 (Euclidean RGB distance) so that every shape is visible.
Objects may overlap partly: a placement is redrawn (up to 100 times, then the object is
left out) when more than ``max_overlap`` of either box's area would be covered by the
other's box. All draws come from ``np.random.default_rng(seed)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from ..checks import in_range, non_negative_int, positive_int
from ..errors import ConfigError

__all__ = ["SHAPE_CLASSES", "Scenes", "make_shapes"]

#: the shapes make_shapes knows how to paint
SHAPE_CLASSES = ("square", "circle", "triangle")

_MIN_CONTRAST = 0.35
_TRIES = 100


class Scenes(NamedTuple):
    """What ``make_shapes`` returns: images (m, n_H, n_W, 3), and per image its boxes
    (k_i, 4) as (y1, x1, y2, x2) pixels and its labels (k_i,) class indices."""

    images: np.ndarray
    boxes: list[np.ndarray]
    labels: list[np.ndarray]


def _mask(kind: str, yy: np.ndarray, xx: np.ndarray, box: np.ndarray) -> np.ndarray:
    """Pixels (by their centres yy, xx) inside the shape ``kind`` whose box is ``box``."""
    y1, x1, y2, x2 = box
    cy, cx = (y1 + y2) / 2, (x1 + x2) / 2
    if kind == "square":
        return (yy >= y1) & (yy <= y2) & (xx >= x1) & (xx <= x2)
    if kind == "circle":
        r = (y2 - y1) / 2
        return (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r
    # triangle: apex (y1, cx), base from (y2, x1) to (y2, x2); at height yy its half width
    # grows linearly from 0 at the apex to w/2 at the base
    half = (x2 - x1) / 2 * (yy - y1) / (y2 - y1)
    return (yy >= y1) & (yy <= y2) & (np.abs(xx - cx) <= half)


def _overlaps(box: np.ndarray, others: list[np.ndarray], max_overlap: float) -> bool:
    """Whether ``box`` covers more than ``max_overlap`` of any other box or vice versa."""
    for other in others:
        ih = min(box[2], other[2]) - max(box[0], other[0])
        iw = min(box[3], other[3]) - max(box[1], other[1])
        if ih <= 0 or iw <= 0:
            continue
        inter = ih * iw
        area = (box[2] - box[0]) * (box[3] - box[1])
        smaller = min(area, (other[2] - other[0]) * (other[3] - other[1]))
        if inter > max_overlap * smaller:
            return True
    return False


def _colour(rng: np.random.Generator, background: np.ndarray) -> np.ndarray:
    while True:
        c = rng.uniform(0.0, 1.0, 3)
        if np.linalg.norm(c - background) >= _MIN_CONTRAST:
            return c


def make_shapes(
    m: int,
    *,
    image_size: int = 64,
    classes: Sequence[str] = SHAPE_CLASSES,
    max_objects: int = 3,
    seed: int | None = None,
    min_size: float = 0.15,
    max_size: float = 0.4,
    noise: float = 0.05,
    max_overlap: float = 0.3,
) -> Scenes:
    """m scenes of 0 ... ``max_objects`` filled shapes (see the module's conventions).

    Returns ``Scenes(images (m, image_size, image_size, 3) float32 in [0, 1], boxes: m
    arrays (k_i, 4) of (y1, x1, y2, x2) pixels, labels: m arrays (k_i,) int64 indices into
    classes)``; it unpacks as ``X, boxes, labels = make_shapes(...)``.
    """
    m = non_negative_int(m, "m")
    n = positive_int(image_size, "image_size")
    max_objects = non_negative_int(max_objects, "max_objects")
    classes = tuple(classes)
    if not classes or any(c not in SHAPE_CLASSES for c in classes):
        raise ConfigError(f"classes must be a non-empty sequence of {SHAPE_CLASSES}, got {classes}")
    min_size = in_range(min_size, "min_size", 0.0, 1.0, low_open=True, high_open=False)
    max_size = in_range(max_size, "max_size", min_size, 1.0, high_open=False)
    noise = in_range(noise, "noise", 0.0)
    max_overlap = in_range(max_overlap, "max_overlap", 0.0, 1.0, high_open=False)
    if max_size * n < 2:
        raise ConfigError(f"max_size × image_size = {max_size * n:g} pixels: shapes need >= 2")
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:n, 0:n] + 0.5
    X = rng.standard_normal((m, n, n, 3), dtype=np.float32)  # the pixel noise, then ...
    X *= noise
    all_boxes, all_labels = [], []
    for i in range(m):
        img = X[i]
        background = rng.uniform(0.0, 1.0, 3)
        img += background.astype(np.float32)  # ... each scene's background colour
        k = int(rng.integers(0, max_objects + 1))
        boxes, labels = [], []
        for _ in range(k):
            label = int(rng.integers(0, len(classes)))
            kind = classes[label]
            h = rng.uniform(min_size, max_size) * n
            w = h * rng.uniform(0.8, 1.25) if kind == "triangle" else h
            w = min(w, float(n))
            for _ in range(_TRIES):
                cy = rng.uniform(h / 2, n - h / 2)
                cx = rng.uniform(w / 2, n - w / 2)
                box = np.array([cy - h / 2, cx - w / 2, cy + h / 2, cx + w / 2])
                if not _overlaps(box, boxes, max_overlap):
                    break
            else:
                continue
            colour = _colour(rng, background)
            r0, c0 = int(box[0]), int(box[1])  # the pixels whose centres can be inside
            r1, c1 = min(n, int(np.ceil(box[2]))), min(n, int(np.ceil(box[3])))
            window = img[r0:r1, c0:c1]
            inside = _mask(kind, yy[r0:r1, c0:c1], xx[r0:r1, c0:c1], box)
            window[inside] = colour + noise * rng.standard_normal((int(inside.sum()), 3))
            boxes.append(box)
            labels.append(label)
        all_boxes.append(np.asarray(boxes, dtype=np.float64).reshape(-1, 4))
        all_labels.append(np.asarray(labels, dtype=np.int64))
    np.clip(X, 0.0, 1.0, out=X)
    return Scenes(X, all_boxes, all_labels)
