"""mean_average_precision: a hand-worked case, edge cases, and pycocotools as the oracle."""

from __future__ import annotations

import contextlib
import io
import math

import numpy as np
import pytest

from layerwise.errors import ConfigError, ShapeError
from layerwise.metrics import average_precision, mean_average_precision


def test_hand_worked_case():
    # image 0, class 0: two true boxes g1, g2; detections at 0.9 (IoU 0.81 with g1), 0.8
    #   (nowhere), 0.7 (IoU 0.82 with g2): precision 1, 1/2, 2/3 at recall 1/2, 1/2, 1;
    #   envelope 1, 2/3, 2/3; recall points 0 ... 0.50 (51 of them) read 1, 0.51 ... 1
    #   (50) read 2/3: AP = (51 + 50 * 2/3) / 101 = 253/303
    # image 0, class 1: one true box g3; detections at 0.6 (IoU exactly 0.5: a hit, as
    #   IoU >= threshold) and 0.5 (IoU 0.9, but g3 is taken: a duplicate, a false positive
    #   after full recall, which costs nothing): AP = 1
    # image 1, class 2: a detection and no true box of class 2 anywhere: no AP (NaN),
    #   left out of the mean
    g1, g2, g3 = [0, 0, 10, 10], [20, 20, 30, 30], [0, 0, 10, 10]
    truth = [
        (np.array([g1, g2, g3]), np.array([0, 0, 1])),
        (np.zeros((0, 4)), np.zeros(0, dtype=int)),
    ]
    dets = [
        (
            np.array(
                [[1, 1, 10, 10], [40, 40, 45, 45], [20, 21, 30, 31], [0, 0, 10, 5], [0, 0, 10, 9]]
            ),
            np.array([0.9, 0.8, 0.7, 0.6, 0.5]),
            np.array([0, 0, 0, 1, 1]),
        ),
        (np.array([[5, 5, 9, 9]]), np.array([0.4]), np.array([2])),
    ]
    r = mean_average_precision(dets, truth, 0.5)
    assert r.per_class[0] == pytest.approx(253 / 303, abs=1e-12)
    assert r.per_class[1] == pytest.approx(1.0, abs=1e-12)
    assert math.isnan(r.per_class[2])
    assert r.n_ground_truth == {0: 2, 1: 1, 2: 0}
    assert r.mean == pytest.approx((253 / 303 + 1) / 2, abs=1e-12)
    assert float(r) == r.mean
    # at IoU 0.75 the class-1 detection at IoU 0.5 misses and the one at 0.9 hits:
    # precision 1/2 at recall 1, so AP = 1/2; class 0's hits (0.81, 0.82) still count
    r75 = mean_average_precision(dets, truth, 0.75)
    assert r75.per_class[0] == pytest.approx(253 / 303, abs=1e-12)
    assert r75.per_class[1] == pytest.approx(0.5, abs=1e-12)


def test_average_precision_steps():
    # every detection a hit, half the true boxes found: recall points 0 ... 0.5 read 1
    assert average_precision(np.array([0.9, 0.8]), np.array([True, True]), 4) == pytest.approx(
        51 / 101
    )
    assert average_precision(np.array([0.9]), np.array([False]), 1) == 0.0


def test_edge_cases():
    truth = [(np.array([[0, 0, 10, 10]]), np.array([0]))]
    perfect = [(np.array([[0, 0, 10, 10]]), np.array([0.3]), np.array([0]))]
    assert mean_average_precision(perfect, truth).mean == pytest.approx(1.0, abs=1e-15)
    none = [(np.zeros((0, 4)), np.zeros(0), np.zeros(0, dtype=int))]
    assert mean_average_precision(none, truth).mean == 0.0
    wrong_class = [(np.array([[0, 0, 10, 10]]), np.array([0.3]), np.array([1]))]
    r = mean_average_precision(wrong_class, truth, classes=3)
    assert r.per_class[0] == 0.0 and math.isnan(r.per_class[1]) and math.isnan(r.per_class[2])
    # a duplicate scored below the hit costs nothing; a miss scored above it halves AP
    dup = [(np.array([[0, 0, 10, 10], [0, 0, 10, 10]]), np.array([0.3, 0.2]), np.array([0, 0]))]
    assert mean_average_precision(dup, truth).mean == pytest.approx(1.0, abs=1e-15)
    shifted = [(np.array([[0, 0, 10, 4], [0, 0, 10, 10]]), np.array([0.9, 0.2]), np.array([0, 0]))]
    assert mean_average_precision(shifted, truth).mean == pytest.approx(0.5)
    assert math.isnan(mean_average_precision(none, [(np.zeros((0, 4)), np.zeros(0))]).mean)


def test_bad_arguments():
    truth = [(np.array([[0, 0, 10, 10]]), np.array([0]))]
    dets = [(np.array([[0, 0, 10, 10]]), np.array([0.3]), np.array([0]))]
    with pytest.raises(ShapeError):
        mean_average_precision(dets, truth * 2)
    with pytest.raises(ConfigError):
        mean_average_precision(dets, truth, iou_threshold=1.5)
    with pytest.raises(ShapeError):
        mean_average_precision([(np.zeros((2, 4)), np.zeros(1), np.zeros(2))], truth)


