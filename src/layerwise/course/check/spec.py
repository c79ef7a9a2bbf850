"""The vocabulary of the grader's cases: output names, one call of a course function, and
the seeded inputs every module's cases are built from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Array = np.ndarray

#: the seed set before a function that seeds itself: a learner who forgets to seed draws
#: from this state, which the draw diagnosis recognises
CALLER_SEED = 2024


@dataclass(frozen=True)
class N:
    """The course's name for a returned value; ``parts`` names tuple positions, ``each``
    the entries of a list of any length; ``typed`` asks for the course's dtype too
    (bool, int or float arrays)."""

    name: str
    parts: tuple = ()
    each: N | None = None
    typed: bool = False


def as_name(spec) -> N:
    """``spec`` as an ``N`` (a plain string names a single value)."""
    return spec if isinstance(spec, N) else N(spec)


LINEAR_CACHE = N("linear_cache", ("A_prev", "W", "b"))
LAYER_CACHE = N("cache", (LINEAR_CACHE, "Z"))
CACHE12 = N("cache", ("Z1", "A1", "W1", "b1", "Z2", "A2", "W2", "b2", "Z3", "A3", "W3", "b3"))
CACHE14 = N(
    "cache",
    ("Z1", "D1", "A1", "W1", "b1", "Z2", "D2", "A2", "W2", "b2", "Z3", "A3", "W3", "b3"),
)

#: a diagnosis run when the values are wrong: (learner's output, inputs, case) -> lines
Diagnose = Callable[[object, tuple, "Case"], list[str]]


@dataclass
class Case:
    """One call of a course function: its inputs, the names of its outputs, known mistakes."""

    function: str
    inputs: Callable[[], tuple]  # () -> positional args, built under np.random.seed
    output: N | str
    label: str = ""
    m: int | None = None  # the number of examples, for the "missing 1/m" diagnosis
    may_mutate: bool = False  # the course lets update functions change the dicts they get
    mistakes: tuple = ()  # (description, args -> wrong output), run after np.random.seed(seed)
    seed: int = 1  # set before the reference and the learner's call
    diagnose: Diagnose | None = None  # more diagnosis when the values are wrong


def seeded(seed: int, build: Callable[[], tuple]) -> Callable[[], tuple]:
    """``build`` run right after ``np.random.seed(seed)``."""

    def inputs() -> tuple:
        np.random.seed(seed)
        return build()

    return inputs


def net(dims, m: int) -> tuple[Array, Array, dict[str, Array]]:
    """X (dims[0], m), 0/1 labels Y (1, m) and parameters W{l} (n[l], n[l-1]), b{l} (n[l], 1),
    drawn from the global generator: parameters first, then X, then Y."""
    params = {}
    for l in range(1, len(dims)):
        params[f"W{l}"] = np.random.randn(dims[l], dims[l - 1])
        params[f"b{l}"] = np.random.randn(dims[l], 1)
    X = np.random.randn(dims[0], m)
    Y = (np.random.rand(1, m) > 0.5).astype(float)
    return X, Y, params


def grads_like(params: dict[str, Array], scale: float = 1.0) -> dict[str, Array]:
    """Random d{key} arrays shaped like each parameter."""
    return {f"d{k}": np.random.randn(*v.shape) * scale for k, v in params.items()}
