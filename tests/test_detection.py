"""IoU, YOLO filtering, non-max suppression and the yolo_eval pipeline."""

from __future__ import annotations

import numpy as np
import pytest

from layerwise.detection import (
    iou,
    non_max_suppression,
    scale_boxes,
    yolo_boxes_to_corners,
    yolo_eval,
    yolo_filter_boxes,
    yolo_non_max_suppression,
)
from layerwise.errors import ConfigError, DataError, ShapeError


def random_boxes(rng: np.random.Generator, n: int, scale: float = 10.0) -> np.ndarray:
    """(n, 4) valid corner boxes (x1, y1, x2, y2) inside [0, scale]²."""
    lo = rng.uniform(0, scale * 0.8, size=(n, 2))
    size = rng.uniform(0, scale * 0.4, size=(n, 2))
    return np.concatenate([lo, lo + size], axis=1)


# --------------------------------------------------------------------------- IoU
@pytest.mark.parametrize(
    ("box1", "box2", "expected"),
    [
        ((2, 1, 4, 3), (1, 2, 3, 4), 1 / 7),  # the course's example: inter 1, union 7
        ((1, 2, 3, 4), (1, 2, 3, 4), 1.0),  # identical
        ((0, 0, 2, 2), (0, 0, 1, 1), 1 / 4),  # one inside the other
        ((0, 0, 2, 1), (1, 0, 3, 1), 1 / 3),  # half overlap: inter 1, union 3
        ((1, 2, 3, 4), (5, 6, 7, 8), 0.0),  # disjoint
        ((1, 1, 2, 2), (2, 2, 3, 3), 0.0),  # touching at a vertex
        ((1, 1, 3, 3), (2, 3, 3, 4), 0.0),  # touching at an edge
        ((0, 0, 1, 1), (1, 0, 2, 1), 0.0),  # side by side
        ((1, 1, 1, 1), (1, 1, 1, 1), 0.0),  # two points: no area, 0 not NaN
    ],
)
def test_iou_hand_computed(box1, box2, expected) -> None:
    got = iou(box1, box2)
    assert isinstance(got, float)
    assert got == pytest.approx(expected, abs=1e-12)
    assert iou(box2, box1) == pytest.approx(expected, abs=1e-12)


def test_iou_vectorised_equals_scalar_and_is_symmetric() -> None:
    rng = np.random.default_rng(0)
    a, b = random_boxes(rng, 40), random_boxes(rng, 40)
    got = iou(a, b)
    assert got.shape == (40,)
    np.testing.assert_allclose(got, [iou(x, y) for x, y in zip(a, b)], rtol=0, atol=1e-15)
    np.testing.assert_allclose(got, [plain_iou(x, y) for x, y in zip(a.tolist(), b.tolist())])
    np.testing.assert_array_equal(got, iou(b, a))
    pairwise = iou(a[:, None, :], b[None, :, :])
    assert pairwise.shape == (40, 40)
    np.testing.assert_allclose(pairwise[3, 7], iou(a[3], b[7]))
    np.testing.assert_allclose(pairwise, iou(b[None, :, :], a[:, None, :]))
    one_vs_many = iou(a[0], b)
    np.testing.assert_allclose(one_vs_many, pairwise[0])
    assert np.all((got >= 0) & (got <= 1))
    np.testing.assert_allclose(iou(a, a), 1.0)


def test_iou_is_the_same_for_yx_ordered_boxes() -> None:
    rng = np.random.default_rng(1)
    a, b = random_boxes(rng, 10), random_boxes(rng, 10)
    swap = [1, 0, 3, 2]
    np.testing.assert_allclose(iou(a[:, swap], b[:, swap]), iou(a, b))


def test_iou_integer_boxes_give_float() -> None:
    got = iou(np.array([[0, 0, 2, 2]]), np.array([[1, 1, 3, 3]]))
    assert got.dtype == np.float64
    np.testing.assert_allclose(got, [1 / 7])


