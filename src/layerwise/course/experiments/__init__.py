"""The course's experiments, runnable as ``layerwise course NAME`` and from ``examples/``.

Each experiment module exposes ``main(argv: list[str] | None = None) -> int``: it parses
its own flags (``--help`` works), prints the course's cost table and accuracies and
writes its PNG plots into ``--out`` (default ``runs/course-<name>``).
"""

from __future__ import annotations

import importlib
import sys

from ...errors import LayerwiseError

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
    "convolution": "convolution",
    "cat-cnn": "cnn",
    "transfer": "transfer",
    "yolo": "yolo",
}


def get_main(name: str):
    """The ``main`` function of experiment ``name`` (a key of EXPERIMENTS)."""
    module = importlib.import_module(f".{EXPERIMENTS[name]}", __name__)
    return module.main


def run_example(name: str) -> None:
    """Run experiment ``name`` on the command line's flags and exit with its status; a
    LayerwiseError becomes one line on stderr and exit status 2."""
    try:
        status = get_main(name)()
    except LayerwiseError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    sys.exit(status)
