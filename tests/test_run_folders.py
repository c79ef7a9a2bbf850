"""Safe run folders for ``layerwise train --out DIR``: checked before training, written
beside the target and renamed into place, an existing run refused unless --overwrite, a
lock against a second run, the umask's permissions, and a failure that never touches the
previous run."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import matplotlib.figure
import pytest

import layerwise as lw
from layerwise.cli import main
from layerwise.errors import ConfigError
from layerwise.network import Sequential
from layerwise.runs import RunFolder

RUN_FILES = {
    "model.npz",
    "history.csv",
    "metrics.json",
    "learning_curve.png",
    "decision_boundary.png",
    "confusion_matrix.png",
}


def train(out, *flags):
    return main(["train", "--iterations", "20", "--quiet", "--out", str(out), *flags])


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def one_line_error(capsys, code, expected=2) -> str:
    captured = capsys.readouterr()
    assert code == expected
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert "Traceback" not in captured.err + captured.out
    return lines[0]


def hidden(root: Path) -> list[str]:
    """Every hidden file or folder under root, relative."""
    return sorted(str(p.relative_to(root)) for p in root.rglob(".*"))


@pytest.fixture
def fit_calls(monkeypatch):
    """Sequential.fit, counting its calls."""
    calls = []
    original = Sequential.fit

    def counted(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Sequential, "fit", counted)
    return calls


@pytest.fixture
def good_run(tmp_path, capsys):
    """A finished run in tmp_path/runs/flower, and its files' bytes."""
    out = tmp_path / "runs" / "flower"
    assert train(out) == 0
    capsys.readouterr()
    return out, snapshot(out)


# --------------------------------------------------------------------------- before training
@pytest.mark.parametrize("case", ["an existing file", "a path under a file"])
def test_an_unwritable_out_is_refused_before_training(tmp_path, capsys, fit_calls, case):
    (tmp_path / "notes.txt").write_text("mine\n")
    out = tmp_path / "notes.txt" if case == "an existing file" else tmp_path / "notes.txt" / "r"
    line = one_line_error(capsys, train(out))
    assert line.startswith("layerwise: error: cannot write the run folder ")
    assert "notes.txt is a file, not a folder" in line or "it is a file" in line
    assert fit_calls == []  # nothing trained
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]
    assert (tmp_path / "notes.txt").read_text() == "mine\n"


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0,
    reason="root may write into a read-only folder",
)
def test_a_path_under_a_read_only_folder_is_refused(tmp_path, capsys, fit_calls):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        line = one_line_error(capsys, train(locked / "sub" / "run"))
    finally:
        locked.chmod(0o755)
    assert "is not writable" in line and str(locked) in line
    assert fit_calls == []
    assert list(locked.iterdir()) == []


def test_a_config_error_after_the_folder_is_opened_leaves_nothing(tmp_path, capsys):
    out = tmp_path / "new" / "deeper" / "run"
    one_line_error(capsys, train(out, "--optimizer", "nesterov"))  # refused inside fit
    assert list(tmp_path.iterdir()) == []  # no folders, lock or partial left behind


# --------------------------------------------------------------------------- existing runs
def test_an_existing_run_is_refused_and_left_untouched(good_run, capsys, fit_calls):
    out, before = good_run
    line = one_line_error(capsys, train(out, "--seed", "7"))
    assert line == (
        f"layerwise: error: {out} already holds a run; give --overwrite to replace it, "
        f"or a fresh folder such as --out {out.parent / 'flower-2'}"
    )
    assert fit_calls == []
    assert snapshot(out) == before
    assert hidden(out.parent) == []


def test_the_suggested_name_is_the_first_free_one(good_run, capsys):
    out, _ = good_run
    (out.parent / "flower-2").mkdir()
    (out.parent / "flower-2" / "model.npz").write_bytes(b"x")
    (out.parent / "flower-3").mkdir()  # empty: free
    line = one_line_error(capsys, train(out))
    assert line.endswith(f"--out {out.parent / 'flower-3'}")


