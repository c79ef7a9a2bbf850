"""One file of cases per course module; ``MODULES`` maps each module's name to its
reference module and its cases."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from ... import convolution as convolution_ref
from ... import deep as deep_ref
from ... import deep_application as deep_application_ref
from ... import gradient_checking as gradient_checking_ref
from ... import initialization as initialization_ref
from ... import logistic as logistic_ref
from ... import optimization as optimization_ref
from ... import regularization as regularization_ref
from ... import shallow as shallow_ref
from ..spec import Case
from . import (
    convolution,
    deep,
    deep_application,
    gradient_checking,
    initialization,
    logistic,
    optimization,
    regularization,
    shallow,
)

__all__ = ["MODULES"]

#: module name -> (reference module, its cases); the first module wins a tie
MODULES: dict[str, tuple[ModuleType, Callable[[], list[Case]]]] = {
    "deep": (deep_ref, deep.cases),
    "optimization": (optimization_ref, optimization.cases),
    "shallow": (shallow_ref, shallow.cases),
    "logistic": (logistic_ref, logistic.cases),
    "deep_application": (deep_application_ref, deep_application.cases),
    "initialization": (initialization_ref, initialization.cases),
    "regularization": (regularization_ref, regularization.cases),
    "gradient_checking": (gradient_checking_ref, gradient_checking.cases),
    "convolution": (convolution_ref, convolution.cases),
}
