"""Hyper-parameter search (course 2, week 3): grid, random and Bayesian (Optuna TPE) search.

A search space is a dict ``{name: dimension}``; each dimension says how to draw a value
on the right scale ("Using an appropriate scale"):

    Choice([4, 8, 16])             one of the values
    Uniform(0.0, 0.5)              uniform on [low, high], e.g. dropout rate
    IntUniform(2, 50)              a whole number in [low, high], e.g. hidden units
    LogUniform(1e-4, 1)            r ~ U[log10 low, log10 high], value 10^r (learning rate)
    OneMinusLogUniform(0.9, 0.999) r ~ U[log10(1 - high), log10(1 - low)], beta = 1 - 10^r

A plain list or tuple in the space means ``Choice`` of its items.

The model protocol: ``build(params) -> Sequential`` builds a fresh model from one trial's
params. Every params key that ``Sequential.fit`` accepts (``learning_rate``, ``optimizer``,
``batch_size``, ``epochs``, ``l2``, ``decay`` ...) is also passed to ``fit``; the other keys
(hidden units, dropout rate, ...) are for ``build`` alone. ``fit_kwargs`` holds fixed fit
arguments (params win over them). When a trial needs fit arguments made from its params
(e.g. ``optimizer=Adam(beta1=params["beta1"])``), ``build`` may return ``(model,
fit_kwargs)`` instead, and those win over both. ``fit`` runs silently (``verbose=0``)
unless told otherwise; for early stopping put ``validation_data=(X_dev, Y_dev)`` and the
callback in ``fit_kwargs``.

Each trial trains on (X_train, Y_train), then scores the model on the dev set (X_dev,
Y_dev); the test set is never seen. ``metric`` is "val_accuracy" (maximised, the default)
or "val_loss" (minimised).
"""

from __future__ import annotations

import inspect
import itertools
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import ConfigError, ShapeError
from .network import Sequential

Array = np.ndarray
Builder = Callable[[dict], "Sequential | tuple[Sequential, dict]"]

__all__ = [
    "Choice",
    "Dimension",
    "IntUniform",
    "LogUniform",
    "OneMinusLogUniform",
    "SearchResult",
    "Uniform",
    "bayesian_search",
    "grid_search",
    "random_search",
]

METRICS = {"val_accuracy": "max", "val_loss": "min"}


# ---------------------------------------------------------------------------- dimensions
def _number(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ConfigError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ConfigError(f"{name} must be finite, got {value}")
    return value


def _check_count(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ConfigError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


def _check_k(k) -> int:
    return _check_count("points_per_axis", k)


class Dimension:
    """One axis of a search space: ``sample(rng)`` draws a value, ``grid(k)`` lists k of them."""

    def sample(self, rng: np.random.Generator) -> Any:
        raise NotImplementedError

    def grid(self, k: int) -> list:
        raise NotImplementedError

    def suggest(self, trial, name: str) -> Any:
        """The value an Optuna ``trial`` suggests for this axis."""
        raise NotImplementedError


class Choice(Dimension):
    """One of ``values``, each equally likely; the grid is every value (k is ignored)."""

    def __init__(self, values: Sequence) -> None:
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
            raise ConfigError(f"Choice needs a non-empty list of values, got {values!r}")
        self.values = list(values)

    def sample(self, rng: np.random.Generator) -> Any:
        return self.values[int(rng.integers(len(self.values)))]

    def grid(self, k: int) -> list:
        _check_k(k)
        return list(self.values)

    def suggest(self, trial, name: str) -> Any:
        return self.values[trial.suggest_categorical(name, list(range(len(self.values))))]

    def __repr__(self) -> str:
        return f"Choice({self.values!r})"


class Uniform(Dimension):
    """A float uniform on [low, high]; the grid is k evenly spaced points (k = 1: the middle)."""

    def __init__(self, low: float, high: float) -> None:
        self.low, self.high = _number("low", low), _number("high", high)
        if self.low >= self.high:
            raise ConfigError(f"{type(self).__name__} needs low < high, got [{low}, {high}]")

    def sample(self, rng: np.random.Generator) -> float:
        return float(rng.uniform(self.low, self.high))

    def grid(self, k: int) -> list:
        k = _check_k(k)
        if k == 1:
            return [(self.low + self.high) / 2]
        return [float(v) for v in np.linspace(self.low, self.high, k)]

    def suggest(self, trial, name: str) -> float:
        return float(trial.suggest_float(name, self.low, self.high))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.low!r}, {self.high!r})"


