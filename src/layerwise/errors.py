"""The project's own exceptions, raised at the edge with one clear sentence."""

from __future__ import annotations


class LayerwiseError(Exception):
    """Base class of every error layerwise raises on purpose."""


class ShapeError(LayerwiseError, ValueError):
    """An array has the wrong shape, e.g. X is not (n_x, m)."""


class DataError(LayerwiseError, ValueError):
    """Input data is unusable: NaN/inf, bad labels, empty, unreadable or missing file."""


class ModelFileError(LayerwiseError, ValueError):
    """A saved model file is missing, corrupt, of another format or inconsistent."""


class ConfigError(LayerwiseError, ValueError):
    """An argument is invalid: unknown activation, negative learning rate, and so on."""


class NotFittedError(LayerwiseError, ValueError):
    """The model has not been built or trained yet."""


class TrainingDivergedError(LayerwiseError, ArithmeticError):
    """The cost or a parameter became NaN or inf; the model holds the last finite state.

    ``epoch`` is where it happened (counted from 0, as the cost lines) and ``history``
    the History up to the last finite epoch.
    """

    def __init__(self, message: str, epoch: int, history=None) -> None:
        super().__init__(message)
        self.epoch = epoch
        self.history = history


class NonFiniteOutputError(LayerwiseError, ArithmeticError):
    """The forward pass overflowed: finite weights and input, but A[L] or Z[L] is inf/NaN."""


class DataWarning(UserWarning):
    """The data will train, but probably not well (e.g. pixels in [0, 255], not [0, 1])."""
