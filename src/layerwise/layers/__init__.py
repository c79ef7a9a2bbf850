"""Layers: each has forward(A_prev, training) and backward(dA), and fills its grads."""

from .activation import Activation
from .base import Layer
from .batchnorm import BatchNorm
from .dense import Dense
from .dropout import Dropout

LAYERS = {cls.__name__: cls for cls in (Dense, Dropout, BatchNorm, Activation)}

__all__ = ["Activation", "BatchNorm", "Dense", "Dropout", "LAYERS", "Layer"]