# --------------------------------------------------------------------------- pycocotools
def _coco_ap(dets, truth, C, threshold):
    """Per-class AP and mAP from pycocotools' COCOeval at one IoU threshold, all areas."""
    pytest.importorskip("pycocotools")
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval

    def xywh(b):  # (y1, x1, y2, x2) -> COCO's [x, y, w, h]
        return [float(b[1]), float(b[0]), float(b[3] - b[1]), float(b[2] - b[0])]

    anns, results = [], []
    for i, (boxes, classes) in enumerate(truth):
        for b, c in zip(boxes, classes):
            box = xywh(b)
            anns.append(
                {
                    "id": len(anns) + 1,  # COCO ids start at 1 (0 means "unmatched")
                    "image_id": i + 1,
                    "category_id": int(c) + 1,
                    "bbox": box,
                    "area": box[2] * box[3],
                    "iscrowd": 0,
                }
            )
    for i, (boxes, scores, classes) in enumerate(dets):
        for b, s, c in zip(boxes, scores, classes):
            results.append(
                {"image_id": i + 1, "category_id": int(c) + 1, "bbox": xywh(b), "score": float(s)}
            )
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO()
        gt.dataset = {
            "images": [{"id": i + 1} for i in range(len(truth))],
            "annotations": anns,
            "categories": [{"id": c + 1} for c in range(C)],
        }
        gt.createIndex()
        dt = gt.loadRes(results)
        ev = COCOeval(gt, dt, "bbox")
        ev.params.iouThrs = np.array([threshold])
        ev.params.maxDets = [10_000]
        ev.params.areaRng = [[0, 1e10]]
        ev.params.areaRngLbl = ["all"]
        ev.evaluate()
        ev.accumulate()
    precision = ev.eval["precision"][0, :, :, 0, 0]  # (101 recall points, K classes)
    per = {
        c: float(precision[:, c].mean()) if np.all(precision[:, c] > -1) else math.nan
        for c in range(C)
    }
    valid = [v for v in per.values() if not math.isnan(v)]
    return per, float(np.mean(valid)) if valid else math.nan


def _random_case(rng, C=3, size=60.0, decimals=None):
    """Random true boxes and detections: most near a true box (often of its class, some
    duplicates), the rest anywhere; scores rounded to ``decimals`` to make ties."""
    truth, dets = [], []

    def boxes(n):
        y, x = rng.uniform(0, size, n), rng.uniform(0, size, n)
        h, w = rng.uniform(2, 15, n), rng.uniform(2, 15, n)
        return np.stack([y, x, y + h, x + w], axis=1)

    for _ in range(int(rng.integers(1, 9))):
        n_true, k = int(rng.integers(0, 6)), int(rng.integers(0, 12))
        g, g_cls = boxes(n_true), rng.integers(0, C, n_true)
        truth.append((g, g_cls))
        d, d_cls = boxes(k), rng.integers(0, C, k)
        if n_true:
            near = rng.random(k) < 0.6
            idx = rng.integers(0, n_true, k)
            d[near] = g[idx][near] + rng.normal(0, 1.5, (int(near.sum()), 4))
            same = near & (rng.random(k) < 0.8)
            d_cls[same] = g_cls[idx][same]
        d[:, 2] = np.maximum(d[:, 2], d[:, 0] + 0.1)
        d[:, 3] = np.maximum(d[:, 3], d[:, 1] + 0.1)
        scores = rng.random(k)
        if decimals is not None:
            scores = np.round(scores, decimals)
        dets.append((d, scores, d_cls))
    return dets, truth


@pytest.mark.parametrize("threshold", [0.5, 0.3, 0.75])
def test_agrees_with_pycocotools(threshold):
    rng = np.random.default_rng(7)
    C, checked = 3, 0
    for _ in range(40):
        dets, truth = _random_case(rng, C)
        if sum(len(s) for _, s, _ in dets) == 0:
            continue  # COCO's loadRes refuses an empty result list
        per, mean = _coco_ap(dets, truth, C, threshold)
        mine = mean_average_precision(dets, truth, threshold, classes=C)
        for c in range(C):
            if math.isnan(per[c]):
                assert math.isnan(mine.per_class[c])
            else:
                assert mine.per_class[c] == pytest.approx(per[c], abs=1e-6)
        if math.isnan(mean):
            assert math.isnan(mine.mean)
        else:
            assert mine.mean == pytest.approx(mean, abs=1e-6)
        checked += 1
    assert checked > 30


def test_agrees_with_pycocotools_on_detector_like_output():
    """Many images, and scores with ties (one decimal), which both order by stable sorts:
    per image, then over all images in image order."""
    rng = np.random.default_rng(11)
    dets, truth = [], []
    for _ in range(60):
        d, t = _random_case(rng, 2, decimals=1)
        dets += d
        truth += t
    per, mean = _coco_ap(dets, truth, 2, 0.5)
    mine = mean_average_precision(dets, truth, 0.5, classes=2)
    assert mine.mean == pytest.approx(mean, abs=1e-6)
    for c in range(2):
        assert mine.per_class[c] == pytest.approx(per[c], abs=1e-6)