@pytest.mark.parametrize(
    ("box1", "box2", "error", "match"),
    [
        ((0, 0, 1), (0, 0, 1, 1), ShapeError, r"box1 must be \(4,\) or \(\.\.\., 4\).*\(3,\)"),
        ((0, 0, 1, 1), np.zeros((2, 5)), ShapeError, r"box2 .*\(2, 5\)"),
        (5.0, (0, 0, 1, 1), ShapeError, "box1"),
        (np.zeros((3, 4)), np.zeros((2, 4)), ShapeError, r"\(3, 4\) and box2 \(2, 4\) do not"),
        ((2, 0, 1, 1), (0, 0, 1, 1), ConfigError, r"x1 <= x2 .*\[2\.0, 0\.0, 1\.0, 1\.0\]"),
        ((0, 0, 1, 1), [[0, 0, 1, 1], [0, 3, 1, 2]], ConfigError, r"box2 .*at index \(1,\)"),
        ((0, np.nan, 1, 1), (0, 0, 1, 1), DataError, "NaN"),
        (("a", "b", "c", "d"), (0, 0, 1, 1), DataError, "numeric"),
    ],
)
def test_iou_rejects_malformed_input(box1, box2, error, match) -> None:
    with pytest.raises(error, match=match):
        iou(box1, box2)


def test_errors_are_value_errors() -> None:
    with pytest.raises(ValueError):
        iou((0, 0, 1), (0, 0, 1, 1))


# --------------------------------------------------------------------------- corners
def test_yolo_boxes_to_corners_both_orders() -> None:
    xy = np.array([[0.5, 0.4], [0.2, 0.3]])
    wh = np.array([[0.2, 0.4], [0.0, 0.1]])
    np.testing.assert_allclose(
        yolo_boxes_to_corners(xy, wh), [[0.2, 0.4, 0.6, 0.6], [0.25, 0.2, 0.35, 0.2]]
    )
    np.testing.assert_allclose(
        yolo_boxes_to_corners(xy, wh, order="xy"),
        [[0.4, 0.2, 0.6, 0.6], [0.2, 0.25, 0.2, 0.35]],
    )
    grid = yolo_boxes_to_corners(np.zeros((19, 19, 5, 2)), np.ones((19, 19, 5, 2)))
    assert grid.shape == (19, 19, 5, 4)


def test_yolo_boxes_to_corners_errors() -> None:
    with pytest.raises(ShapeError, match=r"\(\.\.\., 2\).*\(3, 2\) and \(3, 3\)"):
        yolo_boxes_to_corners(np.zeros((3, 2)), np.zeros((3, 3)))
    with pytest.raises(ConfigError, match="box_wh must be >= 0"):
        yolo_boxes_to_corners(np.zeros((1, 2)), -np.ones((1, 2)))
    with pytest.raises(ConfigError, match="order"):
        yolo_boxes_to_corners(np.zeros((1, 2)), np.ones((1, 2)), order="wh")


def test_scale_boxes() -> None:
    boxes = np.array([[0.1, 0.2, 0.5, 1.0]])
    np.testing.assert_allclose(scale_boxes(boxes, (720.0, 1280.0)), [[72, 256, 360, 1280]])
    with pytest.raises(ConfigError, match="image_shape"):
        scale_boxes(boxes, (720.0,))
    with pytest.raises(ConfigError, match="image_shape"):
        scale_boxes(boxes, (0.0, 10.0))
    with pytest.raises(ShapeError, match=r"\(y1, x1, y2, x2\)"):
        scale_boxes(np.zeros((2, 3)), (1.0, 1.0))


