"""layerwise.yolo: targets, the YoloHead layer, the loss (gradient-checked), decoding and a
tiny end-to-end training run."""

from __future__ import annotations

import numpy as np
import pytest

import layerwise as lw
from layerwise import yolo
from layerwise.data import make_shapes
from layerwise.errors import ConfigError, ShapeError
from layerwise.layers import YoloHead, build_layer
from layerwise.metrics import mean_average_precision

ANCHORS = [[0.2, 0.2], [0.35, 0.3]]
C = 3
K = 5 + C


def random_grid_targets(rng, m, S, B=2, p_object=0.3):
    """Targets (m, S, S, B·(5 + C)): each slot holds an object with probability p_object
    (centre in [0, 1), sizes in (0.05, 0.6), a one-hot class), else zeros."""
    Y = np.zeros((m, S, S, B, K))
    obj = rng.random((m, S, S, B)) < p_object
    Y[..., 0] = obj
    Y[..., 1:3] = rng.random((m, S, S, B, 2))
    Y[..., 3:5] = rng.uniform(0.05, 0.6, (m, S, S, B, 2))
    Y[..., 5:] = np.eye(C)[rng.integers(0, C, (m, S, S, B))]
    Y[~obj] = 0
    return Y.reshape(m, S, S, B * K)


def built_head(S, B=2, prior=0.01):
    head = YoloHead(ANCHORS[:B], C, prior)
    build_layer(head, (S, S, B * K), np.random.default_rng(0), dtype="float64")
    return head


def random_grid_outputs(rng, m, S, B=2):
    """A grid as YoloHead would output it, from random raw values (p_c around 0.5, where
    the finite differences of log p̂ are accurate)."""
    return built_head(S, B, prior=0.5).forward(rng.normal(0, 1.5, (m, S, S, B * K)))


# --------------------------------------------------------------------------- targets
def test_encode_targets_by_hand():
    # a 40 × 60 (height × width) image, S = 4: cells of 10 × 15 pixels. A box 12 high and
    # 18 wide centred at (y, x) = (25, 37.5): x = 37.5/60 = 0.625 → column 2, b_x = 0.5;
    # y = 25/40 = 0.625 → row 2, b_y = 0.5; b_w = 18/60 = 0.3, b_h = 12/40 = 0.3: anchor 1
    # (0.35 × 0.3) fits best
    box = [25 - 6, 37.5 - 9, 25 + 6, 37.5 + 9]
    Y = yolo.encode_targets(
        [np.array([box])], [np.array([2])], S=4, anchors=ANCHORS, classes=C, image_shape=(40, 60)
    )
    assert Y.shape == (1, 4, 4, 2 * K) and Y.dtype == np.float32
    slot = Y[0, 2, 2, K : 2 * K]
    np.testing.assert_allclose(slot, [1, 0.5, 0.5, 0.3, 0.3, 0, 0, 1], atol=1e-7)
    assert Y.sum() == pytest.approx(slot.sum())  # nothing else is set


def test_encode_targets_shares_a_cell_then_drops():
    # three small boxes with their centres in one cell: the first takes the best anchor,
    # the second the other one, the third finds no free slot
    boxes = np.array([[4, 4, 14, 14], [5, 5, 15, 15], [6, 6, 14, 14]], dtype=float)
    Y, dropped = yolo.encode_targets(
        [boxes],
        [np.array([0, 1, 2])],
        S=4,
        anchors=ANCHORS,
        classes=C,
        image_shape=(64, 64),
        return_dropped=True,
    )
    assert dropped == 1
    cell = Y[0, 0, 0].reshape(2, K)
    np.testing.assert_array_equal(cell[:, 0], [1, 1])
    np.testing.assert_array_equal(cell[:, 5:], [[1, 0, 0], [0, 1, 0]])


def test_encode_targets_bad_input():
    with pytest.raises(ConfigError):
        yolo.encode_targets(
            [np.array([[0, 0, 5, 5]])], [np.array([3])], S=2, anchors=ANCHORS, classes=3,
            image_shape=(10, 10),
        )  # fmt: skip
    with pytest.raises(ShapeError):
        yolo.encode_targets(
            [np.array([[0, 0, 5, 5]])], [np.array([0, 1])], S=2, anchors=ANCHORS, classes=3,
            image_shape=(10, 10),
        )  # fmt: skip
    with pytest.raises(ConfigError):
        yolo.encode_targets([], [], S=2, anchors=[[0.1, -1]], classes=3, image_shape=(10, 10))


