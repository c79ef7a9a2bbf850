"""``tune``, ``search`` and the three classic searches as thin wrappers; ``SearchResult``.

``search(objective, space, ...)`` runs any objective on the engine (``engine.py``);
``tune(build, space, X_train, Y_train, X_dev, Y_dev, ...)`` makes the objective "train a
model built from the trial's params on the training set and score it on the dev set",
reporting the dev metric after every epoch so a pruner can stop a poor trial early.
"""

from __future__ import annotations

import inspect
import math
import os
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..callbacks import Callback
from ..errors import ConfigError, ShapeError, TrainingDivergedError
from ..network import Sequential
from ..training import fit
from . import engine
from .spaces import METRICS, Dimension, check_count, check_space, grid_size

Array = np.ndarray
Builder = Callable[[dict], "Sequential | tuple[Sequential, dict]"]

#: the order of the metric columns in tables and trials.csv
METRIC_COLUMNS = ("val_accuracy", "val_loss", "accuracy", "loss")


# ---------------------------------------------------------------------------- results
@dataclass
class SearchResult:
    """What a search found, read back from its Optuna study.

    ``trials``: one dict per trial in trial-number order, with ``number``, ``state``
    ("complete", "pruned", "fail" or "running"), ``params`` (the hyper-parameters as the
    build function saw them), the metrics the objective returned (``val_loss``,
    ``val_accuracy`` on the dev set, ``loss``, ``accuracy`` on the training set,
    ``epochs``), ``score`` (the dev ``metric``; for a pruned trial its last reported
    value; NaN for a failed one), ``seconds`` and ``note`` (why it was pruned or failed).
    ``best_params``, ``best_score``, ``best_number`` and ``best_model`` belong to the
    best complete trial (largest dev accuracy, or smallest dev loss; ties: see ``_key``).
    ``study`` is the Optuna study itself.
    """

    metric: str
    trials: list[dict] = field(default_factory=list)
    best_params: dict | None = None
    best_score: float | None = None
    best_number: int | None = None
    best_model: Sequential | None = None
    study: Any = None
    direction: str = "max"

    @property
    def mode(self) -> str:
        return self.direction

    def _key(self, trial: dict) -> tuple:
        """Sort key, best first: complete trials by score, then pruned ones by their last
        value, then running and failed ones. Ties (a dev accuracy is a count of a few
        hundred examples: many trials share it) go to the smaller dev loss (for
        ``val_loss``: the larger dev accuracy), then to the earlier trial."""
        rank = {"complete": 0, "pruned": 1, "running": 2}.get(trial["state"], 3)
        s = trial["score"]
        if not math.isfinite(s):
            return (rank, 1, 0.0, 0.0, trial["number"])
        other = trial.get("val_loss" if self.metric == "val_accuracy" else "val_accuracy")
        tie = 0.0 if not isinstance(other, float) or not math.isfinite(other) else other
        tie = tie if self.metric == "val_accuracy" else -tie
        return (rank, 0, -s if self.mode == "max" else s, tie, trial["number"])

    def sorted_trials(self) -> list[dict]:
        """The trials, best first."""
        return sorted(self.trials, key=self._key)

    def counts(self) -> dict[str, int]:
        out = {"complete": 0, "pruned": 0, "fail": 0, "running": 0}
        for t in self.trials:
            out[t["state"]] = out.get(t["state"], 0) + 1
        return out

    def table(self, limit: int | None = None) -> str:
        """A text table of the trials, best first (the first ``limit``): state, params,
        dev and train metrics, epochs, seconds and the note of a pruned or failed trial."""
        names = list(dict.fromkeys(k for t in self.trials for k in t["params"]))
        metrics = [m for m in METRIC_COLUMNS if any(m in t for t in self.trials)]
        if not metrics:
            metrics = ["score"]
        extra = [c for c in ("epochs",) if any(c in t for t in self.trials)]
        head = ["rank", "trial", "state", *names, *metrics, *extra, "seconds", "note"]
        rows = [head]
        shown = self.sorted_trials()
        for rank, t in enumerate(shown[:limit] if limit else shown, start=1):
            rows.append(
                [str(rank), str(t["number"]), t["state"]]
                + [_fmt(t["params"].get(n, "")) for n in names]
                + [_fmt(t.get(m, "")) for m in metrics]
                + [_fmt(t.get(c, "")) for c in extra]
                + [f"{t['seconds']:.2f}", t.get("note", "")]
            )
        widths = [max(len(r[c]) for r in rows) for c in range(len(head))]
        lines = [
            "  ".join(
                v.rjust(w) if c < len(head) - 1 else v for c, (v, w) in enumerate(zip(r, widths))
            ).rstrip()
            for r in rows
        ]
        lines.insert(1, "-" * max(len(line) for line in lines))
        if limit and len(shown) > limit:
            lines.append(f"... and {len(shown) - limit} more")
        best = "none" if self.best_score is None else _fmt(self.best_score)
        c = self.counts()
        lines.append(
            f"{c['complete']} complete, {c['pruned']} pruned, {c['fail']} failed; "
            f"best {self.metric} = {best}"
            + ("" if self.best_number is None else f" (trial {self.best_number})")
            + f" with {self.best_params}"
        )
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (
            f"SearchResult(metric={self.metric!r}, trials={len(self.trials)}, "
            f"best_score={self.best_score!r}, best_params={self.best_params!r})"
        )

    @classmethod
    def from_study(cls, study, dims: Mapping[str, Dimension], metric: str) -> SearchResult:
        optuna = engine.require_optuna()
        S = optuna.trial.TrialState
        direction = "max" if study.direction == optuna.study.StudyDirection.MAXIMIZE else "min"
        res = cls(metric=metric, study=study, direction=direction)
        for t in study.get_trials(deepcopy=False):
            if t.state == S.WAITING:
                continue
            params = {
                name: dim.decode(t.params[dim.key(name)])
                for name, dim in dims.items()
                if dim.key(name) in t.params
            }
            if t.state == S.COMPLETE:
                score = float(t.value)
            elif t.state == S.PRUNED and t.intermediate_values:
                score = float(t.intermediate_values[max(t.intermediate_values)])
            else:
                score = math.nan
            seconds = t.user_attrs.get("seconds")
            if seconds is None and t.datetime_start is not None:
                end = t.datetime_complete or t.datetime_start
                seconds = (end - t.datetime_start).total_seconds()
            trial = {"number": t.number, "state": t.state.name.lower(), "params": params}
            trial.update(
                {
                    k: v
                    for k, v in t.user_attrs.items()
                    if k not in ("seconds", engine.NOTE_ATTR, engine.WORKER_ATTR)
                }
            )
            trial["score"] = score
            trial["seconds"] = float(seconds or 0.0)
            note = t.user_attrs.get(engine.NOTE_ATTR, "")
            if t.state == S.FAIL and not note:
                note = "no score (failed)"
            trial["note"] = note
            trial["worker"] = t.user_attrs.get(engine.WORKER_ATTR, "")
            res.trials.append(trial)
        best = [t for t in res.sorted_trials() if t["state"] == "complete"]
        if best and math.isfinite(best[0]["score"]):
            res.best_params = dict(best[0]["params"])
            res.best_score = best[0]["score"]
            res.best_number = best[0]["number"]
        return res


