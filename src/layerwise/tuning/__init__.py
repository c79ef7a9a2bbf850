"""Hyper-parameter search (course 2, week 3) on one engine: Optuna (the ``tune`` extra).

Grid, random, TPE and GP sampling, median or Hyperband pruning, and a study that
survives (a journal file, or a PostgreSQL database shared by many machines) all come
from Optuna; this package puts the course's scales and the training loop in front of it.

A search space is a dict ``{name: dimension}``; each dimension says on which scale the
sampler draws the value ("Using an appropriate scale"):

    Choice([4, 8, 16])             one of the values
    Uniform(0.0, 0.5)              uniform on [low, high], e.g. dropout rate
    IntUniform(2, 50)              a whole number in [low, high], e.g. hidden units
    LogUniform(1e-4, 1)            r ~ U[log10 low, log10 high], value 10^r (learning rate)
    OneMinusLogUniform(0.9, 0.999) r ~ U[log10(1 - high), log10(1 - low)], beta = 1 - 10^r
    PowerOfTwo(16, 512)            2^k, k whole and uniform (mini-batch sizes)

A plain list or tuple in the space means ``Choice`` of its items.

``tune(build, space, X_train, Y_train, X_dev, Y_dev, n_trials=..., sampler="tpe",
pruner="median", storage=None, workers=1)`` trains ``build(params)`` per trial on the
training set and scores it on the dev set (``metric`` "val_accuracy", maximised, or
"val_loss", minimised), reporting the dev metric every epoch so the pruner can stop a
poor trial; the test set is never seen. Every params key that ``Sequential.fit``
accepts (``learning_rate``, ``optimizer``, ``batch_size``, ``epochs``, ``l2`` ...) also
goes to ``fit``; ``build`` may return ``(model, fit_kwargs)`` when a fit argument
depends on the params (e.g. ``optimizer=Adam(beta1=params["beta1"])``).
``grid_search``, ``random_search`` and ``bayesian_search`` are ``tune`` with that
sampler and no pruning; ``search(objective, space, ...)`` runs any objective.

The command ``layerwise tune`` (``tuning.command``) does the same from a TOML space file
and writes a run folder; docs/tuning.md has the recipes.
"""

from .search import SearchResult, bayesian_search, grid_search, random_search, search, tune
from .spaces import (
    Choice,
    Dimension,
    IntUniform,
    LogUniform,
    OneMinusLogUniform,
    PowerOfTwo,
    Uniform,
    load_space_file,
)

__all__ = [
    "Choice",
    "Dimension",
    "IntUniform",
    "LogUniform",
    "OneMinusLogUniform",
    "PowerOfTwo",
    "SearchResult",
    "Uniform",
    "bayesian_search",
    "grid_search",
    "load_space_file",
    "random_search",
    "search",
    "tune",
]
