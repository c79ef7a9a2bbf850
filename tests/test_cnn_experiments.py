"""The course-4 CNN experiments (cat-cnn, transfer): flags, tables, PNGs, frozen layers,
and `layerwise predict` with a conv model.

Smoke runs only (one seed, an epoch or two, small subsets); the full three-seed runs are
examples/course4_cat_cnn.py and examples/course4_transfer.py.
"""

from __future__ import annotations

import contextlib
import io
import re
from types import SimpleNamespace

import numpy as np
import pytest

import layerwise as lw
from layerwise.course import experiments
from layerwise.course.experiments import cnn, transfer
from layerwise.errors import DataError

MODULES = {"cat-cnn": cnn, "transfer": transfer}


@pytest.fixture(scope="module")
def digits():
    pytest.importorskip("sklearn", reason="the digits come with scikit-learn")


@pytest.mark.parametrize("name", list(MODULES))
def test_registered(name):
    assert experiments.get_main(name) is MODULES[name].main


@pytest.mark.parametrize("name", list(MODULES))
def test_help(name, capsys):
    with pytest.raises(SystemExit) as exc:
        MODULES[name].main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert f"layerwise course {name}" in out and "--seeds" in out and "--epochs" in out


@pytest.mark.parametrize("bad", ["", "a,b", "1,-2"])
def test_bad_seeds_are_a_usage_error(bad, capsys):
    with pytest.raises(SystemExit) as exc:
        cnn.main(["--seeds", bad])
    assert exc.value.code == 2
    assert "expected seeds like 1,2,3" in capsys.readouterr().err


def test_cat_cnn_missing_data_raises_data_error(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(DataError, match="train_catvnoncat.h5"):
        cnn.main(["--data-dir", str(tmp_path / "nowhere"), "--out", str(out)])
    assert not out.exists()


@pytest.fixture(scope="module")
def cat_run(course1_dir, tmp_path_factory):
    """One seed, one epoch on 16 training pictures: (output, run folder)."""
    out = tmp_path_factory.mktemp("cat-cnn")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = cnn.main(
            [
                "--data-dir", str(course1_dir), "--out", str(out),
                "--seeds", "1", "--epochs", "1", "--limit", "16",
            ]
        )  # fmt: skip
    assert code == 0
    return printed.getvalue(), out


def test_cat_cnn_prints_its_table_and_writes_the_run(cat_run, assert_pngs):
    out, folder = cat_run
    assert "16 training and 50 test pictures" in out
    assert re.search(r"seed\s+train acc\s+test acc\s+seconds", out)
    row = re.search(r"^\s+1\s+(\d\.\d{4})\s+(\d\.\d{4})\s+(\d+\.\d)$", out, re.M)
    assert row, out
    assert re.search(r"median test accuracy \d\.\d{4} over 1 seed\(s\)", out)
    assert "(the course's 4-layer dense network: 0.80)" in out
    assert_pngs(folder, "learning_curve.png", "filters.png", "feature_maps.png")
    for name in ("model.npz", "history.csv", "metrics.json"):
        assert (folder / name).is_file()
    model = lw.load(folder / "model.npz")
    assert model.classes_ == ["non-cat", "cat"]
    assert model.input_dim == [64, 64, 3]


def test_predict_a_picture_with_the_conv_model(cat_run, course1_dir, tmp_path, capsys):
    """`layerwise predict model.npz picture.png` prints a class and its probability."""
    from PIL import Image

    from layerwise.cli import main as cli_main
    from layerwise.data import load_cat_files

    _, folder = cat_run
    _, _, test_x_orig, _, _ = load_cat_files(course1_dir)
    Image.fromarray(test_x_orig[0]).save(tmp_path / "picture.png")
    assert cli_main(["predict", str(folder / "model.npz"), str(tmp_path / "picture.png")]) == 0
    line = capsys.readouterr().out.strip()
    match = re.fullmatch(r"picture\.png: (cat|non-cat) \(probability (\d\.\d{4})\)", line)
    assert match, line
    # a 64x64 picture is read unchanged: the model's own probability for that image
    p_cat = float(lw.load(folder / "model.npz").predict_proba(test_x_orig[:1] / 255.0)[0, 0])
    name, prob = ("cat", p_cat) if p_cat > 0.5 else ("non-cat", 1 - p_cat)
    assert match.groups() == (name, f"{prob:.4f}")


def test_transfer_smoke(digits, tmp_path, capsys, assert_pngs):
    code = transfer.main(
        [
            "--out", str(tmp_path), "--seeds", "1",
            "--source-epochs", "1", "--epochs", "2", "--source-limit", "100",
        ]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    assert "source: 100 digits 0–4" in out and "100 labelled 5–9 (20 per digit)" in out
    assert "(frozen)" in out and "Trainable:" in out
    assert re.search(r"seed\s+0–4 train\s+transfer\s+scratch\s+gain", out)
    assert re.search(r"^\s+1\s+\d\.\d{4}\s+\d\.\d{4}\s+\d\.\d{4}\s+[+-]\d\.\d{4}\s", out, re.M)
    assert re.search(r"median held-out accuracy on 5–9: transfer \d\.\d{4}, from scratch", out)
    assert "frozen layers unchanged by the fine-tuning: yes" in out
    assert_pngs(tmp_path, "held_out_accuracy.png")


def test_split_keeps_the_few_out_of_the_held_out(digits):
    data = transfer.split(seed=3, per_class=20)
    X_few, Y_few = data["few"]
    X_held, Y_held = data["held_out"]
    assert X_few.shape == (100, 8, 8, 1) and np.bincount(Y_few[0]).tolist() == [20] * 5
    assert set(np.unique(Y_held)) == {0, 1, 2, 3, 4}
    assert set(np.unique(data["source"][1])) == {0, 1, 2, 3, 4}
    assert X_few.shape[0] + X_held.shape[0] + data["source"][0].shape[0] == 1797


def test_frozen_layers_stay_unchanged_during_fine_tuning(digits):
    data = transfer.split(seed=1, per_class=20, source_limit=200)
    source = transfer.source_network(seed=1)
    transfer.train_source(source, *data["source"], epochs=1)
    model = transfer.transfer_network(source)
    kept = model.layers[: transfer.KEEP]
    assert [layer.trainable for layer in model.layers] == [False] * transfer.KEEP + [True] * (
        len(model.layers) - transfer.KEEP
    )
    before = {k: v.copy() for k, v in model.parameters.items()}
    transfer.fine_tune(model, data["few"], data["held_out"], epochs=2)
    frozen = {n for layer in kept for n in layer.param_names().values()}
    assert frozen == {"W1", "b1", "W2", "b2"}
    for name, value in model.parameters.items():
        if name in frozen:  # as trained on 0–4, untouched by the fine-tuning
            np.testing.assert_array_equal(value, before[name])
            np.testing.assert_array_equal(value, source.parameters[name])
        else:
            assert not np.array_equal(value, before[name]), f"{name} did not train"
    scratch = transfer.scratch_network(seed=1)
    assert [type(a) for a in scratch.layers] == [type(b) for b in model.layers]
    assert all(layer.trainable for layer in scratch.layers)


def test_transfer_refuses_too_many_per_class(digits):
    with pytest.raises(lw.ConfigError, match="--per-class 500"):
        transfer.split(seed=1, per_class=500)


def test_run_records_its_seconds(digits):
    args = SimpleNamespace(per_class=5, source_limit=50, source_epochs=1, epochs=1)
    r = transfer.run(2, args)
    assert len(r["seconds"]) == 3 and all(s >= 0 for s in r["seconds"])
    assert r["frozen_unchanged"]
