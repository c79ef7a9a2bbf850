"""Why an initialiser's weights differ: replay the course's draws under other seeds, with
transposed shapes or with drawn biases, and name the replay the learner's weights follow.

The course draws W{l} = randn(n[l], n[l-1]) for l = 1 … L, in order, right after its seed,
and never draws the biases (§1.5). A learner's W{l} that is a constant multiple of a
replayed draw shows where the stream went astray; the scale itself is judged elsewhere.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable

import numpy as np

from .._numerics import draw_weights
from .spec import CALLER_SEED, Case

Array = np.ndarray

__all__ = ["course_draws", "draw_diagnosis", "initializer_case"]

#: the seeds a learner plausibly typed instead of the course's
SEEDS = tuple(range(11))


def _replay(seed: int, dims: list[int], transposed: bool, draws_b: bool) -> list[Array]:
    np.random.seed(seed)
    weights = []
    for l in range(1, len(dims)):
        shape = (dims[l - 1], dims[l]) if transposed else (dims[l], dims[l - 1])
        W = np.random.randn(*shape)
        weights.append(W.T if transposed else W)
        if draws_b:
            np.random.randn(dims[l], 1)
    return weights


def _proportional(got, drawn: Array) -> bool:
    g = np.asarray(got, dtype=float)
    if g.shape != drawn.shape or not np.isfinite(g).all() or not g.any():
        return False
    k = np.vdot(g, drawn) / np.vdot(drawn, drawn)
    return bool(np.allclose(g, k * drawn, rtol=1e-6, atol=1e-12))


def _follows(parameters: dict, dims: list[int], caller_seed: int) -> tuple | None:
    """(seed, transposed, draws_b) of the replay every W{l} is a multiple of, or None;
    seed None means "not seeded": drawn from the state the caller left (``caller_seed``)."""
    if not all(f"W{l}" in parameters for l in range(1, len(dims))):
        return None
    for (transposed, draws_b), seed in itertools.product(
        itertools.product((False, True), repeat=2), (None, *SEEDS)
    ):
        weights = _replay(caller_seed if seed is None else seed, dims, transposed, draws_b)
        if all(_proportional(parameters[f"W{l + 1}"], W) for l, W in enumerate(weights)):
            return seed, transposed, draws_b
    return None


def _words(found: tuple, course_seed: int | None) -> list[str]:
    seed, transposed, draws_b = found
    problems = []
    if seed is None and course_seed is not None:
        problems.append(
            f"the weights were drawn without np.random.seed({course_seed}) first: "
            "this function seeds the global generator itself"
        )
    elif seed is not None and seed != course_seed:
        should = (
            f"the course seeds {course_seed}"
            if course_seed is not None
            else "the course does not seed here: the caller does"
        )
        problems.append(f"the weights come from np.random.seed({seed}); {should}")
    if transposed:
        problems.append(
            "W[l] was drawn as randn(n[l-1], n[l]) and transposed: draw randn(n[l], n[l-1]) "
            "so the values come in the course's order"
        )
    if draws_b:
        problems.append(
            "the biases were drawn from the generator, which shifts every later W: "
            "b[l] is np.zeros((n[l], 1)), never drawn"
        )
    return problems


def draw_diagnosis(
    dims: Callable[[tuple], list[int]], course_seed: int | None
) -> Callable[[object, tuple, Case], list[str]]:
    """A ``Case.diagnose`` for an initialiser: ``dims(args)`` gives [n[0], …, n[L]];
    ``course_seed`` is the seed the course sets first (None: the caller seeds)."""

    def diagnose(got, args: tuple, case: Case) -> list[str]:
        if not isinstance(got, dict):
            return []
        found = _follows(got, list(dims(args)), case.seed)
        if found is None or found == (course_seed, False, False):
            return []
        return _words(found, course_seed)

    return diagnose


def initializer_case(function: str, args: tuple, course_seed: int | None, **kwargs) -> Case:
    """The case of an initialiser called with ``args`` (its layer sizes: a list, or
    n_x, n_h, n_y), which seeds ``course_seed`` first (None: the caller seeds)."""
    dims = (lambda a: a[0]) if isinstance(args[0], list) else list
    kwargs.setdefault("seed", CALLER_SEED)
    return Case(
        function,
        lambda: copy.deepcopy(args),
        "parameters",
        diagnose=draw_diagnosis(dims, course_seed),
        **kwargs,
    )


def course_draws(seed: int, scale: Callable[[Array, int], Array]) -> Callable[[list], dict]:
    """An initialiser drawing as the course does, with a learner's ``scale`` rule:
    np.random.seed(seed), then W{l} = scale(randn(n[l], n[l-1]), n[l-1]); b{l} zeros."""

    def initialize(layer_dims) -> dict:
        np.random.seed(seed)
        return draw_weights(layer_dims, scale)

    return initialize