def _fmt(v) -> str:
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.4g}"
    return str(v)


# ---------------------------------------------------------------------------- the engine
def search(
    objective: Callable,
    space: Mapping,
    *,
    n_trials: int = 20,
    direction: str = "maximize",
    sampler: str = "tpe",
    pruner="none",
    seed: int | None = 0,
    points_per_axis: int | None = None,
    storage=None,
    study_name: str | None = None,
    resume: bool = False,
    workers: int = 1,
    timeout: float | None = None,
    heartbeat: float | None = 10,
    metric: str = "value",
    progress: Callable[[Any], None] | None = None,
) -> SearchResult:
    """Search ``space`` with Optuna until the study holds ``n_trials`` finished trials
    (complete or pruned; a failed trial is replaced), and return the result.

    ``objective(params, report) -> float`` (or a dict of metrics holding ``metric``):
    ``params`` maps each space name to its value; ``report(value, step)`` hands the
    pruner an intermediate value (``TrialPruned`` is raised when it says stop).

    ``sampler``: "tpe" (default), "gp" (needs PyTorch and SciPy), "random" or "grid"
    (``points_per_axis`` per continuous axis, default: the most whose grid has at most
    ``n_trials`` points; the search ends when the grid is done). ``pruner``: "none",
    "median", "hyperband" or an Optuna pruner. ``storage``: None (in memory), a journal
    file path, or a database URL (PostgreSQL for many machines; heartbeats every
    ``heartbeat`` seconds). ``study_name``: the study to create, or to join when the
    storage holds it already (another worker's; ``resume=True`` insists that it
    exists). ``workers`` > 1 runs that many processes (the objective must pickle; a
    temporary journal when ``storage`` is None).
    ``timeout``: no new trial after this many seconds.
    """
    dims = check_space(space)
    n, workers = check_count("n_trials", n_trials), check_count("workers", workers)
    sampler, pruner = engine.check_sampler(sampler), engine.check_pruner(pruner)
    _check_search(objective, direction, timeout, storage, workers)
    n, k = _grid_points(sampler, dims, n, points_per_axis)
    plan = engine.Plan(
        objective=objective,
        dims=dims,
        study_name=study_name or "layerwise",
        storage=os.fspath(storage) if isinstance(storage, os.PathLike) else storage,
        target=n,
        sampler=sampler,
        pruner=pruner,
        seed=seed,
        points_per_axis=k,
        deadline=None if timeout is None else time.time() + timeout,
        heartbeat=heartbeat,
        parallel=workers > 1 or engine.is_url(storage),
        metric=metric,
    )
    return _run_study(plan, workers, direction, resume, progress)


