"""``layerwise tune``: search a dense network's hyper-parameters on a data set, from a
TOML space file, and write a run folder with the study, the trials and the best model.

The data are split as ``layerwise train`` splits them (the test set held out with
``--seed``, the dev set from the rest with ``--seed`` + 1), so the dev accuracies of the
two commands can be compared; each trial trains on the training part and is scored on
the dev part; the test part is used once, by the re-trained best model.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..activations import ACTIVATIONS
from ..atomic import atomic_write_text
from ..builders import PRESETS, hidden_layers
from ..callbacks import EarlyStopping
from ..checks import in_range, non_negative_int, positive_int, probability
from ..data import load_dataset, load_h5, train_test_split
from ..data.task import decide_task
from ..errors import ConfigError
from ..initializers import INITIALIZERS
from ..layers import Dense
from ..network import Sequential
from ..optimizers import OPTIMIZERS, Adam, GradientDescent, Momentum, RMSprop
from ..runs import RUN_ARGS, RunFolder, read_run_args
from . import engine
from .search import METRIC_COLUMNS, Progress, SearchResult, tune
from .spaces import METRICS, Choice, Dimension, IntUniform, PowerOfTwo, read_space_text

#: the fraction held out as the test set, as ``layerwise train`` does by default
TEST_SPLIT = 0.2
JOURNAL = "study.journal"

EXAMPLE = (
    "layerwise tune --data digits --space examples/tune_space.toml --trials 30 "
    "--out runs/digits-tpe"
)

#: The course's table (course 2, week 3): what --space searches when not given.
#: examples/tune_space.toml is this table with comments.
DEFAULT_SPACE = """
[space]
learning_rate = { log_uniform = [1e-4, 1e-1] }
beta = { one_minus_log_uniform = [0.9, 0.999] }
hidden_units = { int_uniform = [32, 256] }
batch_size = { power_of_two = [16, 256] }
layers = { int_uniform = [1, 3] }
keep_prob = { uniform = [0.5, 1.0] }
l2 = { log_uniform = [1e-3, 3.0] }
optimizer = ["adam", "momentum", "rmsprop"]
epochs = 300
early_stopping = 20
"""


# ---------------------------------------------------------------------------- parameters
def _float_param(low: float, high: float = math.inf, *, low_open=False, high_open=True):
    return lambda v, w: in_range(v, w, low, high, low_open=low_open, high_open=high_open)


def _one_of(options):
    def check(v, what):
        if not isinstance(v, str) or v.lower() not in options:
            raise ConfigError(f"{what} must be one of {', '.join(options)}, got {v!r}")
        return v.lower()

    return check


def _flag(v, what):
    if not isinstance(v, bool):
        raise ConfigError(f"{what} must be true or false, got {v!r}")
    return v


#: what a space file may name: (kind, check of one value)
PARAMS: dict[str, tuple[str, Any]] = {
    "learning_rate": ("float", _float_param(0.0, low_open=True)),
    "beta": ("float", _float_param(0.0, 1.0, low_open=True)),
    "beta2": ("float", _float_param(0.0, 1.0, low_open=True)),
    "hidden_units": ("int", positive_int),
    "layers": ("int", non_negative_int),
    "batch_size": ("int", non_negative_int),
    "keep_prob": ("float", probability),
    "l2": ("float", _float_param(0.0)),
    "optimizer": ("str", _one_of(sorted(set(OPTIMIZERS) - {"sgd"}))),
    "activation": ("str", _one_of(list(ACTIVATIONS))),
    "init": ("str", _one_of(list(INITIALIZERS))),
    "batch_norm": ("bool", _flag),
    "normalize": ("bool", _flag),
    "epochs": ("int", positive_int),
    "early_stopping": ("int", non_negative_int),
}
PARAM_HELP = """space file parameters (TOML, one [space] table):
  learning_rate  alpha                     beta     momentum beta, Adam beta1
  beta2          Adam beta2, RMSprop beta  l2       L2 lambda
  hidden_units   units per hidden layer    layers   hidden layers
  batch_size     mini-batch size (0: full) keep_prob  dropout keep probability
  optimizer      gd, momentum, rmsprop, adam           activation, init, batch_norm,
  normalize, epochs, early_stopping (patience on the dev loss, 0: none)