def test_encode_then_decode_gives_back_the_boxes():
    X, boxes, labels = make_shapes(30, image_size=48, seed=3)
    Y = yolo.encode_targets(boxes, labels, S=6, anchors=ANCHORS, classes=C, image_shape=(48, 48))
    found = yolo.decode(Y, C, (48, 48), score_threshold=0.5)
    for det, b, lb in zip(found, boxes, labels):
        order = np.lexsort((b[:, 1], b[:, 0]))
        got = np.lexsort((det.boxes[:, 1], det.boxes[:, 0]))
        np.testing.assert_allclose(det.boxes[got], b[order], atol=1e-4)
        np.testing.assert_array_equal(det.classes[got], lb[order])
        np.testing.assert_array_equal(det.scores, 1.0)
    truth = list(zip(boxes, labels))
    assert mean_average_precision(found, truth).mean == pytest.approx(1.0, abs=1e-12)


# --------------------------------------------------------------------------- the head
def test_yolo_head_forward_values():
    head = built_head(2)
    t = np.zeros((1, 2, 2, 2 * K))
    t[0, 1, 0, K + 3] = np.log(2.0)  # anchor 1's b_w = 0.35 · 2
    t[0, 1, 0, K + 5 : K + 8] = [0.0, np.log(3.0), 0.0]
    A = head.forward(t).reshape(1, 2, 2, 2, K)
    # p_c starts at the objectness prior 0.01, the centres at the middle of their cell
    np.testing.assert_allclose(A[0, 0, 0, 0, :5], [0.01, 0.5, 0.5, 0.2, 0.2])
    np.testing.assert_allclose(A[0, 1, 0, 1, :5], [0.01, 0.5, 0.5, 0.7, 0.3])
    np.testing.assert_allclose(A[0, 1, 0, 1, 5:], [0.2, 0.6, 0.2])
    big = head.forward(np.full((1, 2, 2, 2 * K), 1e4))  # no overflow: t is clipped
    assert np.all(np.isfinite(big))
    with pytest.raises(ShapeError):
        build_layer(YoloHead(ANCHORS, C), (2, 2, 2 * K + 1), np.random.default_rng(0))
    plain = YoloHead(ANCHORS, C, objectness_prior=0.5)
    build_layer(plain, (2, 2, 2 * K), np.random.default_rng(0), dtype="float64")
    assert plain.forward(t)[0, 0, 0, 0] == 0.5
    with pytest.raises(ConfigError):
        YoloHead([[0.2]], C)
    with pytest.raises(ConfigError):
        YoloHead(ANCHORS, C, objectness_prior=1.0)


def test_detector_saves_and_loads(tmp_path):
    model = lw.Sequential(yolo.detector_layers(ANCHORS, C, (4, 6)), input_dim=(16, 16, 3), seed=0)
    assert model.layers[-1].output_shape == (8, 8, 2 * K)
    X = np.random.default_rng(0).random((2, 16, 16, 3))
    same = lw.load(model.save(tmp_path / "detector.npz"))
    np.testing.assert_array_equal(same.predict_proba(X), model.predict_proba(X))
    assert same.layers[-1].config() == {"anchors": ANCHORS, "classes": C, "objectness_prior": 0.01}


# --------------------------------------------------------------------------- the loss
def numerical_gradient(loss, A, Y, eps=1e-6):
    grad = np.zeros_like(A)
    flat, g = A.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        keep = flat[i]
        flat[i] = keep + eps
        plus = loss.cost(A, Y)
        flat[i] = keep - eps
        minus = loss.cost(A, Y)
        flat[i] = keep
        g[i] = (plus - minus) / (2 * eps)
    return grad


@pytest.mark.parametrize("form", [("bce", "ce"), ("squared", "squared")])
@pytest.mark.parametrize("p_object", [0.0, 0.3, 1.0])
def test_loss_gradient_matches_differences(form, p_object):
    rng = np.random.default_rng(1)
    loss = yolo.YoloLoss(C, objectness=form[0], classes_loss=form[1])
    A = random_grid_outputs(rng, 2, 3)
    Y = random_grid_targets(rng, 2, 3, p_object=p_object)
    analytic, numeric = loss.gradient(A, Y), numerical_gradient(loss, A, Y)
    diff = np.linalg.norm(analytic - numeric) / (np.linalg.norm(analytic) + np.linalg.norm(numeric))
    assert diff < 1e-7