def _run_study(plan: engine.Plan, workers: int, direction: str, resume: bool, progress):
    """Create (or join) the plan's study, run ``workers`` workers on it (this process's
    one, or spawned processes), and read the result back. With several workers and no
    storage, they share a temporary journal, copied into memory at the end."""
    with engine.quiet_optuna() as optuna, tempfile.TemporaryDirectory() as tmp:
        temporary = plan.storage is None and workers > 1
        if temporary:
            plan.storage = os.path.join(tmp, "study.journal")
        opened = engine.open_storage(plan.storage, plan.heartbeat)
        opened = opened or optuna.storages.InMemoryStorage()
        name = plan.study_name
        study = _create_or_load(optuna, opened, plan.storage, name, direction, resume)
        study.set_user_attr("metric", plan.metric)
        if workers == 1:
            engine.run_worker(plan, storage=opened, on_trial=progress)
        else:
            engine.run_workers(plan, workers, None if progress is None else lambda: progress(study))
        if temporary:
            study = _in_memory(optuna, name, opened)
        return SearchResult.from_study(study, plan.dims, plan.metric)


def _check_search(objective, direction: str, timeout, storage, workers: int) -> None:
    """Refuse, in one line each, the arguments of ``search`` that cannot work."""
    if direction not in ("maximize", "minimize"):
        raise ConfigError(f"direction must be 'maximize' or 'minimize', got {direction!r}")
    if timeout is not None and not (isinstance(timeout, (int, float)) and timeout > 0):
        raise ConfigError(f"timeout must be a number of seconds > 0, got {timeout!r}")
    engine.check_storage(storage, workers)
    if not callable(objective):
        raise ConfigError(
            f"objective must be a function (params, report) -> score, got {objective!r}"
        )