class IntUniform(Uniform):
    """A whole number in [low, high], each equally likely; the grid is up to k evenly
    spaced whole numbers (fewer when the range holds fewer)."""

    def __init__(self, low: int, high: int) -> None:
        for name, v in (("low", low), ("high", high)):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
                raise ConfigError(f"IntUniform {name} must be a whole number, got {v!r}")
        super().__init__(low, high)
        self.low, self.high = int(low), int(high)

    def sample(self, rng: np.random.Generator) -> int:
        return int(rng.integers(self.low, self.high + 1))

    def grid(self, k: int) -> list:
        points = [round(v) for v in super().grid(k)]
        return list(dict.fromkeys(int(v) for v in points))

    def suggest(self, trial, name: str) -> int:
        return int(trial.suggest_int(name, self.low, self.high))


class LogUniform(Uniform):
    """The course's log scale: r uniform on [log10 low, log10 high], value 10^r, so each
    decade (1e-4..1e-3, 1e-3..1e-2, ...) is equally likely. 0 < low < high; the grid is
    k points evenly spaced in r."""

    def __init__(self, low: float, high: float) -> None:
        super().__init__(low, high)
        if self.low <= 0:
            raise ConfigError(f"LogUniform needs 0 < low < high (a log scale), got [{low}, {high}]")
        self._r = (math.log10(self.low), math.log10(self.high))

    def _value(self, r: float) -> float:
        return min(max(10.0**r, self.low), self.high)

    def sample(self, rng: np.random.Generator) -> float:
        return self._value(float(rng.uniform(*self._r)))

    def grid(self, k: int) -> list:
        k = _check_k(k)
        if k == 1:
            return [self._value(sum(self._r) / 2)]
        return [self.low, *(self._value(r) for r in np.linspace(*self._r, k)[1:-1]), self.high]

    def suggest(self, trial, name: str) -> float:
        return float(trial.suggest_float(name, self.low, self.high, log=True))


class OneMinusLogUniform(Uniform):
    """A β close to 1 (momentum, Adam, RMSprop): 1 − β on a log scale, as the course
    samples β in [0.9, 0.999]: r uniform on [log10(1 − high), log10(1 − low)],
    β = 1 − 10^r. Needs low < high < 1. The grid is k points evenly spaced in r."""

    def __init__(self, low: float, high: float) -> None:
        super().__init__(low, high)
        if self.high >= 1:
            raise ConfigError(
                f"OneMinusLogUniform needs low < high < 1 (1 - beta > 0 on a log scale), "
                f"got [{low}, {high}]"
            )
        self._gap = LogUniform(1.0 - self.high, 1.0 - self.low)

    def _beta(self, gap: float) -> float:
        return min(max(1.0 - gap, self.low), self.high)

    def sample(self, rng: np.random.Generator) -> float:
        return self._beta(self._gap.sample(rng))

    def grid(self, k: int) -> list:
        return sorted(self._beta(g) for g in self._gap.grid(k))

    def suggest(self, trial, name: str) -> float:
        gap = trial.suggest_float(f"1-{name}", self._gap.low, self._gap.high, log=True)
        return self._beta(float(gap))


def _check_space(space: Mapping) -> dict[str, Dimension]:
    if not isinstance(space, Mapping) or not space:
        raise ConfigError(
            f"space must be a non-empty dict {{name: Choice/Uniform/LogUniform/...}}, got {space!r}"
        )
    out: dict[str, Dimension] = {}
    for name, dim in space.items():
        if not isinstance(name, str):
            raise ConfigError(f"space names must be strings, got {name!r}")
        if isinstance(dim, (list, tuple)):
            dim = Choice(dim)
        if not isinstance(dim, Dimension):
            raise ConfigError(
                f"space[{name!r}] must be Choice, Uniform, IntUniform, LogUniform, "
                f"OneMinusLogUniform or a list of values, got {dim!r}"
            )
        out[name] = dim
    return out


