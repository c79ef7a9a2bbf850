"""Layers: each has forward(A_prev, training) and backward(dA), and fills its grads."""

from .activation import Activation
from .base import Layer
from .batchnorm import BatchNorm
from .conv import Conv2D
from .dense import Dense
from .dropout import Dropout
from .flatten import Flatten
from .parameters import ParameterVector, build_layer
from .pool import Pool2D
from .registry import LAYERS, layer_class, layer_name, register_layer
from .rescale import Rescale
from .yolo_head import YoloHead

__all__ = [
    "Activation",
    "BatchNorm",
    "Conv2D",
    "Dense",
    "Dropout",
    "Flatten",
    "LAYERS",
    "Layer",
    "ParameterVector",
    "Pool2D",
    "Rescale",
    "YoloHead",
    "build_layer",
    "layer_class",
    "layer_name",
    "register_layer",
]