def _grid_points(
    sampler: str, dims: Mapping[str, Dimension], n: int, points_per_axis: int | None
) -> tuple[int, int]:
    """(the trial target, the points per continuous axis): a grid search stops when its
    grid is done, so its target is at most the grid's size."""
    if sampler != "grid":
        return n, points_per_axis or 3
    k = check_count("points_per_axis", points_per_axis or _points_for(dims, n))
    return min(n, grid_size(dims, k)), k


def _in_memory(optuna, name: str, opened):
    """The study ``name`` copied from ``opened`` (a temporary journal) into memory."""
    memory = optuna.storages.InMemoryStorage()
    optuna.copy_study(from_study_name=name, from_storage=opened, to_storage=memory)
    return optuna.load_study(study_name=name, storage=memory)


def _points_for(dims: Mapping[str, Dimension], n: int) -> int:
    """The most points per continuous axis whose grid still fits in n trials (>= 2)."""
    k = 2
    while k < 64 and grid_size(dims, k + 1) <= n:
        k += 1
    return k


def _create_or_load(optuna, opened, storage, name: str, direction: str, resume: bool):
    """The study ``name``: created, or joined when the storage holds it already (another
    worker's); ``resume`` insists that it exists."""
    exists = name in {
        s.study_name for s in optuna.get_all_study_summaries(opened, include_best_trial=False)
    }
    where = "memory" if storage is None else engine._redacted(str(storage))
    if resume and not exists:
        raise ConfigError(f"no study {name!r} in {where} to resume")
    study = optuna.create_study(
        storage=opened, study_name=name, direction=direction, load_if_exists=True
    )
    if study.direction.name.lower() != direction:
        raise ConfigError(
            f"the study {name!r} in {where} is to {study.direction.name.lower()}, not {direction}"
        )
    return study


# ---------------------------------------------------------------------------- training
def _fit_names() -> set[str]:
    sig = inspect.signature(fit)
    return {n for n, p in sig.parameters.items() if p.kind is inspect.Parameter.KEYWORD_ONLY}


class _Pruning(Callback):
    """Reports the dev metric after every epoch to the trial (and so to its pruner)."""

    def __init__(self, report, metric: str) -> None:
        self.report, self.metric = report, metric

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        if self.metric in logs:
            metrics = {k: logs[k] for k in METRIC_COLUMNS if k in logs}
            self.report(float(logs[self.metric]), epoch, **metrics)


class TrainObjective:
    """The objective of ``tune``: build a model from the params, train it on the training
    set (reporting the dev metric every epoch), score it on the dev set. Picklable when
    ``build`` is, so worker processes can run it. Keeps the best model it trained."""

    def __init__(self, build, X_train, Y_train, X_dev, Y_dev, fit_kwargs, metric):
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
        self.build, self.metric = build, metric
        self.data = (X_train, Y_train, X_dev, Y_dev)
        self.best_model: Sequential | None = None
        self.best_params: dict | None = None
        self._best_key: tuple | None = None

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["best_model"] = state["best_params"] = state["_best_key"] = None  # a worker's own
        return state

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

    def train(self, params: dict, report=None) -> tuple[Sequential, dict]:
        """Build and train one model with ``params``; (model, its metrics)."""
        X_train, Y_train, X_dev, Y_dev = self.data
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
        callbacks = [*self.fixed.get("callbacks", ()), *extra.get("callbacks", ())]
        if report is not None:
            callbacks.append(_Pruning(report, self.metric))
            kwargs.setdefault("validation_data", (X_dev, Y_dev))
        kwargs["callbacks"] = callbacks
        note = ""
        try:
            built.fit(X_train, Y_train, **kwargs)
        except TrainingDivergedError as exc:  # scored with the last finite weights
            note = f"diverged at epoch {exc.epoch}"
        dev = built.evaluate(X_dev, Y_dev)
        if self.metric == "val_accuracy" and "accuracy" not in dev:
            raise ConfigError(
                "metric 'val_accuracy' needs a classifier (sigmoid or softmax output); "
                "use metric='val_loss'"
            )
        metrics = {f"val_{k}": v for k, v in dev.items()}
        metrics.update(built.evaluate(X_train, Y_train))
        history = getattr(built, "history_", None)
        metrics["epochs"] = len(history.epoch) if history is not None else 0
        if note:
            metrics["note"] = note
        return built, metrics

    def __call__(self, params: dict, report=None) -> dict:
        model, metrics = self.train(params, report)
        score = float(metrics[self.metric])
        sign = -1.0 if METRICS[self.metric] == "max" else 1.0
        other = metrics.get("val_loss" if self.metric == "val_accuracy" else "val_accuracy", 0.0)
        key = (sign * score, -sign * other if self.metric == "val_loss" else other)
        if math.isfinite(score) and (self._best_key is None or key < self._best_key):
            self.best_model, self.best_params, self._best_key = model, dict(params), key
        return metrics