# --------------------------------------------------------------------------- filtering
def small_grid() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A (2, 2, 2) grid with 3 classes; four boxes carry signal, the rest have p_c = 0."""
    conf = np.zeros((2, 2, 2, 1))
    probs = np.full((2, 2, 2, 3), 1 / 3)
    boxes = np.arange(2 * 2 * 2 * 4, dtype=float).reshape(2, 2, 2, 4)
    conf[0, 0, 1] = 0.9
    probs[0, 0, 1] = [0.1, 0.8, 0.1]  # 0.72, class 1 -> kept
    conf[0, 1, 0] = 0.5
    probs[0, 1, 0] = [1.0, 0.0, 0.0]  # 0.5, class 0 -> dropped at 0.6
    conf[1, 0, 0] = 1.0
    probs[1, 0, 0] = [0.2, 0.2, 0.6]  # exactly 0.6, class 2 -> kept (>=)
    conf[1, 1, 1] = 0.7
    probs[1, 1, 1] = [0.1, 0.1, 0.8]  # 0.56 best, class 2 -> dropped
    return conf, boxes, probs


def test_yolo_filter_boxes_small_grid() -> None:
    conf, boxes, probs = small_grid()
    scores, kept, classes = yolo_filter_boxes(conf, boxes, probs, threshold=0.6)
    np.testing.assert_allclose(scores, [0.72, 0.6])
    np.testing.assert_array_equal(kept, [boxes[0, 0, 1], boxes[1, 0, 0]])
    np.testing.assert_array_equal(classes, [1, 2])
    assert classes.dtype == np.int64
    assert scores.shape == (2,) and kept.shape == (2, 4) and classes.shape == (2,)


def test_yolo_filter_boxes_threshold_boundary() -> None:
    conf, boxes, probs = small_grid()
    conf[:] = 0.5
    probs[:] = [0.5, 0.25, 0.25]  # every score is exactly 0.25, class 0
    scores, kept, classes = yolo_filter_boxes(conf, boxes, probs, threshold=0.25)
    assert scores.shape == (8,)
    np.testing.assert_array_equal(kept, boxes.reshape(-1, 4))  # grid order, row-major
    np.testing.assert_array_equal(classes, 0)
    scores, kept, classes = yolo_filter_boxes(conf, boxes, probs, threshold=np.nextafter(0.25, 1))
    assert scores.shape == (0,) and kept.shape == (0, 4) and classes.shape == (0,)


def test_yolo_filter_boxes_ties_pick_the_lowest_class() -> None:
    conf = np.ones((1, 1, 1, 1))
    probs = np.array([[[[0.2, 0.4, 0.4]]]])
    _, _, classes = yolo_filter_boxes(conf, np.zeros((1, 1, 1, 4)), probs, threshold=0.1)
    np.testing.assert_array_equal(classes, [1])


def test_yolo_filter_boxes_course_shapes() -> None:
    rng = np.random.default_rng(2)
    conf = rng.normal(1, 4, (19, 19, 5, 1))
    boxes = rng.normal(1, 4, (19, 19, 5, 4))
    probs = rng.normal(1, 4, (19, 19, 5, 80))
    scores, kept, classes = yolo_filter_boxes(conf, boxes, probs, threshold=0.5)
    box_scores = conf * probs
    best = box_scores.max(axis=-1)
    mask = best >= 0.5
    np.testing.assert_array_equal(scores, best[mask])
    np.testing.assert_array_equal(kept, boxes[mask])
    np.testing.assert_array_equal(classes, box_scores.argmax(axis=-1)[mask])
    assert 0 < scores.shape[0] < 19 * 19 * 5


def test_yolo_filter_boxes_errors() -> None:
    conf, boxes, probs = small_grid()
    with pytest.raises(ShapeError, match=r"box_confidence must be \(2, 2, 2, 1\).*got \(2, 2, 2\)"):
        yolo_filter_boxes(conf[..., 0], boxes, probs)
    with pytest.raises(ShapeError, match=r"boxes must be \(2, 2, 2, 4\).*got \(2, 2, 2, 3\)"):
        yolo_filter_boxes(conf, boxes[..., :3], probs)
    with pytest.raises(ShapeError, match="box_class_probs"):
        yolo_filter_boxes(conf, boxes, probs[..., :0])
    with pytest.raises(ConfigError, match="threshold"):
        yolo_filter_boxes(conf, boxes, probs, threshold=float("nan"))


# --------------------------------------------------------------------------- NMS
def plain_iou(a, b) -> float:
    """IoU of two corner boxes in plain Python, independent of the module."""
    w = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - w * h
    return w * h / union if union > 0 else 0.0


def brute_force_nms(scores, boxes, classes, max_boxes, iou_threshold) -> list[int]:
    """A box survives iff no already kept, higher-scoring box of its class overlaps it."""
    boxes = boxes.tolist()
    kept: list[int] = []
    for i in sorted(range(len(scores)), key=lambda j: -scores[j]):
        same = [k for k in kept if classes is None or classes[k] == classes[i]]
        if all(plain_iou(boxes[k], boxes[i]) <= iou_threshold for k in same):
            kept.append(i)
    return kept[:max_boxes]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("per_class", [False, True])
def test_nms_matches_brute_force(seed: int, per_class: bool) -> None:
    rng = np.random.default_rng(seed)
    n = 60
    boxes = random_boxes(rng, n)
    scores = rng.uniform(size=n)
    classes = rng.integers(0, 3, size=n) if per_class else None
    for max_boxes, thr in [(10, 0.5), (100, 0.3), (5, 0.0), (100, 1.0)]:
        got = non_max_suppression(scores, boxes, classes, max_boxes=max_boxes, iou_threshold=thr)
        assert got.dtype == np.int64
        assert got.tolist() == brute_force_nms(scores, boxes, classes, max_boxes, thr)
        assert np.all(np.diff(scores[got]) <= 0)
        assert len(got) <= max_boxes


def test_nms_hand_made() -> None:
    boxes = np.array(
        [[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30], [0, 0, 10, 9], [21, 20, 31, 30]], float
    )
    scores = np.array([0.9, 0.8, 0.7, 0.95, 0.6])
    # 3 (0.95) suppresses 0 (IoU 0.9) and 1; 2 suppresses 4.
    np.testing.assert_array_equal(non_max_suppression(scores, boxes), [3, 2])
    # per class: 0 and 3 differ in class, so both survive; 1 shares 0's class and goes.
    classes = np.array([0, 0, 1, 1, 2])
    np.testing.assert_array_equal(non_max_suppression(scores, boxes, classes), [3, 0, 2, 4])
    # the cap counts over all classes and keeps the highest scores
    np.testing.assert_array_equal(non_max_suppression(scores, boxes, classes, max_boxes=2), [3, 0])
    # a threshold of 1 keeps everything, in descending score order
    np.testing.assert_array_equal(
        non_max_suppression(scores, boxes, iou_threshold=1.0), [3, 0, 1, 2, 4]
    )


def test_nms_iou_equal_to_threshold_survives() -> None:
    boxes = np.array([[0, 0, 2, 1], [1, 0, 3, 1]], float)  # IoU exactly 1/3
    scores = np.array([0.9, 0.8])
    np.testing.assert_array_equal(non_max_suppression(scores, boxes, iou_threshold=1 / 3), [0, 1])
    np.testing.assert_array_equal(non_max_suppression(scores, boxes, iou_threshold=0.33), [0])


def test_nms_ties_and_empty() -> None:
    boxes = np.array([[0, 0, 1, 1], [5, 5, 6, 6], [0, 0, 1, 1]], float)
    np.testing.assert_array_equal(non_max_suppression(np.ones(3), boxes), [0, 1])
    empty = non_max_suppression(np.zeros(0), np.zeros((0, 4)))
    assert empty.shape == (0,) and empty.dtype == np.int64


def test_yolo_non_max_suppression_returns_arrays() -> None:
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [20, 20, 30, 30]], float)
    scores = np.array([0.8, 0.9, 0.7])
    classes = np.array([4, 7, 4])
    s, b, c = yolo_non_max_suppression(scores, boxes, classes)
    np.testing.assert_array_equal(s, [0.9, 0.7])
    np.testing.assert_array_equal(b, boxes[[1, 2]])
    np.testing.assert_array_equal(c, [7, 4])
    s, b, c = yolo_non_max_suppression(scores, boxes, classes, per_class=True)
    np.testing.assert_array_equal(c, [7, 4, 4])


def test_nms_errors() -> None:
    boxes = np.array([[0, 0, 1, 1], [0, 0, 2, 2]], float)
    scores = np.array([0.5, 0.6])
    with pytest.raises(ShapeError, match=r"boxes must be \(n, 4\) = \(2, 4\).*\(1, 4\)"):
        non_max_suppression(scores, boxes[:1])
    with pytest.raises(ShapeError, match=r"scores must be \(n,\)"):
        non_max_suppression(scores[None], boxes)
    with pytest.raises(ShapeError, match=r"classes must be \(n,\) = \(2,\)"):
        non_max_suppression(scores, boxes, classes=np.zeros(3))
    with pytest.raises(ConfigError, match="max_boxes must be a positive integer"):
        non_max_suppression(scores, boxes, max_boxes=0)
    with pytest.raises(ConfigError, match="max_boxes"):
        non_max_suppression(scores, boxes, max_boxes=2.5)
    with pytest.raises(ConfigError, match=r"iou_threshold must be in \[0, 1\]"):
        non_max_suppression(scores, boxes, iou_threshold=1.5)
    with pytest.raises(ConfigError, match="x1 <= x2"):
        non_max_suppression(scores, boxes[:, [2, 3, 0, 1]])


# --------------------------------------------------------------------------- yolo_eval
def hand_made_outputs() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(2, 2, 2) grid, 3 classes: two overlapping class-1 boxes, one weak, one far away."""
    conf = np.zeros((2, 2, 2, 1))
    xy = np.full((2, 2, 2, 2), 0.5)
    wh = np.full((2, 2, 2, 2), 0.1)
    probs = np.full((2, 2, 2, 3), 1 / 3)
    conf[0, 0, 0], probs[0, 0, 0] = 0.9, [0.1, 0.8, 0.1]  # 0.72, class 1
    xy[0, 0, 0], wh[0, 0, 0] = [0.25, 0.25], [0.2, 0.2]
    conf[0, 0, 1], probs[0, 0, 1] = 0.8, [0.0, 1.0, 0.0]  # 0.8, class 1, overlaps the above
    xy[0, 0, 1], wh[0, 0, 1] = [0.26, 0.25], [0.2, 0.2]
    conf[0, 1, 0], probs[0, 1, 0] = 0.5, [1.0, 0.0, 0.0]  # 0.5 < 0.6: filtered out
    conf[1, 0, 0], probs[1, 0, 0] = 1.0, [0.0, 0.3, 0.7]  # 0.7, class 2, alone
    xy[1, 0, 0], wh[1, 0, 0] = [0.75, 0.75], [0.1, 0.2]
    return conf, xy, wh, probs