each as { log_uniform | one_minus_log_uniform | uniform | int_uniform | power_of_two
= [low, high] }, a list of choices, or a plain value (fixed)"""


def check_params(dims: dict[str, Dimension], fixed: dict[str, Any], where: str) -> dict:
    """Refuse an unknown name, a value of the wrong kind or out of range, naming the
    parameter; returns the fixed values as checked."""
    out = {}
    for name in [*dims, *fixed]:
        if name not in PARAMS:
            raise ConfigError(
                f"{where}: space.{name}: unknown parameter; known: {', '.join(PARAMS)}"
            )
        kind, check = PARAMS[name]
        what = f"{where}: space.{name}"
        dim = dims.get(name)
        values = dim.extremes() if dim is not None else [fixed[name]]
        if dim is not None and kind == "int" and not isinstance(dim, (IntUniform, PowerOfTwo)):
            if not isinstance(dim, Choice):
                raise ConfigError(
                    f"{what}: takes whole numbers: use int_uniform, power_of_two or a list"
                )
        if dim is not None and kind in ("str", "bool") and not isinstance(dim, Choice):
            raise ConfigError(f"{what}: takes a list of choices or a plain value")
        for v in values:
            if kind == "float" and isinstance(v, int) and not isinstance(v, bool):
                v = float(v)
            checked = check(v, what)
            if dim is None:
                out[name] = checked
    return out


# ---------------------------------------------------------------------------- the model
class CommandModel:
    """``build(params)`` for the command: a dense network (``builders.hidden_layers`` and
    the output layer the labels call for) with the settings (the data set's preset, then
    the space file's fixed values), then the trial's params; returns the model and its
    fit arguments (optimiser with α and β, epochs, mini-batch size, λ, early stopping)."""

    def __init__(self, settings: dict, output: tuple[int, str], classes, seed: int, dtype: str):
        self.settings, self.output, self.classes = dict(settings), output, classes
        self.seed, self.dtype = seed, dtype

    def resolved(self, params: dict) -> dict:
        p = {**self.settings, **params}
        sizes = p.pop("sizes")
        if "hidden_units" in p or "layers" in p:
            units = p.get("hidden_units", sizes[0] if sizes else 64)
            sizes = [units] * p.get("layers", len(sizes))
        p["sizes"] = sizes
        return p

    def __call__(self, params: dict):
        p = self.resolved(params)
        layers = hidden_layers(
            p["sizes"], p["activation"], p.get("init"), p["batch_norm"], p["keep_prob"]
        )
        units, activation = self.output
        layers.append(Dense(units, activation))
        model = Sequential(layers, seed=self.seed, dtype=self.dtype, normalize=p["normalize"])
        model.classes_ = self.classes
        callbacks = []
        if p["early_stopping"]:
            callbacks.append(
                EarlyStopping("val_loss", patience=p["early_stopping"], restore_best_weights=True)
            )
        fit = {
            "optimizer": _optimizer(p),
            "learning_rate": None,
            "epochs": p["epochs"],
            "batch_size": p["batch_size"] or None,
            "l2": p["l2"],
            "callbacks": callbacks,
        }
        return model, fit


def _optimizer(p: dict):
    name, lr = p["optimizer"], p["learning_rate"]
    beta, beta2 = p.get("beta", 0.9), p.get("beta2", 0.999)
    if name == "adam":
        return Adam(lr, beta1=beta, beta2=beta2)
    if name == "momentum":
        return Momentum(lr, beta=beta)
    if name == "rmsprop":
        return RMSprop(lr, beta=beta2)
    return GradientDescent(lr)


def _settings(data_name: str, fixed: dict) -> dict:
    """The preset of ``layerwise train`` for this data set, then the fixed values."""
    preset = PRESETS.get(data_name, PRESETS["files"])
    settings = {
        "sizes": list(preset["layers"]),
        "activation": preset["activation"],
        "init": None,
        "batch_norm": False,
        "normalize": False,
        "optimizer": preset["optimizer"],
        "learning_rate": preset["lr"],
        "epochs": preset["iterations"],
        "batch_size": preset["batch_size"] or 0,
        "keep_prob": preset["keep_prob"],
        "l2": 0.0,
        "early_stopping": preset.get("early_stopping") or 0,
    }
    settings.update(fixed)
    return settings


# ---------------------------------------------------------------------------- the parser
def _positive_int(text: str) -> int:
    try:
        return positive_int(int(text), "the value")
    except (ValueError, ConfigError):
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}") from None


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError(f"expected a number of seconds > 0, got {text!r}")
    return value


def _split(text: str) -> float:
    try:
        return in_range(float(text), "the fraction", 0.0, 0.5, low_open=True, high_open=False)
    except (ValueError, ConfigError):
        raise argparse.ArgumentTypeError(f"expected a fraction in (0, 0.5], got {text!r}") from None


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"expected an integer in [0, 2**32), got {text!r}")
    return value


DEFAULTS = {
    "data": "flower",
    "space": None,
    "trials": 50,
    "sampler": "tpe",
    "pruner": "median",
    "workers": 1,
    "storage": None,
    "study": None,
    "timeout": None,
    "seed": 1,
    "metric": None,
    "points_per_axis": None,
    "validation_split": None,
    "heartbeat": 10.0,
    "dtype": "float32",
}

EPILOG = f"""example (from the repository's folder; about 5 minutes on 2 cores):
  {EXAMPLE}

several processes on one study (the journal file in the run folder):
  layerwise tune --data digits --trials 60 --workers 2 --out runs/digits-par

many machines on one PostgreSQL study (run the same line on each):
  layerwise tune --data digits --trials 200 --workers 2 --study digits \\
      --storage postgresql+psycopg2://USER:PASSWORD@HOST/DB --out runs/digits

Ctrl-C (or a crash, or SIGKILL) keeps the study: continue it with
  layerwise tune --out runs/NAME --resume

{PARAM_HELP}
Writes runs/NAME/: trials.csv, best_params.json, model.npz (the best params re-trained),
study.journal and PNG plots. See docs/tuning.md."""


def add_parser(sub) -> argparse.ArgumentParser:
    """Add ``tune`` to the ``layerwise`` sub-commands."""
    t = sub.add_parser(
        "tune",
        help="search hyper-parameters (Optuna: grid, random, TPE, GP; pruning; parallel)",
        description="Search a dense network's hyper-parameters on a data set: each trial "
        "trains on the training split and is scored on the dev split, as layerwise train "
        "splits them; the study is saved as it runs.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _data_arguments(t.add_argument_group("data"))
    _search_arguments(t.add_argument_group("search"))
    _study_arguments(t.add_argument_group("study"))
    return t


def _search_arguments(t) -> None:
    """What is searched, and how: the space, the count, the sampler and the pruner."""
    t.add_argument(
        "--space",
        metavar="FILE",
        help="TOML space file (default: the course's table, as examples/tune_space.toml)",
    )
    t.add_argument(
        "--trials",
        type=_positive_int,
        help="finished (complete or pruned) trials the study should hold (default: 50)",
    )
    t.add_argument("--sampler", choices=engine.SAMPLERS, help="(default: tpe)")
    t.add_argument("--pruner", choices=engine.PRUNERS, help="(default: median)")
    t.add_argument(
        "--metric",
        choices=tuple(METRICS),
        help="dev metric (default: val_accuracy for classes, val_loss for numbers)",
    )
    t.add_argument(
        "--points-per-axis",
        type=_positive_int,
        metavar="K",
        help="grid: K values per continuous axis (default: the most that fit in --trials)",
    )
    t.add_argument("--timeout", type=_seconds, metavar="S", help="start no trial after S seconds")


def _study_arguments(t) -> None:
    """Where the study lives and who works on it: workers, storage, name, run folder."""
    t.add_argument(
        "--workers", type=_positive_int, help="local processes on the study (default: 1)"
    )
    t.add_argument(
        "--storage",
        metavar="URL",
        help="a database URL (postgresql+psycopg2://..., many machines) or a journal file "
        "(default: study.journal in the run folder)",
    )
    t.add_argument("--study", metavar="NAME", help="study name (default: DATA-SAMPLER)")
    t.add_argument(
        "--heartbeat",
        type=_seconds,
        metavar="S",
        help="database storage: a trial silent for 2 S seconds is failed (default: 10)",
    )
    t.add_argument("--out", help="run folder (default: runs/<study>)")
    t.add_argument(
        "--resume",
        action="store_true",
        help="continue the unfinished study of --out (its other flags are kept)",
    )
    t.add_argument("--quiet", action="store_true", help="no progress lines")


def _data_arguments(t) -> None:
    """The data, their split and the models' seed and dtype, as ``layerwise train``'s."""
    t.add_argument("--data", help="built-in name (flower, digits) or a data file (default: flower)")
    t.add_argument(
        "--validation-split",
        type=_split,
        metavar="F",
        help="share of the training set held out as the dev set (default: 0.15)",
    )
    t.add_argument("--seed", type=_seed, help="splits, models and sampler (default: 1)")
    t.add_argument("--dtype", choices=("float32", "float64"))


# ---------------------------------------------------------------------------- running
def _data_name(spec: str) -> str:
    return Path(spec).stem if Path(spec).suffix else spec


def _merged(args: argparse.Namespace) -> argparse.Namespace:
    """The flags given, then (with --resume) the saved ones, then the defaults."""
    given = {k: getattr(args, k, None) for k in DEFAULTS}
    out = _out(args.out, given)
    saved: dict = {}
    if args.resume:
        saved = read_run_args(out, "study")
    merged = {k: given[k] if given[k] is not None else saved.get(k, DEFAULTS[k]) for k in DEFAULTS}
    merged["study"] = merged["study"] or f"{_data_name(merged['data'])}-{merged['sampler']}"
    return argparse.Namespace(
        **merged, out=str(out), resume=args.resume, quiet=getattr(args, "quiet", False)
    )


def _out(out: str | None, given: dict) -> Path:
    if out:
        return Path(out)
    data = given["data"] or DEFAULTS["data"]
    study = given["study"] or f"{_data_name(data)}-{given['sampler'] or DEFAULTS['sampler']}"
    return Path("runs") / study


def _load(spec: str, seed: int):
    if Path(spec).suffix.lower() in (".h5", ".hdf5") and Path(spec).is_file():
        X, Y, classes = load_h5(spec)
        names = [c.decode() if isinstance(c, bytes) else str(c) for c in np.ravel(classes)]
        return X, Y, names
    X, Y = load_dataset(spec, seed=seed)
    return X, Y, None


def _splits(X, Y, validation_split: float, seed: int) -> dict[str, tuple]:
    """As ``layerwise train`` splits: test first (seed), then dev from the rest (seed + 1)."""
    stratify = Y.shape[0] == 1 and np.issubdtype(Y.dtype, np.integer)
    X_train, Y_train, X_test, Y_test = train_test_split(
        X, Y, TEST_SPLIT, seed=seed, stratify=stratify
    )
    X_train, Y_train, X_dev, Y_dev = train_test_split(
        X_train, Y_train, validation_split, seed=seed + 1, stratify=stratify
    )
    return {"train": (X_train, Y_train), "dev": (X_dev, Y_dev), "test": (X_test, Y_test)}


class _Setup:
    """Everything checked before the study starts: the space, the data, the model."""

    def __init__(self, a: argparse.Namespace) -> None:
        engine.check_sampler(a.sampler)
        engine.check_storage(a.storage, a.workers)
        if a.space is None:
            self.dims, fixed = read_space_text(DEFAULT_SPACE, "the default space")
            where = "the default space"
        else:
            path = Path(a.space)
            if not path.is_file():
                raise ConfigError(f"no space file {a.space}")
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"cannot read the space file {a.space}: {exc}") from None
            self.dims, fixed = read_space_text(text, a.space)
            where = a.space
        if not self.dims:
            raise ConfigError(f"{where}: nothing to search: every entry is a plain value")
        self.fixed = check_params(self.dims, fixed, where)
        name = _data_name(a.data)
        X, Y, classes = _load(a.data, a.seed)
        task = decide_task(Y, None, classes)
        self.task = task
        preset = PRESETS.get(name, PRESETS["files"])
        split = a.validation_split or preset.get("validation_split") or 0.15
        self.splits = _splits(X, task.Y, split, a.seed)
        self.metric = a.metric or ("val_loss" if task.kind == "regression" else "val_accuracy")
        if self.metric == "val_accuracy" and task.kind == "regression":
            raise ConfigError("--metric val_accuracy needs class labels; use --metric val_loss")
        self.settings = _settings(name, self.fixed)
        self.model = CommandModel(self.settings, task.output, task.classes, a.seed, a.dtype)


def run(args: argparse.Namespace) -> int:
    """``layerwise tune``: check everything, run the study, write the run folder."""
    a = _merged(args)
    setup = _Setup(a)
    out = Path(a.out)
    if not a.resume and out.is_dir() and any(out.iterdir()):
        raise ConfigError(
            f"{out} already holds a finished study; give a fresh --out (or add trials to it "
            f"with --storage {out / JOURNAL} --study {a.study} --out {out}-more)"
        )
    with RunFolder(out) as folder:
        if not a.resume:
            folder.start_fresh()
            saved = {k: getattr(a, k) for k in DEFAULTS}
            atomic_write_text(folder.partial / RUN_ARGS, json.dumps(saved, indent=2) + "\n")
        storage = a.storage or str(folder.partial / JOURNAL)
        if not a.quiet:
            _header(a, setup, storage)
        start = time.perf_counter()
        try:
            result = _search(a, setup, storage)
        except KeyboardInterrupt:
            raise KeyboardInterrupt(
                f"interrupted; the study is kept: continue it with "
                f"layerwise tune --out {out} --resume"
            ) from None
        seconds = time.perf_counter() - start
        written = _write(folder.partial, a, setup, result, seconds)
        for leftover in (folder.partial / RUN_ARGS, folder.partial / f".{JOURNAL}.tickets"):
            leftover.unlink(missing_ok=True)
        folder.commit()
    written = [folder.target / p.relative_to(folder.partial) for p in written]
    print(f"wrote {', '.join(str(p) for p in written)}")
    return 0


def _header(a, setup: _Setup, storage: str) -> None:
    where = engine._redacted(storage) if engine.is_url(storage) else storage
    X_train = setup.splits["train"][0]
    print(setup.task.description)
    print(
        f"study {a.study!r} in {where}: {a.trials} trials, sampler {a.sampler}, pruner "
        f"{a.pruner}, {a.workers} worker{'s' * (a.workers > 1)}; m_train = {X_train.shape[1]}, "
        f"m_dev = {setup.splits['dev'][0].shape[1]}, dev {setup.metric}"
    )
    print(f"searching {', '.join(f'{n} {d!r}' for n, d in setup.dims.items())}")
    searched = set(setup.dims) | (
        {"sizes"} if {"hidden_units", "layers"} & set(setup.dims) else set()
    )
    shown = {k: v for k, v in setup.settings.items() if k not in searched and v is not None}
    print(f"fixed: {', '.join(f'{k}={v}' for k, v in shown.items())}")


def _search(a, setup: _Setup, storage: str) -> SearchResult:
    (X_train, Y_train), (X_dev, Y_dev) = setup.splits["train"], setup.splits["dev"]
    progress = None if a.quiet else Progress(setup.metric, a.trials).update
    return tune(
        setup.model,
        setup.dims,
        X_train,
        Y_train,
        X_dev,
        Y_dev,
        n_trials=a.trials,
        sampler=a.sampler,
        pruner=a.pruner,
        seed=a.seed,
        fit_kwargs={"validation_data": (X_dev, Y_dev)},
        metric=setup.metric,
        points_per_axis=a.points_per_axis,
        storage=storage,
        study_name=a.study,
        workers=a.workers,
        timeout=a.timeout,
        heartbeat=a.heartbeat,
        progress=progress,
    )


def _write(folder: Path, a, setup: _Setup, result: SearchResult, seconds: float) -> list[Path]:
    from .plots import write_plots  # noqa: PLC0415 - matplotlib only when drawing

    print()
    print(result.table())
    counts = result.counts()
    if counts["complete"] + counts["pruned"] < a.trials:
        print(
            f"layerwise: note: the study holds {counts['complete'] + counts['pruned']} of the "
            f"{a.trials} trials asked for ({'--timeout' if a.timeout else 'the grid is done'})"
        )
    written = [_trials_csv(result, folder / "trials.csv")]
    summary: dict[str, Any] = {
        "study": a.study,
        "metric": setup.metric,
        "trials": result.counts(),
        "search_seconds": round(seconds, 1),
    }
    if result.best_model is not None:
        model = result.best_model
        written.append(model.save(folder / "model.npz"))
        scores = {}
        for split, (Xs, Ys) in setup.splits.items():
            scores.update({f"{split}_{k}": v for k, v in model.evaluate(Xs, Ys).items()})
        summary.update(
            {
                "best_trial": result.best_number,
                "best_value": result.best_score,
                "params": result.best_params,
                "settings": _jsonable(setup.model.resolved(result.best_params)),
                "retrained": scores,
            }
        )
        shown = "  ".join(
            f"{k} {v:.4f}" for k, v in scores.items() if k.endswith(("accuracy", "_loss"))
        )
        print(f"best trial {result.best_number} re-trained: {shown}")
    else:
        print("no trial completed: no model to write")
    atomic_write_text(folder / "best_params.json", json.dumps(summary, indent=2) + "\n")
    written.append(folder / "best_params.json")
    pngs, skipped = write_plots(result.study, folder, setup.metric)
    written += pngs
    for why in skipped:
        print(f"layerwise: note: no {why}")
    print(f"searched for {seconds:.1f} s")
    return written


def _jsonable(d: dict) -> dict:
    return {k: v for k, v in d.items() if isinstance(v, (str, int, float, bool, list, type(None)))}


def _trials_csv(result: SearchResult, path: Path) -> Path:
    names = list(dict.fromkeys(k for t in result.trials for k in t["params"]))
    metrics = [m for m in METRIC_COLUMNS if any(m in t for t in result.trials)]
    head = ["number", "state", "value", *names, *metrics, "epochs", "seconds", "note", "worker"]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(head)
    for t in result.trials:
        row = [t["number"], t["state"], _cell(t["score"])]
        row += [_cell(t["params"].get(n, "")) for n in names]
        row += [_cell(t.get(m, "")) for m in metrics]
        row += [t.get("epochs", ""), f"{t['seconds']:.3f}", t.get("note", ""), t.get("worker", "")]
        writer.writerow(row)
    return atomic_write_text(path, buf.getvalue())


def _cell(v) -> str:
    if isinstance(v, float):
        return "" if math.isnan(v) else repr(v)
    return str(v)