# ---------------------------------------------------------------------------- results
@dataclass
class SearchResult:
    """What a search found.

    ``trials``: one dict per trial in the order run, with ``number``, ``params``,
    ``val_loss``/``val_accuracy`` (dev set), ``loss``/``accuracy`` (training set),
    ``score`` (the dev ``metric``) and ``seconds``. ``best_params``, ``best_score`` and
    ``best_model`` belong to the best trial (largest dev accuracy, or smallest dev loss).
    """

    metric: str
    trials: list[dict] = field(default_factory=list)
    best_params: dict | None = None
    best_score: float | None = None
    best_model: Sequential | None = None

    @property
    def mode(self) -> str:
        return METRICS[self.metric]

    def _key(self, trial: dict) -> tuple:
        """Sort key, best first; non-finite scores last, ties keep the order run."""
        s = trial["score"]
        if not math.isfinite(s):
            return (1, 0.0, trial["number"])
        return (0, -s if self.mode == "max" else s, trial["number"])

    def sorted_trials(self) -> list[dict]:
        """The trials, best first."""
        return sorted(self.trials, key=self._key)

    def table(self) -> str:
        """A text table of every trial, best first: its params, dev and train metrics, time."""
        names = list(dict.fromkeys(k for t in self.trials for k in t["params"]))
        metrics = [
            m
            for m in ("val_accuracy", "val_loss", "accuracy", "loss")
            if any(m in t for t in self.trials)
        ]
        head = ["rank", "trial", *names, *metrics, "seconds"]
        rows = [head]
        for rank, t in enumerate(self.sorted_trials(), start=1):
            rows.append(
                [str(rank), str(t["number"])]
                + [_fmt(t["params"].get(n, "")) for n in names]
                + [_fmt(t.get(m, "")) for m in metrics]
                + [f"{t['seconds']:.2f}"]
            )
        widths = [max(len(r[c]) for r in rows) for c in range(len(head))]
        lines = ["  ".join(v.rjust(w) for v, w in zip(r, widths)) for r in rows]
        lines.insert(1, "-" * len(lines[0]))
        best = "none" if self.best_score is None else _fmt(self.best_score)
        lines.append(f"best {self.metric} = {best} with {self.best_params}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"SearchResult(metric={self.metric!r}, trials={len(self.trials)}, "
            f"best_score={self.best_score!r}, best_params={self.best_params!r})"
        )


def _fmt(v) -> str:
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.4g}"
    return str(v)


# ---------------------------------------------------------------------------- one trial
def _fit_names() -> set[str]:
    from .training import fit

    sig = inspect.signature(fit)
    return {n for n, p in sig.parameters.items() if p.kind is inspect.Parameter.KEYWORD_ONLY}


class _Runner:
    """Builds, trains and scores one trial at a time; keeps the best model."""

    def __init__(self, build, X_train, Y_train, X_dev, Y_dev, fit_kwargs, metric, verbose):
        if not callable(build):
            raise ConfigError(f"build must be a function params -> Sequential, got {build!r}")
        if metric not in METRICS:
            raise ConfigError(
                f"metric must be 'val_accuracy' (maximised) or 'val_loss' (minimised), "
                f"got {metric!r}"
            )
        self.fit_names = _fit_names()
        self.fixed = self._fit_kwargs(fit_kwargs, "fit_kwargs")
        X_train, X_dev = np.asarray(X_train), np.asarray(X_dev)
        if X_train.ndim == 2 and X_dev.ndim == 2 and X_train.shape[0] != X_dev.shape[0]:
            raise ShapeError(
                f"X_train has n_x = {X_train.shape[0]} rows but X_dev has {X_dev.shape[0]}: "
                "both must be (n_x, m) with the same features"
            )
        self.build, self.metric, self.verbose = build, metric, verbose
        self.data = (X_train, Y_train, X_dev, Y_dev)
        self.result = SearchResult(metric)

    def _fit_kwargs(self, kwargs, what: str) -> dict:
        if kwargs is None:
            return {}
        if not isinstance(kwargs, Mapping):
            raise ConfigError(f"{what} must be a dict of Sequential.fit arguments, got {kwargs!r}")
        unknown = sorted(set(kwargs) - self.fit_names)
        if unknown:
            raise ConfigError(
                f"{what} has {', '.join(unknown)}, which Sequential.fit does not take; "
                f"it takes {', '.join(sorted(self.fit_names))}"
            )
        return dict(kwargs)

    def run(self, params: dict) -> float:
        """Train one model with ``params`` and record the trial; returns its dev score."""
        X_train, Y_train, X_dev, Y_dev = self.data
        start = time.perf_counter()
        built = self.build(dict(params))
        extra: dict = {}
        if isinstance(built, tuple) and len(built) == 2:
            built, extra = built
            extra = self._fit_kwargs(extra, "the fit_kwargs build returned")
        if not isinstance(built, Sequential):
            raise ConfigError(
                "build(params) must return a Sequential (or a (Sequential, fit_kwargs) pair), "
                f"got {type(built).__name__}"
            )
        kwargs = {"verbose": 0, **self.fixed}
        kwargs.update({k: v for k, v in params.items() if k in self.fit_names})
        kwargs.update(extra)
        built.fit(X_train, Y_train, **kwargs)
        dev = built.evaluate(X_dev, Y_dev)
        train = built.evaluate(X_train, Y_train)
        seconds = time.perf_counter() - start
        if self.metric == "val_accuracy" and "accuracy" not in dev:
            raise ConfigError(
                "metric 'val_accuracy' needs a classifier (sigmoid or softmax output); "
                "use metric='val_loss'"
            )
        trial = {"number": len(self.result.trials), "params": dict(params)}
        trial.update({f"val_{k}": v for k, v in dev.items()})
        trial.update(train)
        trial["score"] = score = float(dev[self.metric[4:]])
        trial["seconds"] = seconds
        res = self.result
        res.trials.append(trial)
        best = res.best_score
        if math.isfinite(score) and (
            best is None or (score > best if res.mode == "max" else score < best)
        ):
            res.best_score, res.best_params, res.best_model = score, dict(params), built
        if self.verbose:
            shown = ", ".join(f"{k}={_fmt(v)}" for k, v in params.items())
            print(f"trial {trial['number']}: {self.metric} = {_fmt(trial['score'])}  ({shown})")
        return trial["score"]


