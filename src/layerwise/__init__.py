"""layerwise: deep learning from scratch in NumPy, in the course's notation.

X is (n_x, m), one example per column; W[l] is (n[l], n[l-1]); b[l] is (n[l], 1).
"""

from . import tuning
from .callbacks import Callback, EarlyStopping, History, ModelCheckpoint
from .errors import (
    ConfigError,
    DataError,
    LayerwiseError,
    ModelFileError,
    NotFittedError,
    ShapeError,
)
from .gradcheck import gradcheck
from .io import load
from .layers import Activation, BatchNorm, Dense, Dropout, Layer
from .network import Sequential
from .optimizers import Adam, GradientDescent, Momentum, Optimizer, RMSprop

__version__ = "0.1.0"

__all__ = [
    "Activation",
    "Adam",
    "BatchNorm",
    "Callback",
    "ConfigError",
    "DataError",
    "Dense",
    "Dropout",
    "EarlyStopping",
    "GradientDescent",
    "History",
    "Layer",
    "LayerwiseError",
    "ModelCheckpoint",
    "ModelFileError",
    "Momentum",
    "NotFittedError",
    "Optimizer",
    "RMSprop",
    "Sequential",
    "ShapeError",
    "gradcheck",
    "load",
    "tuning",
]