def test_loss_by_hand():
    # one image, a 1 × 1 grid, one anchor, C = 3; the slot holds an object
    y = np.array([1, 0.5, 0.5, 0.25, 0.16, 0, 1, 0]).reshape(1, 1, 1, K)
    a = np.array([0.8, 0.6, 0.3, 0.36, 0.16, 0.2, 0.5, 0.3]).reshape(1, 1, 1, K)
    coord = 5 * ((0.1**2 + 0.2**2) + ((0.6 - 0.5) ** 2 + 0.0))
    parts = yolo.YoloLoss(C).parts(a, y)  # YOLO v1's squared errors
    assert parts["coord"] == pytest.approx(coord)
    assert parts["obj"] == pytest.approx(0.04)
    assert parts["noobj"] == 0.0
    assert parts["class"] == pytest.approx(0.04 + 0.25 + 0.09)
    logs = yolo.YoloLoss(C, objectness="bce", classes_loss="ce").parts(a, y)
    assert logs["coord"] == pytest.approx(coord)
    assert logs["obj"] == pytest.approx(-np.log(0.8))
    assert logs["class"] == pytest.approx(-np.log(0.5))
    # an empty slot costs λ_noobj · L(p̂, 0) only, and the cost averages over m
    two, empty = np.concatenate([a, a]), np.zeros((2, 1, 1, K))
    assert yolo.YoloLoss(C).cost(two, empty) == pytest.approx(0.5 * 0.64)
    bce = yolo.YoloLoss(C, objectness="bce", classes_loss="ce")
    assert bce.cost(two, empty) == pytest.approx(0.5 * -np.log(0.2))
    with pytest.raises(ShapeError):
        yolo.YoloLoss(C).cost(a, y[..., :7])
    with pytest.raises(ConfigError):
        yolo.YoloLoss(C, objectness="l1")


@pytest.mark.parametrize("form", [("bce", "ce"), ("squared", "squared")])
@pytest.mark.parametrize("p_object", [0.0, 0.4])
def test_gradcheck_detector(form, p_object):
    """layerwise.gradcheck through conv, pool, the 1×1 head conv and YoloHead (float64)."""
    rng = np.random.default_rng(2)
    model = lw.Sequential(yolo.detector_layers(ANCHORS, C, (3, 5)), input_dim=(8, 8, 3), seed=4)
    X = rng.random((3, 8, 8, 3))
    Y = random_grid_targets(rng, 3, 4, p_object=p_object)
    loss = yolo.YoloLoss(C, objectness=form[0], classes_loss=form[1])
    assert lw.gradcheck(model, X, Y, loss=loss) < 1e-7


# --------------------------------------------------------------------------- decoding
def test_decode_with_and_without_nms():
    # one cell, two anchors predicting nearly the same box of class 0: NMS keeps one
    S = 2
    A = np.zeros((1, S, S, 2, K))
    A[0, 0, 1, :, :5] = [[0.9, 0.5, 0.5, 0.4, 0.4], [0.8, 0.55, 0.5, 0.4, 0.4]]
    A[0, 0, 1, :, 5] = 1.0
    A[0, 1, 1, 0, :5] = [0.03, 0.5, 0.5, 0.2, 0.2]  # under the score threshold
    A[0, 1, 1, 0, 6] = 1.0
    A = A.reshape(1, S, S, 2 * K)
    both = yolo.decode(A, C, (100, 200), nms=False)[0]
    one = yolo.decode(A, C, (100, 200))[0]
    assert len(both.scores) == 2 and len(one.scores) == 1
    # centre x = (column 1 + 0.5)/2 = 0.75 → 150 px of 200, w = 0.4 → 80 px; y = 0.25 → 25 px
    np.testing.assert_allclose(one.boxes[0], [25 - 20, 150 - 40, 25 + 20, 150 + 40])
    assert one.scores[0] == pytest.approx(0.9) and one.classes[0] == 0
    np.testing.assert_allclose(both.scores, [0.9, 0.8])