def tune(
    build: Builder,
    space: Mapping,
    X_train: Array,
    Y_train: Array,
    X_dev: Array,
    Y_dev: Array,
    *,
    n_trials: int = 20,
    sampler: str = "tpe",
    pruner="median",
    seed: int | None = 0,
    fit_kwargs: dict | None = None,
    metric: str = "val_accuracy",
    points_per_axis: int | None = None,
    storage=None,
    study_name: str | None = None,
    resume: bool = False,
    workers: int = 1,
    timeout: float | None = None,
    heartbeat: float | None = 10,
    refit: bool = True,
    verbose: int = 0,
    progress: Callable[[Any], None] | None = None,
) -> SearchResult:
    """Search the hyper-parameters of a model on Optuna; the best model is kept.

    Each trial builds a model with ``build(params)``, trains it on (X_train, Y_train)
    (X (n_x, m_train), Y (n_y, m_train)) and scores it on the dev set (X_dev, Y_dev);
    the test set is never seen. The dev ``metric`` ("val_accuracy", maximised, or
    "val_loss", minimised) is reported after every epoch, so ``pruner`` ("median",
    "hyperband" or "none") stops poor trials early. ``result.best_model`` is the best
    trial's model (see ``_with_best_model``). The other arguments are :func:`search`'s.
    The build protocol: every params key that ``Sequential.fit`` accepts
    (``learning_rate``, ``optimizer``, ``batch_size``, ``epochs``, ``l2`` ...) also goes to
    ``fit``; ``fit_kwargs`` holds fixed fit arguments (params win over them), and
    ``build`` may return ``(model, fit_kwargs)``, which win over both.
    """
    objective = TrainObjective(build, X_train, Y_train, X_dev, Y_dev, fit_kwargs, metric)
    if verbose and progress is None:
        progress = Progress(metric, n_trials).update
    result = search(
        objective if engine.check_pruner(pruner) != "none" else _Silent(objective),
        space,
        n_trials=n_trials,
        direction="maximize" if METRICS[metric] == "max" else "minimize",
        sampler=sampler,
        pruner=pruner,
        seed=seed,
        points_per_axis=points_per_axis,
        storage=storage,
        study_name=study_name,
        resume=resume,
        workers=workers,
        timeout=timeout,
        heartbeat=heartbeat,
        metric=metric,
        progress=progress,
    )
    return _with_best_model(result, objective, refit)


def _with_best_model(result: SearchResult, objective: TrainObjective, refit: bool):
    """``result`` with the best trial's model: the one this process trained, or, when
    another process trained it, re-trained with its params (``refit=False``: left None)."""
    if result.best_params is not None:
        if objective.best_model is not None and objective.best_params == result.best_params:
            result.best_model = objective.best_model
        elif refit:
            result.best_model, _ = objective.train(result.best_params)
    return result


class _Silent:
    """The objective without pruning: trains without a per-epoch dev evaluation."""

    def __init__(self, objective: TrainObjective) -> None:
        self.objective = objective

    def __call__(self, params: dict, report) -> dict:
        return self.objective(params, None)