def test_yolo_eval_end_to_end() -> None:
    scores, boxes, classes = yolo_eval(hand_made_outputs(), image_shape=(720.0, 1280.0))
    np.testing.assert_allclose(scores, [0.8, 0.7])
    np.testing.assert_array_equal(classes, [1, 2])
    # (y1, x1, y2, x2) in pixels: centre (x, y) = (0.26, 0.25), size 0.2 -> x 0.16..0.36,
    # y 0.15..0.35; centre (0.75, 0.75), size (0.1, 0.2) -> x 0.7..0.8, y 0.65..0.85.
    np.testing.assert_allclose(boxes, [[108, 204.8, 252, 460.8], [468, 896, 612, 1024]])


def test_yolo_eval_options() -> None:
    outputs = hand_made_outputs()
    outputs[3][0, 0, 0] = [0.1, 0.1, 0.8]  # the overlapping pair now differ in class
    scores, _, classes = yolo_eval(outputs)
    np.testing.assert_allclose(scores, [0.8, 0.7])  # class-agnostic: 0.72 still suppressed
    scores, _, classes = yolo_eval(outputs, per_class=True)
    np.testing.assert_allclose(scores, [0.8, 0.72, 0.7])
    np.testing.assert_array_equal(classes, [1, 2, 2])
    scores, _, _ = yolo_eval(outputs, per_class=True, max_boxes=1)
    np.testing.assert_allclose(scores, [0.8])
    scores, _, _ = yolo_eval(outputs, iou_threshold=1.0, score_threshold=0.5)
    np.testing.assert_allclose(scores, [0.8, 0.72, 0.7, 0.5])
    scores, boxes, classes = yolo_eval(outputs, score_threshold=0.99)
    assert scores.shape == (0,) and boxes.shape == (0, 4) and classes.shape == (0,)


