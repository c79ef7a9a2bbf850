"""The course's experiments, runnable as ``layerwise course NAME`` and from ``examples/``.

Each experiment module exposes ``main(argv: list[str] | None = None) -> int``: it parses
its own flags (``--help`` works), prints the course's cost table and accuracies and
writes its PNG plots into ``--out`` (default ``runs/course-<name>``).
"""

from __future__ import annotations

import importlib

#: experiment name -> module (relative to this package) holding its ``main``
EXPERIMENTS: dict[str, str] = {
    "logreg": "logreg",
    "planar": "planar",
    "two-layer": "two_layer",
    "deep": "deep",
    "initialization": "initialization",
    "regularization": "regularization",
    "gradient-checking": "gradient_checking",
    "optimization": "optimization",
}


def get_main(name: str):
    """The ``main`` function of experiment ``name`` (a key of EXPERIMENTS)."""
    module = importlib.import_module(f".{EXPERIMENTS[name]}", __name__)
    return module.main
