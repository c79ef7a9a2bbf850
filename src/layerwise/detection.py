"""Object-detection basics of course 4: IoU, YOLO box filtering, non-max suppression.

Box conventions
---------------
* A *corner box* is 4 numbers, two opposite corners: (x1, y1, x2, y2) with x1 <= x2 and
  y1 <= y2 — the upper-left and lower-right corners, as in the course's IoU exercise (y grows
  downwards). :func:`iou` is symmetric in the two axes, so it gives the same answer for
  (y1, x1, y2, x2) boxes as long as both arguments use the same order.
* A *centre box* is (x, y, w, h): centre ``box_xy = (x, y)`` and size ``box_wh = (w, h)``, as
  the YOLO network outputs them.
* The YOLO pipeline (:func:`yolo_boxes_to_corners`, :func:`yolo_filter_boxes`,
  :func:`scale_boxes`, :func:`yolo_eval`) follows the course's assignment and works on
  **(y1, x1, y2, x2)** boxes — y (row) first — so that ``image_shape = (height, width)``
  scales them as ``boxes * (height, width, height, width)``. Pass ``order="xy"`` to
  :func:`yolo_boxes_to_corners` for (x1, y1, x2, y2) instead.

Grids are ``(S, S, B, ·)`` as in the course — (19, 19, 5, ·) for 19×19 cells and 5 anchor
boxes — but any leading shape works. Nothing here draws random numbers.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .errors import ConfigError, DataError, ShapeError

__all__ = [
    "iou",
    "non_max_suppression",
    "scale_boxes",
    "yolo_boxes_to_corners",
    "yolo_eval",
    "yolo_filter_boxes",
    "yolo_non_max_suppression",
]


# --------------------------------------------------------------------------- validation
def _float_array(a: object, name: str) -> np.ndarray:
    """`a` as a floating array (float64 unless it already is floating), all finite."""
    arr = np.asarray(a)
    if arr.dtype == object or not (
        np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.bool_)
    ):
        raise DataError(f"{name} must be numeric, got dtype {arr.dtype}")
    if not np.issubdtype(arr.dtype, np.floating):
        arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        raise DataError(f"{name} contains NaN or inf")
    return arr


def _corner_boxes(box: object, name: str) -> np.ndarray:
    """Validated corner boxes (..., 4) with x1 <= x2 and y1 <= y2."""
    b = _float_array(box, name)
    if b.ndim == 0 or b.shape[-1] != 4:
        raise ShapeError(
            f"{name} must be (4,) or (..., 4) corner boxes (x1, y1, x2, y2), got shape {b.shape}"
        )
    bad = (b[..., 2] < b[..., 0]) | (b[..., 3] < b[..., 1])
    if np.any(bad):
        if b.ndim == 1:
            first, where = b, ""
        else:
            idx = tuple(int(i) for i in np.argwhere(bad)[0])
            first, where = b[idx], f" at index {idx}"
        raise ConfigError(
            f"{name} must have x1 <= x2 and y1 <= y2 (upper-left then lower-right corner), "
            f"got {first.tolist()}{where}"
        )
    return b


def _check_threshold(value: float, name: str) -> float:
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ConfigError(f"{name} must be in [0, 1], got {value}")
    return value


def _check_max_boxes(max_boxes: int) -> int:
    if isinstance(max_boxes, bool) or int(max_boxes) != max_boxes or max_boxes < 1:
        raise ConfigError(f"max_boxes must be a positive integer, got {max_boxes!r}")
    return int(max_boxes)


# --------------------------------------------------------------------------- IoU
def iou(
    box1: np.ndarray | Sequence[float], box2: np.ndarray | Sequence[float]
) -> float | np.ndarray:
    """Intersection over union of corner boxes (x1, y1, x2, y2).

    box1: (..., 4), box2: (..., 4); their leading shapes broadcast (e.g. ``boxes[:, None]``
    against ``boxes[None]`` gives the (n, n) pairwise matrix).

        inter = max(0, min(x2, x2') - max(x1, x1')) * max(0, min(y2, y2') - max(y1, y1'))
        IoU   = inter / (area + area' - inter)

    Disjoint boxes and boxes that only touch at an edge or a vertex give 0; two boxes of zero
    area give 0 (not NaN). Returns a Python float for two single boxes, else the broadcast
    shape of the leading axes.
    """
    b1 = _corner_boxes(box1, "box1")
    b2 = _corner_boxes(box2, "box2")
    try:
        np.broadcast_shapes(b1.shape[:-1], b2.shape[:-1])
    except ValueError:
        raise ShapeError(
            f"box1 {b1.shape} and box2 {b2.shape} do not broadcast: their leading axes "
            "(all but the last, which holds the 4 coordinates) must be compatible"
        ) from None
    inter_w = np.minimum(b1[..., 2], b2[..., 2]) - np.maximum(b1[..., 0], b2[..., 0])
    inter_h = np.minimum(b1[..., 3], b2[..., 3]) - np.maximum(b1[..., 1], b2[..., 1])
    inter = np.maximum(inter_w, 0.0) * np.maximum(inter_h, 0.0)
    area1 = (b1[..., 2] - b1[..., 0]) * (b1[..., 3] - b1[..., 1])
    area2 = (b2[..., 2] - b2[..., 0]) * (b2[..., 3] - b2[..., 1])
    union = area1 + area2 - inter
    out = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    return float(out) if out.ndim == 0 else out


# --------------------------------------------------------------------------- YOLO boxes
def yolo_boxes_to_corners(box_xy: np.ndarray, box_wh: np.ndarray, order: str = "yx") -> np.ndarray:
    """Centre boxes → corner boxes.

    box_xy: (..., 2) centres (x, y); box_wh: (..., 2) sizes (w, h), same shape.
    Returns (..., 4): ``(y1, x1, y2, x2)`` for ``order="yx"`` (the course's order, ready for
    :func:`scale_boxes`) or ``(x1, y1, x2, y2)`` for ``order="xy"``, where

        x1 = x - w/2,  y1 = y - h/2,  x2 = x + w/2,  y2 = y + h/2.
    """
    if order not in ("yx", "xy"):
        raise ConfigError(f"order must be 'yx' or 'xy', got {order!r}")
    xy = _float_array(box_xy, "box_xy")
    wh = _float_array(box_wh, "box_wh")
    if xy.ndim == 0 or xy.shape[-1] != 2 or xy.shape != wh.shape:
        raise ShapeError(
            f"box_xy and box_wh must both be (..., 2) of the same shape, "
            f"got {xy.shape} and {wh.shape}"
        )
    if np.any(wh < 0):
        raise ConfigError("box_wh must be >= 0 (widths and heights)")
    lo, hi = xy - wh / 2.0, xy + wh / 2.0
    if order == "xy":
        return np.concatenate([lo, hi], axis=-1)
    return np.concatenate([lo[..., ::-1], hi[..., ::-1]], axis=-1)


def yolo_filter_boxes(
    box_confidence: np.ndarray,
    boxes: np.ndarray,
    box_class_probs: np.ndarray,
    threshold: float = 0.6,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Keep the boxes whose best class score reaches the threshold.

    box_confidence: (S, S, B, 1) p_c; boxes: (S, S, B, 4); box_class_probs: (S, S, B, C)
    (any leading shape, the same for all three — course: (19, 19, 5, ·) with C = 80).

        scores     = p_c * c                 (S, S, B, C)
        class      = argmax_C scores         (ties: the lowest class index)
        score      = max_C scores
        keep where score >= threshold

    Returns ``(scores (k,), boxes (k, 4), classes (k,) int64)``, the kept boxes in row-major
    order of the grid (cell by cell, anchor by anchor), as a boolean mask would give them.
    """
    threshold = float(threshold)
    if not np.isfinite(threshold):
        raise ConfigError(f"threshold must be a finite number, got {threshold}")
    conf = _float_array(box_confidence, "box_confidence")
    bx = _float_array(boxes, "boxes")
    probs = _float_array(box_class_probs, "box_class_probs")
    if probs.ndim == 0 or probs.shape[-1] < 1:
        raise ShapeError(f"box_class_probs must be (S, S, B, C) with C >= 1, got {probs.shape}")
    grid = probs.shape[:-1]
    if conf.shape != grid + (1,):
        raise ShapeError(
            f"box_confidence must be {grid + (1,)} to match box_class_probs {probs.shape}, "
            f"got {conf.shape}"
        )
    if bx.shape != grid + (4,):
        raise ShapeError(
            f"boxes must be {grid + (4,)} to match box_class_probs {probs.shape}, got {bx.shape}"
        )
    box_scores = conf * probs
    box_classes = np.argmax(box_scores, axis=-1)
    box_class_scores = np.take_along_axis(box_scores, box_classes[..., None], axis=-1)[..., 0]
    mask = box_class_scores >= threshold
    return box_class_scores[mask], bx[mask], box_classes[mask].astype(np.int64)


def scale_boxes(boxes: np.ndarray, image_shape: Sequence[float]) -> np.ndarray:
    """Scale (y1, x1, y2, x2) boxes from [0, 1] units to pixels.

    boxes: (..., 4); image_shape: (height, width). Returns ``boxes * (h, w, h, w)``.
    """
    bx = _float_array(boxes, "boxes")
    if bx.ndim == 0 or bx.shape[-1] != 4:
        raise ShapeError(f"boxes must be (..., 4) as (y1, x1, y2, x2), got shape {bx.shape}")
    shape = np.asarray(image_shape, dtype=np.float64).reshape(-1)
    if shape.shape != (2,) or not np.all(np.isfinite(shape)) or np.any(shape <= 0):
        raise ConfigError(
            f"image_shape must be (height, width), two positive numbers, got {image_shape!r}"
        )
    h, w = float(shape[0]), float(shape[1])
    return bx * np.asarray([h, w, h, w], dtype=bx.dtype)


# --------------------------------------------------------------------------- NMS
def _nms_inputs(
    scores: np.ndarray, boxes: np.ndarray, classes: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    s = _float_array(scores, "scores")
    if s.ndim != 1:
        raise ShapeError(f"scores must be (n,), got shape {s.shape}")
    b = _corner_boxes(boxes, "boxes")
    if b.shape != (s.shape[0], 4):
        raise ShapeError(f"boxes must be (n, 4) = ({s.shape[0]}, 4) to match scores, got {b.shape}")
    c = None
    if classes is not None:
        c = np.asarray(classes)
        if c.shape != s.shape:
            raise ShapeError(
                f"classes must be (n,) = ({s.shape[0]},) to match scores, got {c.shape}"
            )
    return s, b, c


def non_max_suppression(
    scores: np.ndarray,
    boxes: np.ndarray,
    classes: np.ndarray | None = None,
    max_boxes: int = 10,
    iou_threshold: float = 0.5,
) -> np.ndarray:
    """Greedy non-max suppression; returns the kept indices, highest score first.

    scores: (n,); boxes: (n, 4) corner boxes (either axis order, see :func:`iou`);
    classes: (n,) or None.

        repeat until no box is left or max_boxes are kept:
            keep the remaining box i with the highest score (ties: the lower index)
            drop every remaining box j with IoU(i, j) > iou_threshold
                                      (and, if classes is given, classes[j] == classes[i])

    With ``classes`` the suppression runs per class — boxes of different classes never
    suppress each other — while ``max_boxes`` caps the total over all classes. A box with
    IoU exactly ``iou_threshold`` survives. Returns (k,) int64 indices into ``scores``,
    k <= max_boxes, in descending score order.
    """
    max_boxes = _check_max_boxes(max_boxes)
    iou_threshold = _check_threshold(iou_threshold, "iou_threshold")
    s, b, c = _nms_inputs(scores, boxes, classes)
    order = np.argsort(-s, kind="stable")
    b = b[order]
    c = c[order] if c is not None else None
    alive = np.ones(order.shape[0], dtype=bool)
    kept: list[int] = []
    i = 0
    n = order.shape[0]
    while len(kept) < max_boxes:
        while i < n and not alive[i]:
            i += 1
        if i >= n:
            break
        kept.append(i)
        rest = slice(i + 1, n)
        drop = iou(b[i], b[rest]) > iou_threshold
        if c is not None:
            drop &= c[rest] == c[i]
        alive[rest] &= ~drop
        i += 1
    return order[np.asarray(kept, dtype=np.int64)].astype(np.int64)


def yolo_non_max_suppression(
    scores: np.ndarray,
    boxes: np.ndarray,
    classes: np.ndarray,
    max_boxes: int = 10,
    iou_threshold: float = 0.5,
    per_class: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`non_max_suppression`, returning the kept arrays rather than indices.

    scores: (n,), boxes: (n, 4), classes: (n,). Class-agnostic by default, as in the course's
    assignment; ``per_class=True`` suppresses within each class only, as the lecture
    recommends for several classes. Returns ``(scores (k,), boxes (k, 4), classes (k,))``,
    highest score first.
    """
    s, b, c = _nms_inputs(scores, boxes, classes)
    keep = non_max_suppression(s, b, c if per_class else None, max_boxes, iou_threshold)
    return s[keep], b[keep], np.asarray(c)[keep]


# --------------------------------------------------------------------------- pipeline
def yolo_eval(
    yolo_outputs: Sequence[np.ndarray],
    image_shape: Sequence[float] = (720.0, 1280.0),
    max_boxes: int = 10,
    score_threshold: float = 0.6,
    iou_threshold: float = 0.5,
    per_class: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The course's YOLO post-processing: corners → filter → scale → non-max suppression.

    yolo_outputs: ``(box_confidence (S, S, B, 1), box_xy (S, S, B, 2), box_wh (S, S, B, 2),
    box_class_probs (S, S, B, C))`` with centres and sizes in [0, 1] image units;
    image_shape: (height, width) in pixels.

    Returns ``(scores (k,), boxes (k, 4), classes (k,) int64)`` with k <= max_boxes, highest
    score first, boxes as **(y1, x1, y2, x2) in pixels**. Suppression is class-agnostic like
    the assignment's unless ``per_class=True``.
    """
    if not isinstance(yolo_outputs, (tuple, list)) or len(yolo_outputs) != 4:
        raise ConfigError(
            "yolo_outputs must be (box_confidence, box_xy, box_wh, box_class_probs), "
            f"got {type(yolo_outputs).__name__}"
            + (f" of length {len(yolo_outputs)}" if isinstance(yolo_outputs, (tuple, list)) else "")
        )
    max_boxes = _check_max_boxes(max_boxes)
    iou_threshold = _check_threshold(iou_threshold, "iou_threshold")
    box_confidence, box_xy, box_wh, box_class_probs = yolo_outputs
    corners = yolo_boxes_to_corners(box_xy, box_wh, order="yx")
    scores, boxes, classes = yolo_filter_boxes(
        box_confidence, corners, box_class_probs, threshold=score_threshold
    )
    boxes = scale_boxes(boxes, image_shape)
    return yolo_non_max_suppression(
        scores, boxes, classes, max_boxes, iou_threshold, per_class=per_class
    )