def test_yolo_eval_course_shapes() -> None:
    rng = np.random.default_rng(3)
    outputs = (
        rng.uniform(size=(19, 19, 5, 1)),
        rng.uniform(size=(19, 19, 5, 2)),
        rng.uniform(0, 0.3, size=(19, 19, 5, 2)),
        rng.dirichlet(np.full(80, 0.05), size=(19, 19, 5)),
    )
    scores, boxes, classes = yolo_eval(outputs, score_threshold=0.5)
    assert scores.shape == (10,) and boxes.shape == (10, 4) and classes.shape == (10,)
    assert np.all(np.diff(scores) <= 0) and np.all(scores >= 0.5)
    pairwise = iou(boxes[:, None], boxes[None])
    assert np.all(pairwise[~np.eye(10, dtype=bool)] <= 0.5)


def test_yolo_eval_errors() -> None:
    outputs = hand_made_outputs()
    with pytest.raises(ConfigError, match=r"\(box_confidence, box_xy, box_wh, box_class_probs\)"):
        yolo_eval(outputs[:3])
    with pytest.raises(ConfigError, match="image_shape"):
        yolo_eval(outputs, image_shape=(720.0, -1.0))
    with pytest.raises(ConfigError, match="iou_threshold"):
        yolo_eval(outputs, iou_threshold=-0.1)
    bad = (outputs[0][..., :1, :], *outputs[1:])
    with pytest.raises(ShapeError, match="box_confidence"):
        yolo_eval(bad)
