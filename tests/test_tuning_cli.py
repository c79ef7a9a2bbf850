"""``layerwise tune``: a run folder with the study, the trials, the best model and the
plots; progress and a best-first table; bad input in one line with exit code 2; a
study killed with SIGKILL and resumed ends with the requested number of trials."""

from __future__ import annotations

import csv
import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import layerwise as lw
from layerwise import cli
from layerwise.tuning.command import EXAMPLE, JOURNAL

optuna = pytest.importorskip("optuna")

ROOT = Path(__file__).resolve().parents[1]
PNGS = {
    "optimization_history.png",
    "param_importances.png",
    "slice.png",
    "parallel_coordinate.png",
    "intermediate_values.png",
}
TINY = """
[space]
learning_rate = { log_uniform = [1e-3, 1e-1] }
hidden_units = { int_uniform = [2, 8] }
batch_size = { power_of_two = [32, 128] }
layers = 1
optimizer = "adam"
activation = "tanh"
keep_prob = 1.0
epochs = {epochs}
early_stopping = 0
"""


def space(tmp_path: Path, epochs: int = 15) -> str:
    path = tmp_path / "space.toml"
    path.write_text(TINY.replace("{epochs}", str(epochs)))
    return str(path)


def tune(*args: str) -> int:
    return cli.main(["tune", *map(str, args)])


def finished(path: Path) -> list[dict]:
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    return [r for r in rows if r["state"] in ("complete", "pruned")]


def journal_study(path: Path, name: str):
    backend = optuna.storages.journal.JournalFileBackend(str(path))
    return optuna.load_study(study_name=name, storage=optuna.storages.JournalStorage(backend))


def test_help_shows_a_runnable_example(capsys):
    with pytest.raises(SystemExit) as done:
        tune("--help")
    assert done.value.code == 0
    text = capsys.readouterr().out
    assert EXAMPLE in text and "--resume" in text and "postgresql+psycopg2://" in text
    args = cli.build_parser().parse_args(shlex.split(EXAMPLE)[1:])  # its flags parse
    assert args.command == "tune" and args.trials == 30
    assert (ROOT / args.space).is_file()