# ---------------------------------------------------------------------------- searches
def grid_search(
    build: Builder,
    space: Mapping,
    X_train: Array,
    Y_train: Array,
    X_dev: Array,
    Y_dev: Array,
    *,
    points_per_axis: int = 3,
    fit_kwargs: dict | None = None,
    metric: str = "val_accuracy",
    verbose: int = 0,
) -> SearchResult:
    """Try every combination of ``points_per_axis`` values per axis (a Choice gives all
    its values), in order, the last axis varying fastest.

    X_train (n_x, m_train), Y_train (n_y, m_train); X_dev (n_x, m_dev), Y_dev (n_y, m_dev).
    The number of trials is the product of the axis sizes. See the module docstring for
    ``build``, ``space``, ``fit_kwargs`` and ``metric``.
    """
    dims = _check_space(space)
    k = _check_count("points_per_axis", points_per_axis)
    runner = _Runner(build, X_train, Y_train, X_dev, Y_dev, fit_kwargs, metric, verbose)
    axes = [dim.grid(k) for dim in dims.values()]
    for values in itertools.product(*axes):
        runner.run(dict(zip(dims, values)))
    return runner.result


def random_search(
    build: Builder,
    space: Mapping,
    X_train: Array,
    Y_train: Array,
    X_dev: Array,
    Y_dev: Array,
    *,
    n_trials: int = 20,
    seed: int | None = 0,
    fit_kwargs: dict | None = None,
    metric: str = "val_accuracy",
    verbose: int = 0,
) -> SearchResult:
    """The course's recommendation: ``n_trials`` random points of the space (each axis on its
    own scale), drawn with ``np.random.default_rng(seed)``, so the same seed gives the same
    trials. Arguments and shapes as in :func:`grid_search`.
    """
    dims = _check_space(space)
    n = _check_count("n_trials", n_trials)
    runner = _Runner(build, X_train, Y_train, X_dev, Y_dev, fit_kwargs, metric, verbose)
    rng = np.random.default_rng(seed)
    for _ in range(n):
        runner.run({name: dim.sample(rng) for name, dim in dims.items()})
    return runner.result


def bayesian_search(
    build: Builder,
    space: Mapping,
    X_train: Array,
    Y_train: Array,
    X_dev: Array,
    Y_dev: Array,
    *,
    n_trials: int = 20,
    seed: int | None = 0,
    fit_kwargs: dict | None = None,
    metric: str = "val_accuracy",
    verbose: int = 0,
) -> SearchResult:
    """``n_trials`` points chosen by Optuna's TPE sampler (seeded with ``seed``), each one
    guided by the dev scores of the trials before it. Needs the ``tune`` extra
    (``pip install 'layerwise[tune]'``). Arguments and shapes as in :func:`grid_search`.
    """
    dims = _check_space(space)
    n = _check_count("n_trials", n_trials)
    runner = _Runner(build, X_train, Y_train, X_dev, Y_dev, fit_kwargs, metric, verbose)
    try:
        import optuna
    except ImportError:
        raise ConfigError("bayesian_search needs Optuna: pip install 'layerwise[tune]'") from None
    from optuna.trial import TrialState

    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        study = optuna.create_study(
            direction="maximize" if METRICS[metric] == "max" else "minimize",
            sampler=optuna.samplers.TPESampler(seed=seed),
        )
        for _ in range(n):
            trial = study.ask()
            score = runner.run({name: dim.suggest(trial, name) for name, dim in dims.items()})
            if math.isfinite(score):
                study.tell(trial, score)
            else:
                study.tell(trial, state=TrialState.FAIL)
    finally:
        optuna.logging.set_verbosity(verbosity)
    return runner.result