def test_overwrite_replaces_the_run(good_run, capsys):
    out, before = good_run
    assert train(out, "--seed", "7", "--overwrite") == 0
    assert "wrote " + str(out / "model.npz") in capsys.readouterr().out
    after = snapshot(out)
    assert set(after) == RUN_FILES
    assert after["model.npz"] != before["model.npz"]
    assert lw.load(out / "model.npz").seed == 7
    assert hidden(out.parent) == []  # no partial, old run or lock left


def test_overwrite_does_not_replace_a_folder_that_is_not_a_run(tmp_path, capsys, fit_calls):
    out = tmp_path / "project"
    out.mkdir()
    (out / "thesis.tex").write_text("months of work\n")
    line = one_line_error(capsys, train(out, "--overwrite"))
    assert "holds more than a run (thesis.tex)" in line
    assert fit_calls == []
    assert (out / "thesis.tex").read_text() == "months of work\n"


def test_an_empty_existing_folder_is_used(tmp_path, capsys):
    out = tmp_path / "empty"
    out.mkdir()
    assert train(out) == 0
    assert {p.name for p in out.iterdir()} == RUN_FILES


# --------------------------------------------------------------------------- the lock
@pytest.mark.parametrize("holder", ["this process", "the parent process"])
def test_a_held_lock_refuses_a_second_run(tmp_path, capsys, fit_calls, holder):
    out = tmp_path / "flower"
    lock = tmp_path / ".flower.lock"
    pid = os.getpid() if holder == "this process" else os.getppid()
    lock.write_text(f"{pid}\n")
    line = one_line_error(capsys, train(out))
    assert line == (
        f"layerwise: error: {out} is in use by another layerwise run (pid {pid}, lock file "
        f"{lock}); wait for it to finish, or delete the lock file if none runs"
    )
    assert fit_calls == []
    assert lock.read_text() == f"{pid}\n"  # the holder's lock is left alone
    assert not out.exists()


def test_a_stale_lock_is_taken_over(tmp_path, capsys):
    finished = subprocess.Popen([sys.executable, "-c", "pass"])
    assert finished.wait() == 0  # ended and reaped: its pid names no process now
    lock = tmp_path / ".flower.lock"
    lock.write_text(f"{finished.pid}\n")
    assert train(tmp_path / "flower") == 0
    assert {p.name for p in (tmp_path / "flower").iterdir()} == RUN_FILES
    assert not lock.exists()


def test_the_lock_is_held_while_training_and_released_after(tmp_path, monkeypatch, capsys):
    seen = []
    original = Sequential.fit

    def watching(self, *args, **kwargs):
        seen.append((tmp_path / ".flower.lock").read_text())
        seen.append(sorted(p.name for p in tmp_path.iterdir()))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Sequential, "fit", watching)
    assert train(tmp_path / "flower") == 0
    assert seen == [f"{os.getpid()}\n", [".flower.lock", ".flower.partial"]]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["flower"]


# --------------------------------------------------------------------------- permissions
@pytest.mark.parametrize(
    ("umask", "mode"), [(0o022, 0o644), (0o027, 0o640)], ids=["umask-022", "umask-027"]
)
def test_files_get_the_permissions_the_umask_gives(tmp_path, capsys, umask, mode):
    previous = os.umask(umask)
    try:
        assert train(tmp_path / "flower") == 0
    finally:
        os.umask(previous)
    files = list((tmp_path / "flower").iterdir())
    assert {p.name for p in files} == RUN_FILES
    assert {p.name: stat.S_IMODE(p.stat().st_mode) for p in files} == dict.fromkeys(RUN_FILES, mode)


# --------------------------------------------------------------------------- failures
def test_a_failure_in_training_leaves_the_previous_run_intact(good_run, monkeypatch, capsys):
    out, before = good_run

    def failing(self, *args, **kwargs):
        raise ConfigError("the learning rate exploded")

    monkeypatch.setattr(Sequential, "fit", failing)
    line = one_line_error(capsys, train(out, "--overwrite"))
    assert line == "layerwise: error: the learning rate exploded"
    assert snapshot(out) == before
    assert not list(out.parent.rglob("*.tmp"))
    assert hidden(out.parent) == []  # an empty partial folder is not kept; the lock is gone


