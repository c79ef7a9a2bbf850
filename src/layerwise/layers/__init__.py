"""Layers: each has forward(A_prev, training) and backward(dA), and fills its grads."""

from .activation import Activation
from .base import Layer
from .batchnorm import BatchNorm
from .conv import Conv2D
from .dense import Dense
from .dropout import Dropout
from .flatten import Flatten
from .pool import Pool2D

LAYERS = {
    cls.__name__: cls for cls in (Dense, Dropout, BatchNorm, Activation, Conv2D, Pool2D, Flatten)
}

__all__ = [
    "Activation",
    "BatchNorm",
    "Conv2D",
    "Dense",
    "Dropout",
    "Flatten",
    "LAYERS",
    "Layer",
    "Pool2D",
]
