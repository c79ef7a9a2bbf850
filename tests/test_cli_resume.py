"""`layerwise train` never loses work: Ctrl-C leaves a checkpoint that --resume continues
bit for bit, divergence exits 3 with no run written, metrics.json is strict JSON."""

from __future__ import annotations

import json

import numpy as np
import pytest

import layerwise as lw
from layerwise import training
from layerwise.cli import main
from layerwise.data import save_csv
from layerwise.runs import write_json

FLAGS = ["train", "--data", "flower", "--iterations", "40", "--batch-size", "32", "--quiet"]


def _interrupt_at(monkeypatch, at: int) -> None:
    """Make the epoch counted ``at`` raise KeyboardInterrupt, as Ctrl-C would."""
    real = training._Run.epoch

    def epoch(self, X, Y, e, cbs=None):
        if e == at:
            raise KeyboardInterrupt
        return real(self, X, Y, e, cbs)

    monkeypatch.setattr(training._Run, "epoch", epoch)


def test_ctrl_c_then_resume_equals_an_uninterrupted_run(tmp_path, monkeypatch, capsys):
    straight = tmp_path / "straight"
    assert main([*FLAGS, "--out", str(straight)]) == 0
    out = tmp_path / "run"
    with monkeypatch.context() as patch:
        _interrupt_at(patch, 17)
        assert main([*FLAGS, "--out", str(out), "--checkpoint-every", "5"]) == 130
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"layerwise train --resume {out}" in err[0]
    assert not out.exists() and (tmp_path / ".run.partial" / "checkpoint.npz").is_file()
    assert main(["train", "--resume", str(out), "--quiet"]) == 0
    a, b = lw.load(straight / "model.npz"), lw.load(out / "model.npz")
    np.testing.assert_array_equal(a.parameter_vector.theta, b.parameter_vector.theta)
    assert (straight / "history.csv").read_text() == (out / "history.csv").read_text()
    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in straight.iterdir())
    assert not (tmp_path / ".run.partial").exists()


def test_resume_without_an_unfinished_run_is_one_line(tmp_path, capsys):
    assert main(["train", "--resume", str(tmp_path / "none")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nothing to resume" in err[0]


def test_divergence_exits_3_and_writes_no_run(tmp_path, capsys):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(3, 60))
    path = tmp_path / "prices.csv"
    save_csv(path, X, 1e4 * X[:1] + 5e4)  # real-valued targets: regression
    out = tmp_path / "run"
    code = main(
        ["train", "--data", str(path), "--optimizer", "gd", "--lr", "1e3"]
        + ["--iterations", "50", "--quiet", "--out", str(out)]
    )
    assert code == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "diverged at epoch" in err[0] and "smaller learning rate" in err[0]
    assert not out.exists()


def test_metrics_json_is_strict_json(tmp_path):
    path = write_json({"loss": float("nan"), "nested": [float("inf"), 1.5]}, tmp_path / "m.json")

    def refuse(name):
        raise AssertionError(f"non-standard JSON constant {name}")

    assert json.loads(path.read_text(), parse_constant=refuse) == {
        "loss": None,
        "nested": [None, 1.5],
    }


def test_augment_on_dense_data_is_refused(tmp_path, capsys):
    code = main([*FLAGS, "--augment", "flip", "--out", str(tmp_path / "run")])
    assert code == 2
    assert "images" in capsys.readouterr().err


@pytest.mark.parametrize("flag", ["--checkpoint-every", "--checkpoint-seconds"])
def test_checkpoint_flags_are_checked(tmp_path, capsys, flag):
    assert main([*FLAGS, flag, "0", "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"layerwise: error: {flag} must be")
