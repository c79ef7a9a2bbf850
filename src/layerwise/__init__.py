"""layerwise: deep learning from scratch in NumPy, in the course's notation.

X is (n_x, m), one example per column; W[l] is (n[l], n[l-1]); b[l] is (n[l], 1).
"""

from . import autodiff, detection, tuning
from .callbacks import (
    Callback,
    CSVLogger,
    EarlyStopping,
    History,
    LearningRateScheduler,
    ModelCheckpoint,
    ReduceLROnPlateau,
    TerminateOnNaN,
)
from .errors import (
    ConfigError,
    DataError,
    LayerwiseError,
    ModelFileError,
    NonFiniteOutputError,
    NotFittedError,
    ShapeError,
    TrainingDivergedError,
)
from .gradcheck import gradcheck
from .layers import (
    Activation,
    BatchNorm,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    Layer,
    Pool2D,
    Rescale,
    register_layer,
)
from .network import Sequential
from .onnx_io import from_onnx, to_onnx
from .optimizers import Adam, GradientDescent, Momentum, Optimizer, RMSprop

__version__ = "0.1.0"

load = Sequential.load

__all__ = [
    "Activation",
    "Adam",
    "BatchNorm",
    "CSVLogger",
    "Callback",
    "Conv2D",
    "ConfigError",
    "DataError",
    "Dense",
    "Dropout",
    "EarlyStopping",
    "Flatten",
    "GradientDescent",
    "History",
    "Layer",
    "LearningRateScheduler",
    "LayerwiseError",
    "ModelCheckpoint",
    "ModelFileError",
    "Momentum",
    "NotFittedError",
    "Optimizer",
    "Pool2D",
    "RMSprop",
    "ReduceLROnPlateau",
    "Rescale",
    "Sequential",
    "ShapeError",
    "TerminateOnNaN",
    "NonFiniteOutputError",
    "TrainingDivergedError",
    "autodiff",
    "from_onnx",
    "gradcheck",
    "detection",
    "load",
    "register_layer",
    "to_onnx",
    "tuning",
]
