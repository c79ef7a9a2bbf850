"""Grade a learner's own implementation of the course's functions against ``layerwise.course``.

``check(path_or_module)`` imports the learner's file in a fresh module namespace (it runs
nothing but that file), finds the functions that carry the course's names, calls each on
the course's own seeded inputs and compares the result with the reference function of
the same module. It prints one line per function, PASS or FAIL with a diagnosis in the
course's notation: a wrong shape (and whether it is the transpose), wrong keys in a dict
or cache, a cache in the wrong order, a mutated input, a missing 1/m, a wrong seed or
draw order, a known mistake (sigmoid backward on Z, Adam without bias correction, He with
√(1/n), dropout without rescaling, a conv window that ignores the stride, …), or the first
differing element. The learner's exceptions are caught and shown with their last frame;
each call has a timeout. ``layerwise check FILE.py [--module NAME]`` is the command-line
front end.

The package: ``grading`` (the core), ``diagnosis`` (comparing and naming differences),
``draws`` (seed and draw-order diagnosis), ``running`` (timeouts, errors),
``spec`` (what a case is) and ``cases/`` (one file of cases per course module).
"""

from __future__ import annotations

from .cases import MODULES
from .grading import CheckInputError, Report, Result, check, main

__all__ = ["MODULES", "CheckInputError", "Report", "Result", "check", "main"]
