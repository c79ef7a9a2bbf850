"""Smoke tests of the course-2 experiments: short runs, their output and their PNGs."""

from __future__ import annotations

import re

import pytest

from layerwise.course.experiments import get_main
from layerwise.errors import DataError


def pngs(folder):
    return sorted(p.name for p in folder.glob("*.png"))


def test_initialization_short(tmp_path, capsys):
    pytest.importorskip("sklearn", reason="the circles need scikit-learn (layerwise[sklearn])")
    assert get_main("initialization")(["--iterations", "1001", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.count("Cost after iteration 1000:") == 3
    assert "Cost after iteration 0: inf" in out
    assert "Cost after iteration 0: 0.8830537463419761" in out
    assert pngs(tmp_path) == ["costs.png", "decision_boundaries.png"]


def test_regularization_short(tmp_path, capsys, football_path):
    pytest.importorskip("scipy", reason="data.mat needs SciPy (layerwise[sklearn])")
    argv = ["--iterations", "11", "--out", str(tmp_path), "--data-dir", str(football_path.parent)]
    assert get_main("regularization")(argv) == 0
    out = capsys.readouterr().out
    for cost in ("0.6557412523481002", "0.6974484493131264", "0.6543912405149825"):
        assert f"Cost after iteration 0: {cost}" in out
    assert out.count("Accuracy: ") == 6
    assert pngs(tmp_path) == ["costs.png", "decision_boundaries.png"]


def test_regularization_missing_data(tmp_path):
    with pytest.raises(DataError, match="data.mat"):
        get_main("regularization")(["--data-dir", str(tmp_path), "--out", str(tmp_path / "o")])


def test_gradient_checking_full(tmp_path, capsys):
    assert get_main("gradient-checking")(["--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    values = [float(v) for v in re.findall(r"difference = (\S+)", out)]
    assert len(values) == 3 and values[0] < 2e-7
    assert values[1] == pytest.approx(0.2850931567761623, rel=1e-6)
    assert values[2] == pytest.approx(1.1890913024229996e-07, rel=1e-6)
    assert "There is a mistake" in out and out.count("works perfectly fine") == 2
    assert pngs(tmp_path) == ["gradient_errors.png"]


def test_optimization_short(tmp_path, capsys):
    pytest.importorskip("sklearn", reason="the moons need scikit-learn (layerwise[sklearn])")
    assert get_main("optimization")(["--epochs", "101", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.count("Cost after epoch 0:") == 7
    assert "Cost after epoch 0: 0.702166" in out  # adam, as in the full run
    assert out.count("learning rate after epoch 0:") == 4
    assert out.count("Accuracy: ") == 7
    assert pngs(tmp_path) == ["costs.png", "costs_decay.png", "decision_boundaries.png"]


@pytest.mark.parametrize(
    "name", ["initialization", "regularization", "gradient-checking", "optimization"]
)
def test_help(name, capsys):
    with pytest.raises(SystemExit) as exc:
        get_main(name)(["--help"])
    assert exc.value.code == 0
    assert "--out" in capsys.readouterr().out
