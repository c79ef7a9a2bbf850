"""``layerwise train --data X.npy --labels Y.npy``: rows on disk trained one block at a time,
split by position; the scores it prints equal in-memory evaluation of the saved model;
bad files are one line and exit code 2."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from test_cli import assert_one_line_error

import layerwise as lw
from layerwise.cli import main

M = 5000


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((M, 5)).astype(np.float32)
    Y = (X[:, 0] - X[:, 2] > 0).astype(np.int64)
    np.save("X.npy", X)
    np.save("Y.npy", Y)
    return X, Y


def test_train_from_disk_scores_what_the_saved_model_scores_in_memory(files, capsys):
    X, Y = files
    args = ["train", "--data", "X.npy", "--labels", "Y.npy", "--validation-split", "0.1"]
    assert main([*args, "--out", "runs/disk", "--iterations", "3", "--quiet"]) == 0
    metrics = json.loads(open("runs/disk/metrics.json").read())
    n_test, n_dev = 1000, 400  # the last 20 %, then 10 % of the rest, by position
    assert metrics["m_train"] == M - n_test - n_dev
    model = lw.load("runs/disk/model.npz")
    test = model.evaluate(X[-n_test:].T, Y[None, -n_test:])
    dev = model.evaluate(X[-n_test - n_dev : -n_test].T, Y[None, -n_test - n_dev : -n_test])
    assert metrics["test_accuracy"] == pytest.approx(test["accuracy"], abs=1e-12)
    assert metrics["test_loss"] == pytest.approx(test["loss"], rel=1e-5)
    assert metrics["dev_accuracy"] == pytest.approx(dev["accuracy"], abs=1e-12)
    assert metrics["test_accuracy"] > 0.9
    assert "test accuracy" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("data", "labels", "expected"),
    [
        ("X.npy", None, "give its labels with --labels"),
        ("X.npy", "short.npy", r"has shape \(4999,\) but X.npy holds m = 5000"),
        ("X.npy", "junk.npy", "not an .npy file"),
        ("X.npy", "pickle.npy", "pickled objects"),
        ("flat.npy", "Y.npy", "one example per row"),
        ("X.npy", "labels.csv", "not an .npy file"),
        ("missing.npy", "Y.npy", "no such data file"),
    ],
)
def test_bad_on_disk_files_are_one_line(files, capsys, data, labels, expected):
    _, Y = files
    np.save("short.npy", Y[:-1])
    np.save("flat.npy", np.arange(5.0))
    np.save("pickle.npy", np.array([{}], dtype=object), allow_pickle=True)
    open("junk.npy", "wb").write(b"\x00" * 300)
    open("labels.csv", "w").write("1\n0\n")
    args = ["train", "--data", data, *(["--labels", labels] if labels else []), "--quiet"]
    line = assert_one_line_error(capsys, main(args))
    assert re.search(expected, line), line
