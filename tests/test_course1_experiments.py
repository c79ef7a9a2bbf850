"""The course-1 experiments (logreg, planar, two-layer, deep): flags, output, PNGs, --save.

The runs here are short (a few iterations); the published numbers are tested against the
course functions in test_course_*.py.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest

import layerwise as lw
from layerwise.course import experiments
from layerwise.course.experiments import deep, logreg, planar, two_layer
from layerwise.errors import DataError

MODULES = {"logreg": logreg, "planar": planar, "two-layer": two_layer, "deep": deep}


@pytest.mark.parametrize("name", list(MODULES))
def test_registered(name):
    assert experiments.get_main(name) is MODULES[name].main


@pytest.mark.parametrize("name", list(MODULES))
def test_help(name, capsys):
    with pytest.raises(SystemExit) as exc:
        MODULES[name].main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert f"layerwise course {name}" in out and "--out" in out


@pytest.mark.parametrize("name", ["logreg", "two-layer", "deep"])
def test_missing_data_raises_data_error(name, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(DataError, match="train_catvnoncat.h5"):
        MODULES[name].main(["--data-dir", str(tmp_path / "nowhere"), "--out", str(out)])
    assert not out.exists()


def test_logreg(course1_dir, tmp_path, capsys, assert_pngs):
    code = logreg.main(
        [
            "--data-dir", str(course1_dir), "--out", str(tmp_path),
            "--iterations", "101", "--compare-iterations", "1",
        ]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "Cost after iteration 0: 0.693147" in out
    assert "Cost after iteration 100: 0.584508" in out
    assert "train accuracy: " in out and "test accuracy: " in out
    for lr in ("0.01", "0.001", "0.0001"):
        assert f"Training a model with learning rate: {lr}" in out
        assert any(line.startswith(lr + " ") for line in out.splitlines())
    assert_pngs(tmp_path, "learning_curve.png", "learning_rates.png")


def test_planar(tmp_path, capsys, assert_pngs):
    code = planar.main(["--out", str(tmp_path), "--iterations", "20", "--sweep-iterations", "20"])
    out = capsys.readouterr().out
    assert code == 0
    assert "Cost after iteration 0: 0.693162" in out
    for n_h in (1, 2, 3, 4, 5, 20, 50):
        assert f"Accuracy for {n_h} hidden units: " in out
    assert_pngs(tmp_path, "decision_boundary.png", "hidden_sizes.png")
    try:
        import sklearn  # noqa: F401
    except ImportError:
        assert "baseline was skipped" in out
    else:
        assert "Accuracy of logistic regression: 47 %" in out
        assert_pngs(tmp_path, "logistic_regression.png")


def test_planar_without_scikit_learn(tmp_path, capsys, monkeypatch, assert_pngs):
    monkeypatch.setitem(sys.modules, "sklearn.linear_model", None)  # import fails
    code = planar.main(["--out", str(tmp_path), "--iterations", "2", "--sweep-iterations", "2"])
    out = capsys.readouterr().out
    assert code == 0
    assert "scikit-learn is not installed: the logistic-regression baseline was skipped" in out
    assert not (tmp_path / "logistic_regression.png").exists()
    assert_pngs(tmp_path, "decision_boundary.png", "hidden_sizes.png")


def test_two_layer_with_save(course1_dir, tmp_path, capsys, assert_pngs):
    saved = tmp_path / "params.npz"
    code = two_layer.main(
        [
            "--data-dir", str(course1_dir), "--out", str(tmp_path / "run"),
            "--iterations", "3", "--save", str(saved),
        ]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "Cost after iteration 0: 0.69304973565998" in out
    assert "Cost after iteration 2: " in out
    assert out.count("Accuracy: ") == 2
    assert_pngs(tmp_path / "run", "learning_curve.png", "mislabeled.png")
    model = lw.load(saved)
    assert {k: v.shape for k, v in model.parameters.items()} == {
        "W1": (7, 12288),
        "b1": (7, 1),
        "W2": (1, 7),
        "b2": (1, 1),
    }
    assert model.classes_ == ["non-cat", "cat"]


def test_deep_save_is_a_model_that_predicts_a_picture(course1_dir, tmp_path, capsys, assert_pngs):
    """`layerwise course deep --save cat` then `layerwise predict cat.npz picture.png`."""
    from PIL import Image

    from layerwise.cli import main as cli_main
    from layerwise.course import deep_application
    from layerwise.data import flatten_images, load_cat_files, scale_pixels

    code = deep.main(
        [
            "--data-dir", str(course1_dir), "--out", str(tmp_path),
            "--iterations", "2", "--save", str(tmp_path / "cat"),
        ]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "Cost after iteration 0: 0.77174932842376" in out
    assert "saved the model to" in out
    assert_pngs(tmp_path, "learning_curve.png", "mislabeled.png")
    model = lw.load(tmp_path / "cat.npz")
    assert sorted(model.parameters) == ["W1", "W2", "W3", "W4", "b1", "b2", "b3", "b4"]
    assert model.parameters["W2"].shape == (7, 20)

    # The saved model computes what the course's forward pass computes with its parameters.
    _, _, test_x_orig, _, _ = load_cat_files(course1_dir)
    X = scale_pixels(flatten_images(test_x_orig))
    params = {k: v.copy() for k, v in model.parameters.items()}
    AL, _ = deep_application.L_model_forward(X, params)
    np.testing.assert_allclose(model.predict_proba(X), AL, rtol=1e-12)

    # A 64 x 64 picture is read unchanged, so its probability is the course's AL[0, 0].
    Image.fromarray(test_x_orig[0]).save(tmp_path / "picture.png")
    assert cli_main(["predict", str(tmp_path / "cat.npz"), str(tmp_path / "picture.png")]) == 0
    line = capsys.readouterr().out.strip()
    p_cat = float(AL[0, 0])
    name, prob = ("cat", p_cat) if p_cat > 0.5 else ("non-cat", 1 - p_cat)
    assert line == f"picture.png: {name} (probability {prob:.4f})"


def test_deep_without_save_writes_no_parameters(course1_dir, tmp_path, capsys):
    code = deep.main(["--data-dir", str(course1_dir), "--out", str(tmp_path), "--iterations", "1"])
    assert code == 0
    assert "saved the model" not in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["learning_curve.png", "mislabeled.png"]
