"""Choosing how an elementwise kernel runs: fused and compiled, or NumPy.

Each update rule is written once as a NumPy kernel ``kernel(p, g, *state, tmp, *consts)``
working in place on arrays of one shape. ``run_update`` runs it through a fused compiled
kernel (numba, a core dependency) when the arrays are contiguous: one pass over memory
instead of about ten, and one call instead of ten (an Adam step on 512 float32 values:
2 µs against NumPy's 16 µs). The compiled kernels evaluate the same operations in the
same order as the NumPy ones, so the results are identical (tests check it bit for bit).
Otherwise (a non-contiguous array, or before they are loaded) the NumPy kernel runs.

Loading the compiled kernels costs 1-3 s once per process (importing numba, then
compiling a kernel or reading it from numba's cache; ``benchmarks/first_use.py``). So
they are loaded only once the NumPy kernels have spent ``LOAD_AFTER_SECONDS`` in this
process: a short run never pays for them, and a long one pays once, after which each
step is the fused one. Switching changes no result (the two are bit-identical).

The compiled kernels are single-threaded on purpose: between two matrix products the
BLAS threads are still spinning, and a second pool of threads fighting them for the
cores was measured to make a training epoch twice as slow.

Conv2D's ReLU passes on its wide window grid go through ``compiled`` and ``charge`` the
same way (``layers/conv.py``). The direct convolution and pooling kernels are another
matter (``image_kernels`` below): not bit-identical, so loaded at the first use.

``LAYERWISE_ACCEL=0`` in the environment turns the compiled kernels off; ``load_fused()``
loads them at once (benchmarks do, to time the steady state).
"""

from __future__ import annotations

import importlib
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from types import ModuleType

import numpy as np

Array = np.ndarray

#: Seconds of NumPy kernel time after which the compiled kernels are loaded: about what
#: loading them costs.
LOAD_AFTER_SECONDS = 1.0

_numpy_seconds = 0.0


def run_update(name: str, kernel: Callable, arrays: list[Array], consts: tuple) -> None:
    """Run update rule ``name`` (NumPy version ``kernel``) on ``arrays`` in place.

    ``arrays``: param, grad, state..., tmp, all of one shape and dtype.
    ``consts``: Python floats (cast to the arrays' dtype, as NumPy does with them).
    """
    for a in arrays:
        if not a.flags.c_contiguous:
            kernel(*arrays, *consts)
            return
    fused = compiled(name)
    if fused is not None:
        cast = arrays[0].dtype.type
        flat = arrays[:-1] if arrays[0].ndim == 1 else [a.reshape(-1) for a in arrays[:-1]]
        fused(*flat, *map(cast, consts))  # no tmp needed
        return
    t0 = time.perf_counter()
    kernel(*arrays, *consts)
    charge(time.perf_counter() - t0)


def compiled(name: str) -> Callable | None:
    """The compiled kernel ``name`` once ``LOAD_AFTER_SECONDS`` of NumPy time has been
    ``charge``d in this process (or ``load_fused`` was called); else None, and the caller
    runs its NumPy version (timing it for ``charge``)."""
    return fused_kernel(name) if _numpy_seconds >= LOAD_AFTER_SECONDS else None


def charge(seconds: float) -> None:
    """Count ``seconds`` of NumPy kernel time towards loading."""
    global _numpy_seconds
    _numpy_seconds += seconds


def load_fused() -> bool:
    """Load the compiled kernels now rather than after ``LOAD_AFTER_SECONDS`` of NumPy
    work; True when they are available (numba installed, not turned off)."""
    global _numpy_seconds
    _numpy_seconds = max(_numpy_seconds, LOAD_AFTER_SECONDS)
    return fused_kernel("adam") is not None


_FUSED: dict[str, Callable] | None = None


def _compiled_module(name: str) -> ModuleType | None:
    """The module ``layerwise.<name>`` of numba kernels, or None when numba is absent or
    ``LAYERWISE_ACCEL=0`` (importing it compiles nothing: numba compiles at first call)."""
    if os.environ.get("LAYERWISE_ACCEL", "1") == "0":
        return None
    try:
        return importlib.import_module(f"{__package__}.{name}")
    except ImportError:
        return None


def fused_kernel(name: str) -> Callable | None:
    """The compiled kernel for ``name``, or None when numba is absent or turned off."""
    global _FUSED
    if _FUSED is None:
        module = _compiled_module("_fused")
        _FUSED = {} if module is None else module.KERNELS
    return _FUSED.get(name)


_IMAGE: ModuleType | None | bool = False  # False: not looked for yet


def image_kernels() -> ModuleType | None:
    """The compiled convolution and pooling kernels (``_image_kernels``), or None when
    numba is absent or turned off. Unlike the optimiser kernels they are loaded at the
    first convolution or pooling, not after some NumPy time: they are not bit-identical
    to the NumPy path (sums in another order), so switching mid-run would make a run's
    result depend on its timing. With them a model's results are the same from run to
    run (and whatever the number of threads)."""
    global _IMAGE
    if _IMAGE is False:
        _IMAGE = _compiled_module("_image_kernels")
    return _IMAGE


#: Threads the image kernels split a batch over (None: the CPUs this process may use).
IMAGE_THREADS: int | None = None
_POOL: tuple[ThreadPoolExecutor, int] | None = None  # the pool and its number of threads


def _reset_pool() -> None:
    global _POOL
    _POOL = None  # a forked child has the pool object but none of its threads


if hasattr(os, "register_at_fork"):  # POSIX
    os.register_at_fork(after_in_child=_reset_pool)


def _cpus() -> int:
    """The CPUs this process may run on (its affinity where the system tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def run_images(kernel: Callable, n: int, *args) -> None:
    """``kernel(lo, hi, *args)`` over the images [0, n), split in contiguous ranges over
    up to ``IMAGE_THREADS`` threads (the caller's thread takes the first range). The
    kernels release the GIL and write only their own images' results."""
    threads = min(n, IMAGE_THREADS or _cpus())
    if threads <= 1:
        kernel(0, n, *args)
        return
    global _POOL
    if _POOL is None or _POOL[1] < threads - 1:
        pool = ThreadPoolExecutor(threads - 1, thread_name_prefix="layerwise-images")
        _POOL = (pool, threads - 1)
    cut = [n * t // threads for t in range(threads + 1)]
    rest = [_POOL[0].submit(kernel, cut[t], cut[t + 1], *args) for t in range(1, threads)]
    kernel(cut[0], cut[1], *args)
    for job in rest:
        job.result()