def test_a_study_writes_its_run_folder(tmp_path, capsys):
    out = tmp_path / "runs" / "flower"
    code = tune(
        "--data",
        "flower",
        "--space",
        space(tmp_path),
        "--trials",
        8,
        "--pruner",
        "median",
        "--out",
        out,
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "trial   0:" in text and "8/8 done" in text and "best" in text
    assert {p.name for p in out.iterdir()} == PNGS | {
        "trials.csv",
        "best_params.json",
        "model.npz",
        JOURNAL,
    }
    rows = finished(out / "trials.csv")
    assert len(rows) == 8 and sorted(int(r["number"]) for r in rows) == list(range(8))
    table = text[text.index("rank  trial") :].splitlines()
    states = [line.split()[2] for line in table[2:10]]
    assert states == sorted(states, key=["complete", "pruned"].index)  # best first
    assert (
        int(table[2].split()[1]) == json.loads((out / "best_params.json").read_text())["best_trial"]
    )
    complete = [float(r["value"]) for r in rows if r["state"] == "complete"]
    summary = json.loads((out / "best_params.json").read_text())
    assert summary["metric"] == "val_accuracy" and summary["trials"]["complete"] >= 1
    assert set(summary["params"]) == {"learning_rate", "hidden_units", "batch_size"}
    assert summary["best_value"] == max(complete)
    model = lw.load(out / "model.npz")  # the best params, re-trained: the same dev score
    assert model.layers[0].units == summary["params"]["hidden_units"]
    assert summary["retrained"]["dev_accuracy"] == summary["best_value"]
    for name in PNGS:
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    study = journal_study(out / JOURNAL, "flower-tpe")
    assert len(study.trials) == 8


@pytest.mark.slow
def test_two_local_workers(tmp_path):
    out = tmp_path / "par"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "layerwise.cli",
            "tune",
            "--data",
            "flower",
            "--space",
            space(tmp_path),
            "--trials",
            "8",
            "--workers",
            "2",
            "--out",
            str(out),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    rows = finished(out / "trials.csv")
    assert sorted(int(r["number"]) for r in rows) == list(range(8))
    assert len({r["worker"] for r in rows}) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--space", "missing.toml"], "no space file missing.toml"),
        (["--trials", "0"], "--trials"),
        (["--sampler", "cmaes"], "--sampler"),
        (["--workers", "2", "--storage", "sqlite:///s.db"], "sqlite: cannot be shared"),
        (["--data", "nothing.csv"], "nothing.csv"),
        (["--resume"], "nothing to resume"),
        (["--space", "{bad}"], r"space\.units: unknown parameter"),
        (["--space", "{range}"], r"space\.keep_prob must be in \(0, 1\]"),
        (["--space", "{toml}"], "is not valid TOML"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    files = {
        "{bad}": "[space]\nunits = [1, 2]\n",
        "{range}": "[space]\nkeep_prob = { uniform = [0.5, 1.5] }\n",
        "{toml}": "[space]\nx = [1, \n",
    }
    for i, a in enumerate(args):
        if a in files:
            Path("s.toml").write_text(files[a])
            args[i] = "s.toml"
    assert tune(*args, "--out", "r") == 2
    err = capsys.readouterr().err
    assert err.startswith("layerwise: error:") and err.count("\n") == 1
    assert __import__("re").search(message, err), err


def test_gp_without_torch_says_how_to_install(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)
    assert tune("--sampler", "gp", "--out", tmp_path / "r") == 2
    err = capsys.readouterr().err
    assert "pip install torch==2.13.0" in err and err.count("\n") == 1
    assert not (tmp_path / "r").exists()


def test_a_finished_study_is_not_overwritten(tmp_path, capsys):
    out = tmp_path / "done"
    out.mkdir()
    (out / "trials.csv").write_text("number\n")
    assert tune("--space", space(tmp_path), "--trials", 1, "--out", out) == 2
    assert "already holds a finished study" in capsys.readouterr().err


@pytest.mark.slow
def test_a_killed_study_resumes_to_the_requested_count(tmp_path):
    out = tmp_path / "runs" / "killed"
    partial = out.parent / f".{out.name}.partial"
    cmd = [
        sys.executable,
        "-m",
        "layerwise.cli",
        "tune",
        "--data",
        "flower",
        "--space",
        space(tmp_path, epochs=300),
        "--trials",
        "5",
        "--pruner",
        "none",
        "--out",
        str(out),
    ]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    running = None
    while running is None:
        assert p.poll() is None and time.monotonic() < deadline, p.stderr.read()
        time.sleep(0.2)
        if not (partial / JOURNAL).exists():
            continue
        try:
            study = journal_study(partial / JOURNAL, "flower-tpe")
        except KeyError:  # the study is not created yet
            continue
        states = [t.state.name for t in study.trials]
        if states.count("COMPLETE") >= 2 and states[-1] == "RUNNING":
            running = study.trials[-1].number
    os.kill(p.pid, signal.SIGKILL)
    p.communicate(timeout=10)
    study = journal_study(partial / JOURNAL, "flower-tpe")  # readable after the kill
    assert study.trials[running].state.name == "RUNNING"
    assert not out.exists()

    run = subprocess.run(
        [sys.executable, "-m", "layerwise.cli", "tune", "--out", str(out), "--resume"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    study = journal_study(out / JOURNAL, "flower-tpe")
    states = [t.state.name for t in study.trials]
    assert states[running] == "FAIL" and "died" in study.trials[running].user_attrs["note"]
    assert states.count("COMPLETE") == 5 and len(states) == 6
    assert len(finished(out / "trials.csv")) == 5 and not partial.exists()
