"""A training run's folder: model.npz, history.csv, metrics.json and the PNG plots.

``RunFolder`` makes writing one safe: a run writes into ``<parent>/.<name>.partial/``
(where training checkpoints live too, so a later run with the same folder can resume)
and renames it into place only when complete; ``<parent>/.<name>.lock`` keeps a second
run off the same folder; an existing run is replaced only when asked.
"""

from __future__ import annotations

import csv
import errno
import json
import math
import os
import shutil
from pathlib import Path

import numpy as np

from . import plots
from .atomic import atomic_write_text
from .callbacks import History
from .errors import ConfigError
from .layers import Conv2D
from .metrics import confusion_matrix
from .network import Sequential

#: the files a run folder holds (besides PNG plots): what ``overwrite`` may replace
RUN_FILES = frozenset({"model.npz", "history.csv", "metrics.json", "checkpoint.npz"})


def write_history_csv(history: History, path: Path) -> Path:
    """One row per epoch: epoch, loss, accuracy, val_loss, ... ."""
    keys = list(history.history)
    rows = [["epoch", *keys]]
    for i, epoch in enumerate(history.epoch):
        rows.append([str(epoch), *(repr(history.history[k][i]) for k in keys)])
    text = "\n".join(",".join(r) for r in rows) + "\n"
    atomic_write_text(path, text)
    return path


def _json_safe(value):
    """NaN and inf become null (JSON has no such numbers); containers are walked."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def write_json(obj: dict, path: Path) -> Path:
    """``obj`` as strict JSON (non-finite numbers written as null), atomically."""
    text = json.dumps(_json_safe(obj), indent=2, sort_keys=True, allow_nan=False)
    atomic_write_text(path, text + "\n")
    return path


def write_run(
    out: str | os.PathLike,
    model: Sequential,
    history: History,
    metrics: dict,
    *,
    X: np.ndarray | None = None,
    Y: np.ndarray | None = None,
    cost_label: str = "iteration",
    test: tuple[np.ndarray, np.ndarray] | None = None,
) -> list[Path]:
    """Write the run folder; a decision boundary is drawn when X is 2-D data (2, m), with
    the ``test`` (X, Y) points too; classifiers get a confusion matrix (of the test set
    when given, else of the training set)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = [
        model.save(out / "model.npz"),
        write_history_csv(history, out / "history.csv"),
        write_json(metrics, out / "metrics.json"),
    ]
    curves = {"train": history.history["loss"]}
    if "val_loss" in history.history:
        curves["dev"] = history.history["val_loss"]
    written.append(
        plots.learning_curves(
            curves, out / "learning_curve.png", xlabel=cost_label, title="Learning curve (cost J)"
        )
    )
    conv = next((layer for layer in model.layers if isinstance(layer, Conv2D)), None)
    if conv is not None and X is not None:
        written += _conv_pictures(model, conv, X[:1], out)
    if X is not None and Y is not None and X.shape[0] == 2 and model.example_axis == -1:
        acc = metrics.get("train_accuracy")
        title = "Decision boundary" + (f" (train accuracy {acc:.2%})" if acc is not None else "")
        written.append(
            plots.decision_boundary(
                lambda G: model.predict(G),
                X,
                Y,
                out / "decision_boundary.png",
                title=title,
                test=test if test is not None and test[0] is not None else None,
                classes=model.classes_,
            )
        )
    scored = test if test is not None and test[0] is not None else (X, Y)
    if (
        model.classes_
        and scored[0] is not None
        and scored[1] is not None
        and model.output_axis == -1
    ):
        written.append(_confusion(model, *scored, out / "confusion_matrix.png"))
    return written


def _confusion(model: Sequential, X: np.ndarray, Y: np.ndarray, path: Path) -> Path:
    Y = np.asarray(Y)
    truth = np.argmax(Y, axis=0) if Y.shape[0] > 1 else Y.ravel()
    C = len(model.classes_)
    counts = confusion_matrix(model.predict(X).ravel(), truth.astype(np.int64), C)
    return plots.confusion_matrix(counts, path, classes=model.classes_)


def _conv_pictures(model: Sequential, conv: Conv2D, X: np.ndarray, out: Path) -> list[Path]:
    """filters.png (the first conv layer's W) and feature_maps.png (its activations for
    the first training example)."""
    A = model.check_input(X)
    for layer in model.layers:
        A = layer.forward(A)
        if layer is conv:
            break
    return [
        plots.conv_filters(conv.params["W"], out / "filters.png"),
        plots.feature_maps(A[0], out / "feature_maps.png", title="Feature maps of conv layer 1"),
    ]


def read_history_csv(path: str | os.PathLike) -> dict[str, list[float]]:
    """The columns of a history.csv written by ``write_history_csv``."""
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    keys = rows[0]
    return {k: [float(r[i]) for r in rows[1:]] for i, k in enumerate(keys)}