class Progress:
    """Prints one line per finished trial (in the order they finish): its state, score
    and time, the count so far and the best so far."""

    def __init__(self, metric: str, target: int, stream=None, direction: str | None = None):
        self.metric, self.target, self.stream = metric, target, stream
        self.direction = direction or METRICS.get(metric, "max")
        self.seen: set[int] = set()
        self.best: tuple[float, int] | None = None

    def update(self, study) -> None:
        optuna = engine.require_optuna()
        S = optuna.trial.TrialState
        done = [t for t in study.get_trials(deepcopy=False) if t.state.is_finished()]
        done.sort(key=lambda t: (t.datetime_complete or t.datetime_start, t.number))
        finished = sum(t.state in (S.COMPLETE, S.PRUNED) for t in done)
        for t in done:
            if t.number in self.seen:
                continue
            self.seen.add(t.number)
            if t.state == S.COMPLETE and math.isfinite(t.value):
                better = self.best is None or (
                    t.value > self.best[0] if self.direction == "max" else t.value < self.best[0]
                )
                if better:
                    self.best = (float(t.value), t.number)
            self._line(t, S, finished)

    def _line(self, t, S, finished: int) -> None:
        seconds = t.user_attrs.get("seconds")
        took = f" ({seconds:.1f} s)" if seconds is not None else ""
        if t.state == S.COMPLETE:
            what = f"{self.metric} {t.value:.4f}"
        elif t.state == S.PRUNED:
            step = max(t.intermediate_values) if t.intermediate_values else 0
            last = t.intermediate_values.get(step, math.nan)
            what = f"pruned after epoch {step + 1} ({self.metric} {last:.4f})"
        else:
            what = f"failed: {t.user_attrs.get(engine.NOTE_ATTR, 'no score')}"
        best = "" if self.best is None else f"; best {self.best[0]:.4f} (trial {self.best[1]})"
        print(
            f"trial {t.number:>3}: {what}{took} | {finished}/{self.target} done{best}",
            file=self.stream,
            flush=True,
        )


# ---------------------------------------------------------------------------- wrappers
def _classic(
    sampler: str,
    build,
    space,
    data,
    n_trials,
    seed,
    fit_kwargs,
    metric,
    verbose,
    points_per_axis=None,
) -> SearchResult:
    objective = TrainObjective(build, *data, fit_kwargs, metric)
    result = search(
        _Silent(objective),
        space,
        n_trials=n_trials,
        direction="maximize" if METRICS[metric] == "max" else "minimize",
        sampler=sampler,
        pruner="none",
        seed=seed,
        points_per_axis=points_per_axis,
        metric=metric,
        progress=Progress(metric, n_trials).update if verbose else None,
    )
    return _with_best_model(result, objective, refit=True)


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
    """Every combination of ``points_per_axis`` values per axis (a Choice gives all its
    values): Optuna's GridSampler, one trial per grid point. Shapes and ``build`` as in
    :func:`tune`."""
    dims = check_space(space)
    k = check_count("points_per_axis", points_per_axis)
    data = (X_train, Y_train, X_dev, Y_dev)
    return _classic(
        "grid", build, space, data, grid_size(dims, k), 0, fit_kwargs, metric, verbose, k
    )


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
    """The course's recommendation: ``n_trials`` random points of the space, each axis on
    its own scale (Optuna's RandomSampler, seeded: the same seed gives the same trials).
    Shapes and ``build`` as in :func:`tune`."""
    data = (X_train, Y_train, X_dev, Y_dev)
    return _classic("random", build, space, data, n_trials, seed, fit_kwargs, metric, verbose)


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
    """``n_trials`` points chosen by Optuna's TPE sampler (seeded), each guided by the dev
    scores of the trials before it. Shapes and ``build`` as in :func:`tune`."""
    data = (X_train, Y_train, X_dev, Y_dev)
    return _classic("tpe", build, space, data, n_trials, seed, fit_kwargs, metric, verbose)
