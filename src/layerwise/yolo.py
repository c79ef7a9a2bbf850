"""YOLO from scratch (course 4, week 3): targets, the detector, its loss, decoding.

The grid
--------
An image is cut into S × S cells; each cell has B anchor boxes (p_w, p_h) (fractions of
the image's width and height). For every (cell, anchor) *slot* the grid holds 5 + C
numbers, in the course's terms and order::

    y = (p_c, b_x, b_y, b_w, b_h, c_1, ..., c_C)

* p_c: 1 when an object is assigned to the slot, else 0 (then the rest is 0 too);
* (b_x, b_y): the object's centre relative to its cell, in [0, 1): with the centre at
  (x, y) in image units (fractions of the width and height) the cell is row
  ⌊y·S⌋, column ⌊x·S⌋ and b_x = x·S − column, b_y = y·S − row;
* (b_w, b_h): the box's width and height as fractions of the image's;
* c_1 ... c_C: the class, one-hot.

Targets and outputs are ``(m, S, S, B·(5 + C))``: slot b of cell (row, column) is
channels ``b·(5 + C) ... (b + 1)·(5 + C) − 1`` of ``Y[i, row, column]`` (rows are y, going
down). An object goes to the cell holding its centre and, there, to the anchor whose shape
fits it best (the largest IoU of the two boxes put on the same centre), as the lectures
assign them; if that slot is taken by another object, to the next best free anchor of the
cell; with all B taken the object is left out of the targets (``encode_targets`` counts
them). Boxes come in as (y1, x1, y2, x2) pixels, the ``layerwise.data.make_shapes`` and
``detection.yolo_eval`` convention.

The network (``detector_layers``) is fully convolutional: 3×3 convs (leaky ReLU) and
max-pools, a 1×1 conv to B·(5 + C) channels, and ``YoloHead`` (sigmoid p_c, b_x, b_y;
b_w = p_w e^t; softmax classes), so the model's output is the grid above, in the same
terms as the targets. ``YoloLoss`` is YOLO v1's sum-squared loss on that grid (with square
roots on the sizes; cross-entropies for objectness and classes on request). ``decode``
turns the grid into boxes with the course's ``detection`` functions (corners,
``yolo_filter_boxes``, ``scale_boxes``, per-class ``non_max_suppression``), and
``layerwise.metrics.mean_average_precision`` scores them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np

from .checks import in_range, positive_int
from .detection import (
    non_max_suppression,
    scale_boxes,
    yolo_boxes_to_corners,
    yolo_filter_boxes,
)
from .errors import ConfigError, ShapeError
from .layers import Conv2D, Layer, Pool2D, YoloHead
from .losses import Loss

__all__ = [
    "Detections",
    "YoloLoss",
    "decode",
    "detector_layers",
    "encode_targets",
    "grid_outputs",
]

Array = np.ndarray

#: YOLO's activation: the leaky ReLU max(z, 0.1 z)
LEAKY = {"name": "leaky_relu", "slope": 0.1}


def _anchors(anchors: object) -> Array:
    a = np.asarray(anchors, dtype=np.float64)
    if a.ndim != 2 or a.shape[1] != 2 or a.shape[0] < 1 or not np.all(a > 0):
        raise ConfigError(f"anchors must be B >= 1 pairs (p_w, p_h) > 0, got {anchors!r}")
    return a


def _image_shape(image_shape: object) -> tuple[float, float]:
    shape = np.asarray(image_shape, dtype=np.float64).reshape(-1)
    if shape.shape != (2,) or not np.all(np.isfinite(shape)) or np.any(shape <= 0):
        raise ConfigError(f"image_shape must be (height, width) > 0, got {image_shape!r}")
    return float(shape[0]), float(shape[1])


# --------------------------------------------------------------------------- targets
def encode_targets(
    boxes: Sequence[Array],
    labels: Sequence[Array],
    *,
    S: int,
    anchors: Sequence[Sequence[float]],
    classes: int,
    image_shape: Sequence[float],
    return_dropped: bool = False,
) -> Array | tuple[Array, int]:
    """Ground truth -> YOLO targets Y (m, S, S, B·(5 + C)) float32 (see the module's
    conventions). ``boxes[i]``: (k_i, 4) (y1, x1, y2, x2) pixels of image i; ``labels[i]``:
    (k_i,) class indices < C; ``image_shape``: (height, width) in pixels.

    With ``return_dropped`` also returns how many objects found no free slot."""
    S = positive_int(S, "S")
    C = positive_int(classes, "classes")
    a = _anchors(anchors)
    B = a.shape[0]
    H, W = _image_shape(image_shape)
    if len(boxes) != len(labels):
        raise ShapeError(f"boxes has {len(boxes)} images but labels has {len(labels)}")
    Y = np.zeros((len(boxes), S, S, B, 5 + C), dtype=np.float32)
    dropped = 0
    for i, (bx, lb) in enumerate(zip(boxes, labels)):
        bx = np.asarray(bx, dtype=np.float64).reshape(-1, 4)
        lb = np.asarray(lb).reshape(-1)
        if lb.shape[0] != bx.shape[0]:
            raise ShapeError(f"image {i}: {bx.shape[0]} boxes but {lb.shape[0]} labels")
        for (y1, x1, y2, x2), c in zip(bx, lb):
            if not 0 <= c < C or int(c) != c:
                raise ConfigError(f"image {i}: label {c!r} is not a class index 0 ... {C - 1}")
            w, h = (x2 - x1) / W, (y2 - y1) / H
            if w <= 0 or h <= 0:
                raise ConfigError(f"image {i}: box {[y1, x1, y2, x2]} has no area")
            x, y = (x1 + x2) / 2 / W, (y1 + y2) / 2 / H
            col, row = min(int(np.floor(x * S)), S - 1), min(int(np.floor(y * S)), S - 1)
            col, row = max(col, 0), max(row, 0)
            inter = np.minimum(w, a[:, 0]) * np.minimum(h, a[:, 1])
            fit = inter / (w * h + a[:, 0] * a[:, 1] - inter)
            for b in np.argsort(-fit, kind="stable"):
                slot = Y[i, row, col, b]
                if slot[0] == 0:
                    slot[:5] = (1.0, x * S - col, y * S - row, w, h)
                    slot[5 + int(c)] = 1.0
                    break
            else:
                dropped += 1
    Y = Y.reshape(len(boxes), S, S, B * (5 + C))
    return (Y, dropped) if return_dropped else Y


# --------------------------------------------------------------------------- loss
class YoloLoss(Loss):
    """The YOLO loss on the grid, averaged over the m = A.shape[0] images.

    A, Y: (m, S, S, B·(5 + C)) as (p_c, b_x, b_y, b_w, b_h, c_1 ... c_C) per slot (A from
    ``YoloHead``, Y from ``encode_targets``); 1_obj is Y's p_c (1 for the slot an object is
    assigned to), 1_noobj = 1 − 1_obj. With p̂_c, b̂, ĉ the predictions::

        J = (1/m) Σ_slots [ λ_coord 1_obj ((b̂_x − b_x)² + (b̂_y − b_y)²)
                          + λ_coord 1_obj ((√b̂_w − √b_w)² + (√b̂_h − √b_h)²)
                          + 1_obj L(p̂_c, 1) + λ_noobj 1_noobj L(p̂_c, 0)
                          + 1_obj L_class(ĉ, c) ]

    * coordinates: YOLO v1's squared error, with square roots on width and height so that
      an error of a few pixels costs more on a small box than on a big one;
    * objectness, ``objectness="squared"`` (the default): YOLO v1's L(p̂, y) = (p̂ − y)²;
      ``"bce"``: the cross-entropy −y log p̂ − (1 − y) log(1 − p̂), whose gradient at the
      head's logit is p̂ − y. The squared error needs ``YoloHead``'s objectness prior (p̂_c
      starting at 0.01): from 0.5 the many empty slots push every p̂_c towards 0, where its
      gradient through σ vanishes, and the detector never says "object". The cross-entropy
      trains from either start; with the prior the squared form scored higher here
      (mAP@0.5 0.91–0.93 against 0.89–0.91 over three seeds);
    * classes, ``classes_loss="squared"`` (default): YOLO v1's Σ_c (ĉ − c)²; ``"ce"``:
      −Σ_c c log ĉ;
    * the objectness target of a slot with an object is 1 (the course's p_c), not YOLO v1's
      IoU of the predicted box; slots without an object count only in λ_noobj's term.

    Defaults λ_coord = 5, λ_noobj = 0.5. In the cross-entropies logs never see 0: p̂ and ĉ
    are clipped to [ε, 1 − ε] (ε the dtype's machine epsilon), as the engine's do.
    """

    name = "yolo"
    FORMS = ("bce", "squared")

    def __init__(
        self,
        classes: int,
        lambda_coord: float = 5.0,
        lambda_noobj: float = 0.5,
        *,
        objectness: str = "squared",
        classes_loss: str = "squared",
    ) -> None:
        self.classes = positive_int(classes, "classes")
        self.lambda_coord = in_range(lambda_coord, "lambda_coord", 0.0)
        self.lambda_noobj = in_range(lambda_noobj, "lambda_noobj", 0.0)
        if objectness not in ("bce", "squared"):
            raise ConfigError(f"objectness must be 'bce' or 'squared', got {objectness!r}")
        if classes_loss not in ("ce", "squared"):
            raise ConfigError(f"classes_loss must be 'ce' or 'squared', got {classes_loss!r}")
        self.objectness = objectness
        self.classes_loss = classes_loss

    def _split(self, A: Array, Y: Array) -> tuple[Array, Array]:
        K = 5 + self.classes
        if A.shape != Y.shape or A.ndim != 4 or A.shape[-1] % K:
            raise ShapeError(
                f"YoloLoss takes A and Y (m, S, S, B·(5 + C)) of one shape with C = "
                f"{self.classes}, got {A.shape} and {Y.shape}"
            )
        return A.reshape(*A.shape[:3], -1, K), Y.reshape(*Y.shape[:3], -1, K)

    @staticmethod
    def _sqrt_wh(A5: Array) -> Array:
        return np.sqrt(np.maximum(A5[..., 3:5], np.finfo(A5.dtype).tiny))

    def parts(self, A: Array, Y: Array) -> dict[str, float]:
        """The four terms of J, each averaged over m: coord, obj, noobj, class."""
        A5, Y5 = self._split(A, Y)
        m, eps = A.shape[0], float(np.finfo(A.dtype).eps)
        obj = Y5[..., 0]
        p = np.clip(A5[..., 0], eps, 1 - eps)
        c = np.clip(A5[..., 5:], eps, 1 - eps)
        coord = np.sum((A5[..., 1:3] - Y5[..., 1:3]) ** 2, axis=-1)
        coord += np.sum((self._sqrt_wh(A5) - np.sqrt(Y5[..., 3:5])) ** 2, axis=-1)
        if self.objectness == "bce":
            on, off = -np.log(p), -np.log(1 - p)
        else:
            on, off = (1 - A5[..., 0]) ** 2, A5[..., 0] ** 2
        if self.classes_loss == "ce":
            cls = -np.sum(Y5[..., 5:] * np.log(c), axis=-1)
        else:
            cls = np.sum((A5[..., 5:] - Y5[..., 5:]) ** 2, axis=-1)
        return {
            "coord": float(self.lambda_coord * np.sum(obj * coord) / m),
            "obj": float(np.sum(obj * on) / m),
            "noobj": float(self.lambda_noobj * np.sum((1 - obj) * off) / m),
            "class": float(np.sum(obj * cls) / m),
        }

    def cost(self, A: Array, Y: Array) -> float:
        return float(sum(self.parts(A, Y).values()))

    def gradient(self, A: Array, Y: Array) -> Array:
        """dJ/dA, A's shape (each term's derivative, times 1/m):
        2λ_coord 1_obj (b̂ − b) for b_x, b_y; λ_coord 1_obj (√b̂ − √b)/√b̂ for b_w, b_h;
        bce: −1_obj/p̂ + λ_noobj 1_noobj/(1 − p̂) (squared: 2(1_obj (p̂ − 1) + λ_noobj
        1_noobj p̂)) for p_c; ce: −1_obj c/ĉ (squared: 2 1_obj (ĉ − c)) for the classes."""
        A5, Y5 = self._split(A, Y)
        m, eps = A.shape[0], float(np.finfo(A.dtype).eps)
        obj = Y5[..., :1]
        d = np.empty_like(A5)
        if self.objectness == "bce":
            p = np.clip(A5[..., :1], eps, 1 - eps)
            d[..., :1] = -obj / p + self.lambda_noobj * (1 - obj) / (1 - p)
        else:
            p = A5[..., :1]
            d[..., :1] = 2 * (obj * (p - 1) + self.lambda_noobj * (1 - obj) * p)
        d[..., 1:3] = 2 * self.lambda_coord * obj * (A5[..., 1:3] - Y5[..., 1:3])
        sw = self._sqrt_wh(A5)
        d[..., 3:5] = self.lambda_coord * obj * (sw - np.sqrt(Y5[..., 3:5])) / sw
        if self.classes_loss == "ce":
            d[..., 5:] = -obj * Y5[..., 5:] / np.clip(A5[..., 5:], eps, 1 - eps)
        else:
            d[..., 5:] = 2 * obj * (A5[..., 5:] - Y5[..., 5:])
        d /= m
        return d.reshape(A.shape)

    def __repr__(self) -> str:
        return (
            f"YoloLoss(classes={self.classes}, lambda_coord={self.lambda_coord}, "
            f"lambda_noobj={self.lambda_noobj}, objectness={self.objectness!r}, "
            f"classes_loss={self.classes_loss!r})"
        )


# --------------------------------------------------------------------------- network
def detector_layers(
    anchors: Sequence[Sequence[float]],
    classes: int,
    filters: Sequence[int] = (16, 16, 32, 64),
    pools: int | None = None,
    activation: str | dict = LEAKY,
    objectness_prior: float = 0.01,
) -> list[Layer]:
    """The detector's layers: a 3×3 'same' conv for each of ``filters``, the first
    ``pools`` of them (all but the last by default) each followed by a 2×2 max-pool; then
    a 1×1 linear conv to B·(5 + C) channels and ``YoloHead``. An n × n image gives an
    S × S grid with S = n / 2^pools (n = 48 and 3 pools: S = 6). ``activation``: the
    convolutions' g, YOLO's leaky ReLU max(z, 0.1 z) by default (plain ReLUs trained at
    Adam's 0.003 left up to a quarter of the last conv's channels dead);
    ``objectness_prior``: ``YoloHead``'s π, the p_c every slot starts at."""
    if not filters:
        raise ConfigError("filters must name at least one conv layer")
    a = _anchors(anchors)
    C = positive_int(classes, "classes")
    pools = len(filters) - 1 if pools is None else int(pools)
    if not 0 <= pools <= len(filters):
        raise ConfigError(f"pools must be 0 ... {len(filters)} (one per conv at most), got {pools}")
    layers: list[Layer] = []
    for k, f in enumerate(filters):
        layers.append(Conv2D(positive_int(f, "filters"), 3, padding="same", activation=activation))
        if k < pools:
            layers.append(Pool2D(2))
    layers.append(Conv2D(a.shape[0] * (5 + C), 1, activation="linear"))
    layers.append(YoloHead(a.tolist(), C, objectness_prior))
    return layers


# --------------------------------------------------------------------------- decoding
#: the p_c · c a detection must reach to be shown (pictures, ``layerwise predict``); mAP
#: is scored from a lower threshold (``decode``'s default) so that recall is not cut short
SHOW_THRESHOLD = 0.4


class Detections(NamedTuple):
    """One image's detections: boxes (k, 4) (y1, x1, y2, x2) pixels, scores (k,) =
    p_c · c of the best class, classes (k,) int64; highest score first."""

    boxes: Array
    scores: Array
    classes: Array


def grid_outputs(A: Array, classes: int) -> tuple[Array, Array, Array, Array]:
    """The course's yolo_outputs from a grid A (..., S, S, B·(5 + C)):
    ``(box_confidence (..., S, S, B, 1), box_xy (..., S, S, B, 2), box_wh (..., S, S, B, 2),
    box_class_probs (..., S, S, B, C))`` with centres (x, y) and sizes (w, h) as fractions
    of the image: x = (column + b_x)/S, y = (row + b_y)/S."""
    A = np.asarray(A)
    K = 5 + positive_int(classes, "classes")
    if A.ndim < 3 or A.shape[-1] % K or A.shape[-3] != A.shape[-2]:
        raise ShapeError(f"A must be a grid (..., S, S, B·(5 + C)) with 5 + C = {K}, got {A.shape}")
    S = A.shape[-2]
    G = A.reshape(*A.shape[:-1], -1, K)
    rows = np.arange(S).reshape(S, 1, 1)
    cols = np.arange(S).reshape(1, S, 1)
    x = (cols + G[..., 1]) / S
    y = (rows + G[..., 2]) / S
    return G[..., :1], np.stack([x, y], axis=-1), G[..., 3:5], G[..., 5:]


def decode(
    A: Array,
    classes: int,
    image_shape: Sequence[float],
    *,
    score_threshold: float = 0.05,
    nms: bool = True,
    iou_threshold: float = 0.5,
    max_boxes: int = 50,
) -> list[Detections]:
    """Grid outputs A (m, S, S, B·(5 + C)) -> one ``Detections`` per image.

    For each image: centre boxes → corners (``yolo_boxes_to_corners``) → the boxes whose
    p_c · c reaches ``score_threshold`` (``yolo_filter_boxes``) → pixels (``scale_boxes``,
    ``image_shape`` = (height, width)) → with ``nms``, per-class non-max suppression
    (``non_max_suppression`` with the classes, IoU > ``iou_threshold`` suppressed, at most
    ``max_boxes`` kept); without, every kept box, highest score first."""
    A = np.asarray(A)
    if A.ndim != 4:
        raise ShapeError(f"A must be (m, S, S, B·(5 + C)), got {A.shape}")
    H, W = _image_shape(image_shape)
    conf, xy, wh, probs = grid_outputs(A, classes)
    corners = yolo_boxes_to_corners(xy, np.maximum(wh, 0), order="yx")
    out = []
    for i in range(A.shape[0]):
        scores, boxes, cls = yolo_filter_boxes(conf[i], corners[i], probs[i], score_threshold)
        boxes = scale_boxes(boxes, (H, W))
        if nms:
            keep = non_max_suppression(scores, boxes, cls, max_boxes, iou_threshold)
        else:
            keep = np.argsort(-scores, kind="stable")
        out.append(Detections(boxes[keep], scores[keep], cls[keep]))
    return out