# --------------------------------------------------------------------------- training
def test_tiny_training_run_lowers_the_loss():
    X, boxes, labels = make_shapes(12, image_size=24, seed=0, max_objects=2)
    model = lw.Sequential(yolo.detector_layers(ANCHORS, C, (8, 8)), input_dim=(24, 24, 3), seed=0)
    S = model.layers[-1].output_shape[0]
    Y = yolo.encode_targets(boxes, labels, S=S, anchors=ANCHORS, classes=C, image_shape=(24, 24))
    loss = yolo.YoloLoss(C)
    before = model.evaluate(X, Y, loss=loss)["loss"]
    history = model.fit(
        X, Y, epochs=15, batch_size=4, optimizer=lw.Adam(learning_rate=0.01), loss=loss, verbose=0
    )
    after = model.evaluate(X, Y, loss=loss)["loss"]
    costs = history.history["loss"]
    assert after < 0.7 * before and costs[-1] < costs[0]
    assert len(yolo.decode(model.predict_proba(X), C, (24, 24))) == 12


def test_course_yolo_command_runs_small(tmp_path, capsys):
    """`layerwise course yolo` end to end on a few scenes (the real run is the example)."""
    from layerwise.cli import main

    out = tmp_path / "yolo"
    argv = ["course", "yolo", "--train", "40", "--dev", "10", "--test", "20", "--epochs", "1"]
    assert main([*argv, "--image-size", "24", "--quiet", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "with NMS" in text and "without NMS" in text and "triangle" in text
    for name in ("detections.png", "learning_curve.png", "detector.npz", "metrics.json"):
        assert (out / name).is_file()
    assert lw.load(out / "detector.npz").layers[-1].output_shape == (3, 3, 2 * K)


def test_predict_command_gives_a_detectors_boxes_in_the_pictures_own_pixels(tmp_path, capsys):
    """A detector whose last conv is zero with a chosen bias predicts, in every one of its
    S × S = 4 × 4 cells, one box of anchor 0's size centred in the cell, of class
    "circle" with p_c · c = softmax([0, 5, 0])[1]. On a 40 × 80 (height × width) picture
    the boxes are, in that picture's pixels, y1 = 10 r + 2.5, y2 = 10 r + 7.5 (h = 0.125
    · 40) and x1 = 20 c, x2 = 20 c + 20 (w = 0.25 · 80), for row r and column c."""
    from PIL import Image

    from layerwise.cli import main

    anchors = [[0.25, 0.125], [0.35, 0.3]]
    model = lw.Sequential(
        yolo.detector_layers(anchors, C, (4, 6, 6)), input_dim=(16, 16, 3), seed=0
    )
    model.classes_ = ["square", "circle", "triangle"]
    last_conv = model.layers[-2]
    t = np.zeros((2, K))
    t[0, 0], t[1, 0] = 20.0, -20.0  # slot 0 holds an object, slot 1 none
    t[0, 5:] = [0.0, 5.0, 0.0]
    last_conv.params["W"][...] = 0.0
    last_conv.params["b"][...] = t.reshape(last_conv.params["b"].shape)
    model.save(tmp_path / "detector.npz")
    pixels = np.random.default_rng(0).integers(0, 256, (40, 80, 3), dtype=np.uint8)
    Image.fromarray(pixels).save(tmp_path / "scene.png")

    argv = ["predict", str(tmp_path / "detector.npz"), str(tmp_path / "scene.png")]
    assert main([*argv, "--out", str(tmp_path / "boxes.csv")]) == 0
    lines = (tmp_path / "boxes.csv").read_text().splitlines()
    assert lines[0] == "class,score,y1,x1,y2,x2"
    rows = [line.split(",") for line in lines[1:]]
    assert len(rows) == 16 and {r[0] for r in rows} == {"circle"}
    score = np.exp(5.0) / (np.exp(5.0) + 2.0)
    np.testing.assert_allclose([float(r[1]) for r in rows], score, rtol=1e-5)
    got = sorted(tuple(float(v) for v in r[2:]) for r in rows)
    want = sorted(
        (10.0 * r + 2.5, 20.0 * c, 10.0 * r + 7.5, 20.0 * c + 20)
        for r in range(4)
        for c in range(4)
    )
    np.testing.assert_allclose(got, want, atol=0.051)

    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "scene.png: 16 object(s)" in text and "(40×80 pixels)" in text
    assert main([*argv, "--threshold", "0.99"]) == 0  # above every score
    assert "scene.png: 0 object(s)" in capsys.readouterr().out
    assert main(["predict", str(tmp_path / "detector.npz"), str(tmp_path / "boxes.csv")]) == 2
    assert "this model is a detector: give it a picture" in capsys.readouterr().err