#: the flags of a run or study, saved in its partial folder so that --resume can finish it
RUN_ARGS = "args.json"


def read_run_args(out: str | os.PathLike, what: str = "run") -> dict:
    """The flags saved when the unfinished ``what`` ("run", "study") in ``out`` started."""
    path = RunFolder(out).partial / RUN_ARGS
    if not path.is_file():
        raise ConfigError(
            f"nothing to resume in {out}: no unfinished {what} there ({path} is missing)"
        )
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read {path} ({exc})") from None


class RunFolder:
    """The folder ``out`` of one training run, written safely. Use it as a context manager::

        with RunFolder("runs/flower") as folder:   # checks, locks, makes folder.partial
            ...train; write the results into folder.partial...
            folder.commit()                        # folder.partial becomes runs/flower

    Entering refuses (``ConfigError``, one sentence), before any training: a folder that
    cannot be written, an existing non-empty folder unless ``overwrite`` (and even then
    one holding anything but a run's files), and a folder another live process holds the
    lock of. ``.target`` is the final folder, ``.partial`` the temporary one beside it
    (``<parent>/.<name>.partial``), ``.checkpoint_path`` the training checkpoint in it.
    On leaving without a commit (an error, Ctrl-C) the partial folder is kept for a
    resumed run (removed only when empty) and the target is untouched; the lock is
    always released.
    """

    def __init__(self, out: str | os.PathLike, overwrite: bool = False) -> None:
        target = Path(os.path.normpath(os.fspath(out)))
        if target.name in ("", ".", ".."):
            target = Path(os.path.abspath(target))
        if not target.name:
            raise ConfigError(f"the run folder must have a name, got {os.fspath(out)!r}")
        self.target = target
        self.overwrite = bool(overwrite)
        self.partial = target.parent / f".{target.name}.partial"
        self.lock_path = target.parent / f".{target.name}.lock"
        self.checkpoint_path = self.partial / "checkpoint.npz"
        self.committed = False
        self._locked = False
        self._made: list[Path] = []

    def __repr__(self) -> str:
        return f"RunFolder({str(self.target)!r}, overwrite={self.overwrite})"

    # ------------------------------------------------------------------ enter, exit
    def __enter__(self) -> RunFolder:
        self._check_writable()
        try:
            self._made = _missing_folders(self.target.parent)
            self.target.parent.mkdir(parents=True, exist_ok=True)
            self._lock()
        except OSError as exc:
            self._remove_made()
            raise self._unwritable(exc) from None
        except BaseException:
            self._remove_made()
            raise
        try:
            self._refuse_existing()
            self.partial.mkdir(exist_ok=True)
            if not os.access(self.partial, os.W_OK | os.X_OK):
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self.partial))
        except BaseException as exc:
            self._leave()
            if isinstance(exc, OSError):
                raise self._unwritable(exc) from None
            raise
        return self

    def start_fresh(self) -> None:
        """Empty the partial folder of an earlier, unfinished run (a new run does not
        resume it, and none of its files may end up in this run's folder)."""
        for entry in self.partial.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()

    def __exit__(self, exc_type, exc, tb) -> None:
        self._leave()

    def _leave(self) -> None:
        try:
            if not self.committed:
                try:  # keep the partial folder (checkpoints) unless it holds nothing
                    self.partial.rmdir()
                except OSError:
                    pass
        finally:
            self._unlock()
        if not self.committed:
            self._remove_made()

    # ------------------------------------------------------------------ commit
    def commit(self) -> Path:
        """Rename the partial folder to the target. A previous run there (``overwrite``)
        is moved aside first, put back if the rename fails, and deleted after it."""
        if not self._locked:
            raise ConfigError("RunFolder.commit() needs the folder entered (a with block)")
        target, old = self.target, None
        if target.is_dir() and not target.is_symlink():
            if any(target.iterdir()):
                self._refuse_existing()
                old = _free_path(target.parent, f".{target.name}.old-{os.getpid()}")
                os.rename(target, old)
            else:
                target.rmdir()
        try:
            os.rename(self.partial, target)
        except BaseException:
            if old is not None:
                os.rename(old, target)  # the previous run, as it was
            raise
        self.committed = True
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
        return target

    # ------------------------------------------------------------------ checks
    def _check_writable(self) -> None:
        target = self.target
        if target.is_symlink() or (target.exists() and not target.is_dir()):
            kind = "a symbolic link" if target.is_symlink() else "a file"
            raise ConfigError(f"cannot write the run folder {target}: it is {kind}, not a folder")
        folder = target.parent
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if not folder.is_dir():
            raise ConfigError(
                f"cannot write the run folder {target}: {folder} is a file, not a folder"
            )
        if not os.access(folder, os.W_OK | os.X_OK):
            raise ConfigError(f"cannot write the run folder {target}: {folder} is not writable")

    def _unwritable(self, exc: OSError) -> ConfigError:
        where = f" ({exc.filename})" if exc.filename else ""
        return ConfigError(
            f"cannot write the run folder {self.target}: {exc.strerror or exc}{where}"
        )

    def _refuse_existing(self) -> None:
        target = self.target
        if not target.is_dir():
            return
        entries = sorted(target.iterdir())
        if not entries:
            return
        fresh = f"--out {_free_name(target)}"
        if not self.overwrite:
            raise ConfigError(
                f"{target} already holds a run; give --overwrite to replace it, "
                f"or a fresh folder such as {fresh}"
            )
        foreign = [p.name for p in entries if not _is_run_file(p)]
        if foreign:
            raise ConfigError(
                f"{target} holds more than a run ({foreign[0]}), so --overwrite does not "
                f"replace it; give a fresh folder such as {fresh}"
            )

    # ------------------------------------------------------------------ the lock
    def _lock(self) -> None:
        """Create the lock file with O_CREAT | O_EXCL, holding this process's id; a lock
        whose process is gone is taken over."""
        for attempt in range(2):
            try:
                fd = os.open(self.lock_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
            except FileExistsError:
                text = _read_lock(self.lock_path)
                pid = _lock_pid(text)
                if attempt or (pid is not None and _alive(pid)):
                    raise self._busy(pid) from None
                self._take_over(text)
                continue
            with os.fdopen(fd, "w") as fh:
                fh.write(f"{os.getpid()}\n")
            self._locked = True
            return

    def _take_over(self, stale: str) -> None:
        """Move the stale lock aside; if what was moved is not the lock read (a new run
        took it meanwhile), put it back and refuse."""
        aside = _free_path(self.lock_path.parent, f"{self.lock_path.name}.{os.getpid()}.stale")
        try:
            os.rename(self.lock_path, aside)
        except FileNotFoundError:
            return  # already gone: try to create it again
        moved = _read_lock(aside)
        if moved != stale:
            try:
                os.link(aside, self.lock_path)
            except OSError:
                pass
            os.remove(aside)
            raise self._busy(_lock_pid(moved))
        os.remove(aside)

    def _busy(self, pid: int | None) -> ConfigError:
        who = f"pid {pid}" if pid is not None else "a process"
        return ConfigError(
            f"{self.target} is in use by another layerwise run ({who}, lock file "
            f"{self.lock_path}); wait for it to finish, or delete the lock file if none runs"
        )

    def _unlock(self) -> None:
        if not self._locked:
            return
        self._locked = False
        try:
            if _lock_pid(_read_lock(self.lock_path)) == os.getpid():
                os.remove(self.lock_path)
        except OSError:
            pass

    def _remove_made(self) -> None:
        """Remove the (empty) parent folders this run created, deepest first."""
        for folder in self._made:
            try:
                folder.rmdir()
            except OSError:
                break
        self._made = []


def _missing_folders(folder: Path) -> list[Path]:
    """``folder`` and its ancestors that do not exist yet, deepest first."""
    missing = []
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


def _is_run_file(path: Path) -> bool:
    """A file a run writes: its results, a plot, or a temporary file left by a crash."""
    if path.is_symlink() or not path.is_file():
        return False
    name = path.name
    return (
        name in RUN_FILES
        or name.endswith(".png")
        or (name.startswith(".") and name.endswith(".tmp"))
    )


def _free_name(target: Path) -> Path:
    """The first ``<target>-2``, ``<target>-3``, ... that no run uses."""
    for n in range(2, 10_000):
        candidate = target.with_name(f"{target.name}-{n}")
        taken = (
            (candidate.exists() and not (candidate.is_dir() and not any(candidate.iterdir())))
            or (candidate.parent / f".{candidate.name}.lock").exists()
            or (candidate.parent / f".{candidate.name}.partial").exists()
        )
        if not taken:
            return candidate
    return target.with_name(f"{target.name}-{os.getpid()}")


def _free_path(folder: Path, name: str) -> Path:
    """``folder / name``, or with a number added, that does not exist."""
    path, n = folder / name, 1
    while path.exists() or path.is_symlink():
        n += 1
        path = folder / f"{name}-{n}"
    return path


def _read_lock(path: Path) -> str:
    try:
        return path.read_text(encoding="ascii", errors="replace")
    except FileNotFoundError:
        return ""


def _lock_pid(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() else None


def _alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (on this machine)."""
    if pid <= 0:
        return False
    if os.name == "nt":  # pragma: no cover - os.kill(pid, 0) would signal it there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    except OSError:
        return False
    return True