def test_an_interrupted_run_keeps_its_checkpoint_and_the_previous_run(
    good_run, monkeypatch, capsys
):
    """Ctrl-C during training: the partial folder (the checkpoint a later run resumes
    from) stays; the previous run is byte-for-byte the same; the lock is released."""
    out, before = good_run
    partial = out.parent / ".flower.partial"

    def interrupted(self, *args, **kwargs):
        (partial / "checkpoint.npz").write_bytes(b"epoch 7")
        raise KeyboardInterrupt

    monkeypatch.setattr(Sequential, "fit", interrupted)
    one_line_error(capsys, train(out, "--overwrite"), expected=130)
    assert snapshot(out) == before
    # the checkpoint and the flags it was started with, for `layerwise train --resume`
    assert sorted(p.name for p in partial.iterdir()) == ["args.json", "checkpoint.npz"]
    assert not (out.parent / ".flower.lock").exists()


def test_an_interrupted_plot_leaves_no_temporary_file(good_run, monkeypatch, capsys):
    """Ctrl-C halfway through writing a PNG: the temporary file is removed, the previous
    run is untouched and the new results stay in the partial folder."""
    out, before = good_run

    def half_written(self, fh, **kwargs):
        fh.write(b"\x89PNG half")
        raise KeyboardInterrupt

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", half_written)
    one_line_error(capsys, train(out, "--overwrite"), expected=130)
    assert snapshot(out) == before
    assert not list(out.parent.rglob("*.tmp"))
    partial = out.parent / ".flower.partial"
    assert sorted(p.name for p in partial.iterdir()) == [
        "args.json",  # with the final checkpoint, --resume can finish writing the run
        "checkpoint.npz",
        "history.csv",
        "metrics.json",
        "model.npz",
    ]


# --------------------------------------------------------------------------- RunFolder itself
def test_run_folder_paths(tmp_path):
    folder = RunFolder(tmp_path / "runs" / "flower")
    assert folder.target == tmp_path / "runs" / "flower"
    assert folder.partial == tmp_path / "runs" / ".flower.partial"
    assert folder.checkpoint_path == tmp_path / "runs" / ".flower.partial" / "checkpoint.npz"
    assert RunFolder("runs/flower/").target == Path("runs/flower")


def test_a_failed_rename_puts_the_previous_run_back(good_run, monkeypatch):
    out, before = good_run
    real_rename = os.rename

    def rename(src, dst):
        if Path(src).name == ".flower.partial":
            raise OSError(28, "No space left on device")
        return real_rename(src, dst)

    with RunFolder(out, overwrite=True) as folder:
        (folder.partial / "model.npz").write_bytes(b"new")
        monkeypatch.setattr(os, "rename", rename)
        with pytest.raises(OSError, match="No space"):
            folder.commit()
        monkeypatch.setattr(os, "rename", real_rename)
    assert snapshot(out) == before
    assert sorted(p.name for p in folder.partial.iterdir()) == ["model.npz"]
    assert hidden(out.parent) == [".flower.partial"]  # the old run went back; no lock


def test_commit_without_overwrite_refuses_a_run_that_appeared(tmp_path):
    out = tmp_path / "flower"
    with RunFolder(out) as folder:
        out.mkdir()
        (out / "model.npz").write_bytes(b"someone else's")
        (folder.partial / "model.npz").write_bytes(b"mine")
        with pytest.raises(ConfigError, match="already holds a run"):
            folder.commit()
    assert (out / "model.npz").read_bytes() == b"someone else's"
    assert (folder.partial / "model.npz").read_bytes() == b"mine"


def test_a_classifier_run_with_inputs_but_no_labels_has_no_confusion_matrix(tmp_path):
    from layerwise.data import make_flower
    from layerwise.runs import write_run

    X, Y = make_flower(m=40)
    model = lw.Sequential([lw.Dense(3, "tanh"), lw.Dense(1, "sigmoid")], seed=1)
    history = model.fit(X, Y, epochs=2, verbose=0)
    model.classes_ = ["0", "1"]  # as `layerwise train` names them
    written = write_run(tmp_path / "run", model, history, {}, X=X)
    names = sorted(p.name for p in written)
    assert "confusion_matrix.png" not in names and "model.npz" in names
    written = write_run(tmp_path / "run2", model, history, {}, X=X, Y=Y)
    assert "confusion_matrix.png" in {p.name for p in written}
