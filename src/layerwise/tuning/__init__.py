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

from .search import SearchResult, bayesian_search, grid_search, random_search
from .spaces import Choice, Dimension, IntUniform, LogUniform, OneMinusLogUniform, Uniform

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
