"""Metrics on predictions (accuracy, confusion matrix, a detector's mean average
precision), and the course's bias/variance diagnosis.

Labels are (1, m) rows (class indices or 0/1) unless stated otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .detection import iou
from .errors import ConfigError, ShapeError


def accuracy(Y_hat: np.ndarray, Y: np.ndarray) -> float:
    """Fraction of the m examples where the predicted label equals the true one."""
    Y_hat, Y = np.asarray(Y_hat).reshape(-1), np.asarray(Y).reshape(-1)
    if Y_hat.shape != Y.shape:
        raise ShapeError(f"predictions have {Y_hat.size} labels but Y has {Y.size}")
    return float(np.mean(Y_hat == Y))


def accuracy_of(A: np.ndarray, Y: np.ndarray, output_activation: str) -> float | None:
    """Fraction of the m examples an output A classifies correctly, or None for a
    regression output. A: (n_y, m); Y: (n_y, m) targets (0/1 for one unit, one-hot for
    several)."""
    if output_activation not in ("sigmoid", "softmax"):
        return None
    # count / m is np.mean's value (an exact count), without its per-call overhead
    if A.shape[0] > 1 and output_activation == "softmax":
        hits = A.argmax(axis=0) == Y.argmax(axis=0)
    else:
        hits = (A > 0.5) == (Y > 0.5)
    return np.count_nonzero(hits) / hits.size if hits.size else float("nan")


def confusion_matrix(Y_hat: np.ndarray, Y: np.ndarray, C: int | None = None) -> np.ndarray:
    """(C, C) counts: row = true class, column = predicted class."""
    Y_hat = np.asarray(Y_hat).reshape(-1).astype(np.int64)
    Y = np.asarray(Y).reshape(-1).astype(np.int64)
    if Y_hat.shape != Y.shape:
        raise ShapeError(f"predictions have {Y_hat.size} labels but Y has {Y.size}")
    C = int(max(Y.max(initial=0), Y_hat.max(initial=0)) + 1) if C is None else int(C)
    out = np.zeros((C, C), dtype=np.int64)
    np.add.at(out, (Y, Y_hat), 1)
    return out


@dataclass(frozen=True)
class BiasVariance:
    """Train and dev error against the base (Bayes, human-level) error, and the verdict."""

    train_error: float
    dev_error: float
    base_error: float
    avoidable_bias: float
    variance: float
    verdict: str

    def __str__(self) -> str:
        return (
            f"base error {self.base_error:.2%}, train error {self.train_error:.2%}, "
            f"dev error {self.dev_error:.2%}\n"
            f"avoidable bias {self.avoidable_bias:.2%}, variance {self.variance:.2%}: "
            f"{self.verdict}"
        )


def bias_variance(
    train_error: float, dev_error: float, base_error: float = 0.0, tolerance: float = 0.02
) -> BiasVariance:
    """The course's diagnosis: avoidable bias = train - base, variance = dev - train.

    Each is "high" when it exceeds ``tolerance`` (2 points by default). The verdict is
    "high bias", "high variance", "high bias and high variance" or "fine". High bias:
    try a bigger network or training longer; high variance: more data or regularisation.
    """
    for name, value in (
        ("train_error", train_error),
        ("dev_error", dev_error),
        ("base_error", base_error),
    ):
        if not 0.0 <= float(value) <= 1.0:
            raise ConfigError(f"{name} must be a fraction in [0, 1], got {value}")
    if tolerance < 0:
        raise ConfigError(f"tolerance must be >= 0, got {tolerance}")
    bias = float(train_error) - float(base_error)
    variance = float(dev_error) - float(train_error)
    high_bias, high_var = bias > tolerance, variance > tolerance
    verdict = (
        "high bias and high variance"
        if high_bias and high_var
        else "high bias"
        if high_bias
        else "high variance"
        if high_var
        else "fine"
    )
    return BiasVariance(
        float(train_error), float(dev_error), float(base_error), bias, variance, verdict
    )


# --------------------------------------------------------------------------- detection
#: COCO's recall points: AP is the mean of the interpolated precision at these 101 recalls
RECALL_POINTS = np.linspace(0.0, 1.0, 101)


@dataclass(frozen=True)
class MeanAveragePrecision:
    """``mean``: mAP, the mean of ``per_class`` over the classes that have ground truth;
    ``per_class``: {class: AP} (NaN for a class that only has detections);
    ``n_ground_truth``: {class: number of true boxes}. ``float(result)`` is the mean."""

    mean: float
    per_class: dict[int, float] = field(default_factory=dict)
    n_ground_truth: dict[int, int] = field(default_factory=dict)

    def __float__(self) -> float:
        return self.mean


def _per_image(item: object, n_parts: int, what: str, i: int) -> list[np.ndarray]:
    if not isinstance(item, (tuple, list)) or len(item) != n_parts:
        raise ShapeError(f"{what}[{i}] must be a tuple of {n_parts} arrays")
    boxes = np.asarray(item[0], dtype=np.float64).reshape(-1, 4)
    rest = [np.asarray(a).reshape(-1) for a in item[1:]]
    for a in rest:
        if a.shape[0] != boxes.shape[0]:
            raise ShapeError(
                f"{what}[{i}]: {boxes.shape[0]} boxes but an array of {a.shape[0]} entries"
            )
    return [boxes, *rest]


def _match(d_boxes: np.ndarray, g_boxes: np.ndarray, threshold: float) -> np.ndarray:
    """COCO's greedy matching for one image and class: d_boxes in descending score order;
    each takes the unmatched true box of highest IoU >= threshold (ties: the later one).
    Returns (k,) bool, True for a true positive."""
    tp = np.zeros(d_boxes.shape[0], dtype=bool)
    if g_boxes.shape[0] == 0 or d_boxes.shape[0] == 0:
        return tp
    ious = np.asarray(iou(d_boxes[:, None, :], g_boxes[None, :, :])).reshape(
        d_boxes.shape[0], g_boxes.shape[0]
    )
    taken = np.zeros(g_boxes.shape[0], dtype=bool)
    for j in range(d_boxes.shape[0]):
        cand = np.where(taken, -1.0, ious[j])
        best = cand.max()
        if best >= threshold:
            g = int(np.flatnonzero(cand == best)[-1])
            taken[g] = tp[j] = True
    return tp


def average_precision(scores: np.ndarray, tp: np.ndarray, n_true: int) -> float:
    """COCO's 101-point interpolated AP from detections of one class over all images:
    scores (k,), tp (k,) whether each is a true positive, ``n_true`` true boxes (> 0).

        sort by score (descending, stable); recall = TP/n_true, precision = TP/(TP + FP)
        precision made non-increasing from the right (the envelope)
        AP = mean over r in {0, 0.01, ..., 1} of the envelope at the first recall >= r
             (0 where the recall never reaches r)
    """
    order = np.argsort(-np.asarray(scores, dtype=np.float64), kind="mergesort")
    hits = np.asarray(tp, dtype=bool)[order]
    tps = np.cumsum(hits, dtype=np.float64)
    fps = np.cumsum(~hits, dtype=np.float64)
    recall = tps / n_true
    precision = tps / (tps + fps + np.spacing(1))
    precision = np.maximum.accumulate(precision[::-1])[::-1]
    q = np.zeros(RECALL_POINTS.shape[0])
    idx = np.searchsorted(recall, RECALL_POINTS, side="left")
    ok = idx < recall.shape[0]
    q[ok] = precision[idx[ok]]
    return float(np.mean(q))


def mean_average_precision(
    detections: Sequence,
    ground_truth: Sequence,
    iou_threshold: float = 0.5,
    *,
    classes: int | None = None,
) -> MeanAveragePrecision:
    """mAP at one IoU threshold, as COCO computes AP (``COCOeval`` with ``iouThrs=[t]``,
    all areas, no cap on detections per image), averaged over the classes.

    detections: one ``(boxes (k, 4), scores (k,), classes (k,))`` per image (e.g.
    ``layerwise.yolo.Detections``); ground_truth: one ``(boxes (n, 4), classes (n,))`` per
    image, the same images in the same order. Boxes are corner boxes, (y1, x1, y2, x2) or
    (x1, y1, x2, y2), the same order in both.

    Per class: in each image the detections, highest score first, are matched greedily to
    the not yet matched true box of highest IoU, if it is >= ``iou_threshold``; a
    detection that finds none (a duplicate, a wrong place, a wrong class) is a false
    positive. The AP is then ``average_precision`` (101 recall points). A class with no
    true box has no AP (NaN) and is left out of the mean, as COCO does; ``classes`` = C
    reports classes 0 ... C − 1 even when absent.
    """
    t = float(iou_threshold)
    if not 0.0 <= t <= 1.0:
        raise ConfigError(f"iou_threshold must be in [0, 1], got {iou_threshold}")
    t = min(t, 1 - 1e-10)  # COCO's rule: an IoU of exactly 1 still matches at t = 1
    if len(detections) != len(ground_truth):
        raise ShapeError(
            f"detections has {len(detections)} images but ground_truth has {len(ground_truth)}"
        )
    dets = [_per_image(d, 3, "detections", i) for i, d in enumerate(detections)]
    gts = [_per_image(g, 2, "ground_truth", i) for i, g in enumerate(ground_truth)]
    found = {int(c) for g in gts for c in g[1]} | {int(c) for d in dets for c in d[2]}
    if classes is not None:
        found |= set(range(int(classes)))
    per_class, counts = {}, {}
    for c in sorted(found):
        scores, hits, n_true = [], [], 0
        for (d_boxes, d_scores, d_cls), (g_boxes, g_cls) in zip(dets, gts):
            g = g_boxes[g_cls == c]
            n_true += g.shape[0]
            mine = d_cls == c
            if not np.any(mine):
                continue
            s = d_scores[mine].astype(np.float64)
            order = np.argsort(-s, kind="mergesort")
            scores.append(s[order])
            hits.append(_match(d_boxes[mine][order], g, t))
        counts[c] = n_true
        if n_true == 0:
            per_class[c] = float("nan")
            continue
        if not scores:
            per_class[c] = 0.0
            continue
        per_class[c] = average_precision(np.concatenate(scores), np.concatenate(hits), n_true)
    valid = [ap for c, ap in per_class.items() if counts[c] > 0]
    mean = float(np.mean(valid)) if valid else float("nan")
    return MeanAveragePrecision(mean, per_class, counts)
