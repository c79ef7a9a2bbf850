"""make_shapes: synthetic detection scenes and their box convention."""

from __future__ import annotations

import numpy as np
import pytest

from layerwise.data import make_shapes
from layerwise.errors import ConfigError


def test_shapes_and_ranges():
    X, boxes, labels = make_shapes(40, image_size=32, seed=0)
    assert X.shape == (40, 32, 32, 3) and X.dtype == np.float32
    assert X.min() >= 0.0 and X.max() <= 1.0
    assert len(boxes) == len(labels) == 40
    counts = [len(b) for b in boxes]
    assert min(counts) == 0 and max(counts) == 3
    for b, lb in zip(boxes, labels):
        assert b.shape == (len(lb), 4) and b.dtype == np.float64 and lb.dtype == np.int64
        assert np.all(b[:, :2] >= 0) and np.all(b[:, 2:] <= 32)
        assert np.all(b[:, 2] > b[:, 0]) and np.all(b[:, 3] > b[:, 1])  # (y1, x1, y2, x2)
        h = b[:, 2] - b[:, 0]
        assert np.all(h >= 0.15 * 32 - 1e-9) and np.all(h <= 0.4 * 32 + 1e-9)
        assert set(lb.tolist()) <= {0, 1, 2}
    all_labels = np.concatenate(labels)
    assert set(all_labels.tolist()) == {0, 1, 2}


def test_seeded():
    a, b = make_shapes(5, image_size=24, seed=1), make_shapes(5, image_size=24, seed=1)
    np.testing.assert_array_equal(a.images, b.images)
    for x, y in zip(a.boxes, b.boxes):
        np.testing.assert_array_equal(x, y)
    c = make_shapes(5, image_size=24, seed=2)
    assert not np.array_equal(a.images, c.images)


@pytest.mark.parametrize("kind", ["square", "circle", "triangle"])
def test_painted_pixels_sit_in_their_box(kind):
    """Without noise, the pixels that differ from the background are the shape's, and
    they fill its box to within a pixel (a pixel is painted when its centre is inside)."""
    for seed in range(20):
        X, boxes, labels = make_shapes(
            1, image_size=40, classes=(kind,), max_objects=1, seed=seed, noise=0.0
        )
        if len(boxes[0]) == 0:
            continue
        img = X[0]
        background = img[0, 0] if not np.any(_inside(boxes[0][0], 0, 0)) else img[-1, -1]
        painted = np.any(np.abs(img - background) > 1e-6, axis=-1)
        rows, cols = np.nonzero(painted)
        y1, x1, y2, x2 = boxes[0][0]
        assert rows.min() >= np.floor(y1) and rows.max() + 1 <= np.ceil(y2)
        assert cols.min() >= np.floor(x1) and cols.max() + 1 <= np.ceil(x2)
        # the extent of the painted pixels matches the box to a pixel on every side
        # (a triangle's apex row may hold a single pixel or none: allow 2 at the top)
        top = 2 if kind == "triangle" else 1
        assert rows.min() - y1 <= top and y2 - (rows.max() + 1) <= 1
        assert cols.min() - x1 <= 1.5 and x2 - (cols.max() + 1) <= 1.5
        assert labels[0][0] == 0


def _inside(box, r, c):
    y1, x1, y2, x2 = box
    return y1 <= r + 0.5 <= y2 and x1 <= c + 0.5 <= x2


def test_overlap_is_limited():
    _, boxes, _ = make_shapes(200, image_size=48, seed=5, max_overlap=0.3)
    for b in boxes:
        for i in range(len(b)):
            for j in range(i + 1, len(b)):
                ih = min(b[i, 2], b[j, 2]) - max(b[i, 0], b[j, 0])
                iw = min(b[i, 3], b[j, 3]) - max(b[i, 1], b[j, 1])
                inter = max(ih, 0) * max(iw, 0)
                areas = [(x[2] - x[0]) * (x[3] - x[1]) for x in (b[i], b[j])]
                assert inter <= 0.3 * min(areas) + 1e-9


def test_classes_and_empty():
    X, boxes, labels = make_shapes(10, image_size=16, classes=("circle",), max_objects=0)
    assert all(len(b) == 0 for b in boxes) and X.shape == (10, 16, 16, 3)
    X, boxes, labels = make_shapes(0, image_size=16)
    assert X.shape == (0, 16, 16, 3) and boxes == [] and labels == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"classes": ("hexagon",)},
        {"classes": ()},
        {"image_size": 0},
        {"max_objects": -1},
        {"min_size": 0.5, "max_size": 0.3},
        {"image_size": 4, "max_size": 0.2},
    ],
)
def test_bad_arguments(kwargs):
    with pytest.raises(ConfigError):
        make_shapes(2, **kwargs)
