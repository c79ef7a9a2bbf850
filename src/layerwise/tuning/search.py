"""Grid, random and Bayesian search over a space of dimensions; results best first."""

from __future__ import annotations

import inspect
import itertools
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from ..errors import ConfigError, ShapeError
from ..network import Sequential
from ..training import fit
from .spaces import METRICS, check_count, check_space

Array = np.ndarray
Builder = Callable[[dict], "Sequential | tuple[Sequential, dict]"]


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
    dims = check_space(space)
    k = check_count("points_per_axis", points_per_axis)
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
    dims = check_space(space)
    n = check_count("n_trials", n_trials)
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
    dims = check_space(space)
    n = check_count("n_trials", n_trials)
    runner = _Runner(build, X_train, Y_train, X_dev, Y_dev, fit_kwargs, metric, verbose)
    try:
        import optuna  # noqa: PLC0415 - optional tune extra
    except ImportError:
        raise ConfigError("bayesian_search needs Optuna: pip install 'layerwise[tune]'") from None
    from optuna.trial import TrialState  # noqa: PLC0415 - optional tune extra

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
