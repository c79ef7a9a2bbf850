"""The ``layerwise`` command: train writes a run folder, evaluate / predict read it back,
gradcheck passes, every --help works, and errors are one line with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import layerwise as lw
from layerwise.cli import main
from layerwise.data import make_flower, save_csv, save_npz
from layerwise.runs import read_history_csv

RUN_FILES = {
    "model.npz",
    "history.csv",
    "metrics.json",
    "learning_curve.png",
    "decision_boundary.png",
    "confusion_matrix.png",
}


def accuracies(out: str) -> dict[str, float]:
    found = {}
    for line in out.splitlines():
        if " accuracy: " in line:
            split, value = line.split(" accuracy: ")
            found[split.strip()] = float(value)
    return found


def assert_one_line_error(capsys, code):
    captured = capsys.readouterr()
    assert code == 2
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("layerwise: error: ")
    assert "Traceback" not in captured.err + captured.out
    return lines[0]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """A short training run on the flower data, shared by the evaluate/predict tests."""
    out = tmp_path_factory.mktemp("run") / "flower"
    code = main(["train", "--iterations", "300", "--quiet", "--out", str(out)])
    assert code == 0
    return out


# --------------------------------------------------------------------------- train
def test_train_writes_the_run_folder_and_prints_accuracies(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code = main(["train", "--iterations", "30", "--print-every", "10", "--out", "myrun"])
    out = capsys.readouterr().out
    assert code == 0
    run = tmp_path / "myrun"
    assert {p.name for p in run.iterdir()} == RUN_FILES
    acc = accuracies(out)
    assert set(acc) == {"train", "test"}
    assert "Cost after iteration 0:" in out and "Cost after iteration 29:" in out
    assert "Total parameters" in out  # the summary
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["train_accuracy"] == pytest.approx(acc["train"], abs=1e-4)
    assert metrics["test_accuracy"] == pytest.approx(acc["test"], abs=1e-4)
    assert metrics["m_train"] == 320 and metrics["epochs_run"] == 30
    history = read_history_csv(run / "history.csv")
    assert history["epoch"] == list(range(30))
    assert len(history["loss"]) == 30 and len(history["accuracy"]) == 30
    for png in ("learning_curve.png", "decision_boundary.png"):
        assert (run / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    model = lw.load(run / "model.npz")
    assert model.parameters["W1"].shape == (8, 2)  # default hidden sizes 8,4 for flower
    assert not [p for p in tmp_path.rglob(".*")]  # no temporary files


def test_default_train_is_the_main_job(tmp_path, monkeypatch, capsys):
    """``layerwise train`` with every default: flower data, train and test >= 90 %."""
    monkeypatch.chdir(tmp_path)
    assert main(["train"]) == 0
    acc = accuracies(capsys.readouterr().out)
    assert acc["train"] >= 0.90 and acc["test"] >= 0.90
    assert {p.name for p in (tmp_path / "runs" / "flower").iterdir()} == RUN_FILES


@pytest.mark.parametrize(
    "flags",
    [
        ["--layers", "20,7,5", "--activation", "relu"],
        ["--batch-size", "64"],
        ["--optimizer", "momentum", "--lr", "0.1"],
        ["--optimizer", "rmsprop", "--init", "he"],
        ["--l2", "0.7"],
        ["--keep-prob", "0.8"],
        ["--batch-norm"],
        ["--decay", "step", "--decay-rate", "0.5"],
        ["--normalize", "--dtype", "float64"],
    ],
    ids=lambda flags: " ".join(flags),
)
def test_train_options_run(tmp_path, capsys, flags):
    out = tmp_path / "run"
    assert main(["train", "--iterations", "8", "--quiet", "--out", str(out), *flags]) == 0
    acc = accuracies(capsys.readouterr().out)
    assert set(acc) == {"train", "test"}
    assert all(0.0 <= a <= 1.0 for a in acc.values())
    assert (out / "model.npz").is_file()
    model = lw.load(out / "model.npz")
    if "--batch-norm" in flags:
        assert any(isinstance(lay, lw.BatchNorm) for lay in model.layers)
    if "--keep-prob" in flags:
        assert any(isinstance(lay, lw.Dropout) for lay in model.layers)
    if "--layers" in flags:
        dense = [lay.units for lay in model.layers if isinstance(lay, lw.Dense)]
        assert dense == [20, 7, 5, 1]
    if "--dtype" in flags:
        assert model.dtype == np.float64 and model.normalizer_ is not None


def test_validation_split_with_early_stopping(tmp_path, capsys):
    out = tmp_path / "run"
    code = main(
        [
            "train",
            "--iterations",
            "3000",
            "--lr",
            "0.05",
            "--validation-split",
            "0.25",
            "--early-stopping",
            "5",
            "--quiet",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert set(accuracies(printed)) == {"train", "dev", "test"}
    assert "stopped at epoch" not in printed  # --quiet
    metrics = json.loads((out / "metrics.json").read_text())
    history = read_history_csv(out / "history.csv")
    assert metrics["m_train"] == 240
    assert "val_loss" in history and "dev_accuracy" in metrics
    assert metrics["epochs_run"] < 3000  # stopped early
    best = int(np.argmin(history["val_loss"]))
    assert metrics["epochs_run"] == best + 5 + 1
    # the saved model is the best epoch's (restore_best_weights)
    assert metrics["dev_loss"] == pytest.approx(history["val_loss"][best], rel=1e-4)


def test_train_says_where_early_stopping_stopped(tmp_path, capsys):
    """The message uses the epoch numbers of the cost lines and history.csv (from 0)."""
    out = str(tmp_path / "run")
    flags = ["--lr", "0.05", "--validation-split", "0.25", "--early-stopping", "5"]
    code = main(["train", "--iterations", "3000", "--print-every", "1000", *flags, "--out", out])
    assert code == 0
    printed = capsys.readouterr().out.splitlines()
    history = read_history_csv(Path(out) / "history.csv")
    best = int(np.argmin(history["val_loss"]))
    last = int(history["epoch"][-1])
    assert last == best + 5
    expected = (
        f"stopped at epoch {last}; restored the weights of epoch {best} "
        f"(best val_loss {history['val_loss'][best]:.4g})"
    )
    assert expected in printed
    first_accuracy = next(i for i, line in enumerate(printed) if " accuracy: " in line)
    assert printed.index(expected) < first_accuracy  # said right after training


def test_train_on_csv_files_classification_and_regression(tmp_path, capsys):
    X, Y = make_flower(m=100, seed=2)
    save_csv(tmp_path / "flower.csv", X, Y)
    assert (
        main(
            [
                "train",
                "--data",
                str(tmp_path / "flower.csv"),
                "--iterations",
                "5",
                "--quiet",
                "--out",
                str(tmp_path / "c"),
            ]
        )
        == 0
    )
    assert set(accuracies(capsys.readouterr().out)) == {"train", "test"}

    rng = np.random.default_rng(0)
    Xr = rng.standard_normal((3, 80))
    yr = 2 * Xr[:1] - Xr[1:2] + 0.25
    save_csv(tmp_path / "reg.csv", Xr, yr)
    assert (
        main(
            [
                "train",
                "--data",
                str(tmp_path / "reg.csv"),
                "--iterations",
                "300",
                "--quiet",
                "--out",
                str(tmp_path / "r"),
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "train loss:" in out and "test loss:" in out and "accuracy" not in out
    model = lw.load(tmp_path / "r" / "model.npz")
    assert model.output_activation == "linear"


# --------------------------------------------------------------------------- evaluate, predict
def test_evaluate_matches_the_library(run_dir, tmp_path, capsys):
    X, Y = make_flower(m=60, seed=9)
    save_csv(tmp_path / "d.csv", X, Y)
    save_npz(tmp_path / "d.npz", X, Y)
    expected = lw.load(run_dir / "model.npz").evaluate(X, Y)
    for data in ("d.csv", "d.npz"):
        assert main(["evaluate", str(run_dir / "model.npz"), str(tmp_path / data)]) == 0
        lines = dict(line.split(": ") for line in capsys.readouterr().out.splitlines())
        assert float(lines["loss"]) == pytest.approx(expected["loss"], abs=1e-6)
        assert float(lines["accuracy"]) == pytest.approx(expected["accuracy"], abs=1e-6)
    assert main(["evaluate", str(run_dir / "model.npz"), "flower"]) == 0
    assert "accuracy: " in capsys.readouterr().out


def _printed_labels(out: str) -> list[int]:
    return [int(float(v)) for v in out.split()]


@pytest.mark.parametrize(
    "kind", ["csv with label", "csv without label", "npz with Y", "npz X only"]
)
def test_predict_files(run_dir, tmp_path, capsys, kind):
    X, Y = make_flower(m=30, seed=4)
    path = tmp_path / ("d.csv" if kind.startswith("csv") else "d.npz")
    if kind == "csv with label":
        save_csv(path, X, Y)
    elif kind == "csv without label":
        save_csv(path, X)
    elif kind == "npz with Y":
        save_npz(path, X, Y)
    else:
        np.savez(path, X=X)
    expected = lw.load(run_dir / "model.npz").predict(X).ravel().tolist()
    assert main(["predict", str(run_dir / "model.npz"), str(path)]) == 0
    assert _printed_labels(capsys.readouterr().out) == expected
    out = tmp_path / "pred.csv"
    assert main(["predict", str(run_dir / "model.npz"), str(path), "--out", str(out)]) == 0
    assert "wrote 30 predictions" in capsys.readouterr().out
    rows = out.read_text().split()[1:]
    assert [int(float(r)) for r in rows] == expected


def test_predict_csv_with_the_wrong_number_of_columns(run_dir, tmp_path, capsys):
    X, Y = make_flower(m=10)
    save_csv(tmp_path / "wide.csv", np.vstack([X, X]), Y)
    code = main(["predict", str(run_dir / "model.npz"), str(tmp_path / "wide.csv")])
    line = assert_one_line_error(capsys, code)
    assert "5 columns" in line and "n_x = 2" in line


# --------------------------------------------------------------------------- gradcheck, help
@pytest.mark.parametrize(
    "flags", [[], ["--output", "softmax", "--activation", "tanh"], ["--output", "linear"]]
)
def test_gradcheck_passes(capsys, flags):
    assert main(["gradcheck", *flags]) == 0
    out = capsys.readouterr().out
    assert "PASS" in out and "FAIL" not in out
    difference = float(out.split("relative difference = ")[1].split()[0])
    assert difference < 1e-7


@pytest.mark.parametrize("epsilon", ["0", "-1e-7", "nan"])
def test_gradcheck_refuses_an_epsilon_that_is_not_positive(capsys, epsilon):
    line = assert_one_line_error(capsys, main(["gradcheck", f"--epsilon={epsilon}"]))
    assert line == f"layerwise: error: --epsilon must be in (0, inf), got {float(epsilon)!r}"


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["train", "--help"],
        ["evaluate", "--help"],
        ["predict", "--help"],
        ["gradcheck", "--help"],
        ["course", "--help"],
    ],
)
def test_help_exits_zero(capsys, argv):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 0
    assert "usage: layerwise" in capsys.readouterr().out


# --------------------------------------------------------------------------- errors
def test_missing_data_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    line = assert_one_line_error(capsys, main(["train", "--data", "missing.csv"]))
    assert "missing.csv" in line
    assert not (tmp_path / "runs").exists()


def test_csv_with_a_nan(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "nan.csv").write_text("x1,x2,y\n1,2,0\n3,nan,1\n0.5,1,0\n")
    line = assert_one_line_error(capsys, main(["train", "--data", "nan.csv", "--quiet"]))
    assert "NaN" in line


@pytest.mark.parametrize("content", [b"not a model", b"PK\x03\x04 cut short"])
def test_evaluate_on_a_corrupt_model_file(tmp_path, capsys, content):
    path = tmp_path / "model.npz"
    path.write_bytes(content)
    line = assert_one_line_error(capsys, main(["evaluate", str(path), "flower"]))
    assert str(path) in line


def test_other_one_line_errors(tmp_path, run_dir, capsys):
    three = tmp_path / "three.npz"
    save_npz(three, np.zeros((3, 4)), np.zeros((1, 4)))
    cases = [
        ["train", "--early-stopping", "3", "--iterations", "2", "--quiet"],  # no dev set
        ["train", "--keep-prob", "1.5", "--iterations", "2", "--quiet"],
        ["train", "--optimizer", "nesterov", "--iterations", "2", "--quiet"],
        ["train", "--decay", "cosine", "--iterations", "2", "--quiet"],
        ["train", "--iterations", "0", "--quiet"],
        ["evaluate", str(tmp_path / "absent.npz"), "flower"],
        ["predict", str(run_dir / "model.npz"), str(three)],  # 3 features, model takes 2
        ["evaluate", str(run_dir / "model.npz"), str(three)],
    ]
    for argv in cases:
        assert_one_line_error(
            capsys, main([*argv, *(["--out", str(tmp_path / "x")] if argv[0] == "train" else [])])
        )


def test_console_script_in_a_subprocess(tmp_path):
    script = Path(sys.executable).with_name("layerwise")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "layerwise.cli"]
    done = subprocess.run(
        [*command, "train", "--iterations", "20", "--quiet", "--out", "r"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert set(accuracies(done.stdout)) == {"train", "test"}
    assert {p.name for p in (tmp_path / "r").iterdir()} == RUN_FILES
    bad = subprocess.run(
        [*command, "evaluate", "r/history.csv", "flower"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 2
    assert bad.stderr.startswith("layerwise: error: ") and len(bad.stderr.splitlines()) == 1


def test_train_digits_preset_reaches_97_percent(tmp_path, capsys):
    """`layerwise train --data digits` (softmax, mini-batch Adam, dropout, early stopping)."""
    pytest.importorskip("sklearn", reason="the digits data set needs scikit-learn")
    from layerwise.cli import main

    assert main(["train", "--data", "digits", "--quiet", "--out", str(tmp_path / "d")]) == 0
    out = capsys.readouterr().out
    test_acc = float(out.split("test accuracy:")[1].split()[0])
    assert test_acc >= 0.97
    assert "variance" in out  # the bias/variance report for the dev set
