"""The two ways of running an optimiser update give the same bits.

The NumPy kernel run directly is the reference; the fused compiled (numba) run must
reproduce it exactly, in float32 and float64.
"""

from __future__ import annotations

import numpy as np
import pytest

from layerwise import kernel_dispatch, optimizers

CASES = {
    "gd": (optimizers.gd_kernel, 0, (0.05,)),
    "momentum": (optimizers.momentum_kernel, 1, (0.9, 0.01)),
    "rmsprop": (optimizers.rmsprop_kernel, 1, (0.999, 3e-7, 0.03)),
    "adam": (optimizers.adam_kernel, 2, (0.9, 0.999, 3e-7, 0.02)),
}


def _arrays(n_state: int, n: int, dtype, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    p = rng.standard_normal(n).astype(dtype)
    g = rng.standard_normal(n).astype(dtype)
    state = [np.abs(rng.standard_normal(n)).astype(dtype) for _ in range(n_state)]
    return [p, g, *state, np.empty(n, dtype)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(CASES))
def test_fused_kernel_matches_the_numpy_kernel_bit_for_bit(name, dtype):
    fused = kernel_dispatch.fused_kernel(name)
    if fused is None:
        pytest.skip("numba is not installed (the 'fast' extra) or LAYERWISE_ACCEL=0")
    kernel, n_state, consts = CASES[name]
    reference = _arrays(n_state, 10_007, dtype)
    other = [a.copy() for a in reference]
    typed = tuple(np.dtype(dtype).type(c) for c in consts)
    for _ in range(3):
        kernel(*reference, *consts)
        fused(*other[:-1], *typed)
    for ref, got in zip(reference[:-1], other[:-1]):  # param and state; tmp is scratch
        assert got.dtype == dtype
        np.testing.assert_array_equal(got, ref)


def test_apply_leaves_non_contiguous_arrays_correct():
    """A strided view is updated in place by the direct kernel, never through a copy."""
    rng = np.random.default_rng(1)
    base = rng.standard_normal((400, 400)).astype(np.float32)
    p = base[:, ::2]  # not contiguous, 80 000 entries
    g = np.ones_like(p)
    expected = p - np.float32(0.5) * g
    kernel_dispatch.run_update("gd", optimizers.gd_kernel, [p, g, np.empty_like(p)], (0.5,))
    np.testing.assert_array_equal(base[:, ::2], expected)


def test_large_adam_step_through_apply_matches_the_formula():
    """A vector, whichever path runs, follows the course's rule."""
    n = 40_005
    rng = np.random.default_rng(2)
    theta = rng.standard_normal(n)
    grads = [rng.standard_normal(n) for _ in range(3)]
    opt = optimizers.Adam(learning_rate=0.01)
    p = theta.copy()
    v = np.zeros(n)
    s = np.zeros(n)
    for t, g in enumerate(grads, start=1):
        opt.step([("theta", p, g)])
        v = 0.9 * v + 0.1 * g
        s = 0.999 * s + 0.001 * g * g
        theta = theta - 0.01 * (v / (1 - 0.9**t)) / (np.sqrt(s / (1 - 0.999**t)) + 1e-8)
    np.testing.assert_allclose(p, theta, rtol=1e-12, atol=1e-12)


def test_compiled_kernels_wait_for_enough_numpy_work(monkeypatch):
    """A large update runs the NumPy kernel until the NumPy kernels have spent
    LOAD_AFTER_SECONDS, then the compiled one."""
    calls = []
    monkeypatch.setattr(kernel_dispatch, "_FUSED", {"gd": lambda p, g, lr: calls.append(lr)})
    monkeypatch.setattr(kernel_dispatch, "_numpy_seconds", 0.0)
    n = 1000
    p, g = np.ones(n), np.full(n, 2.0)
    kernel_dispatch.run_update("gd", optimizers.gd_kernel, [p, g, np.empty(n)], (0.25,))
    np.testing.assert_array_equal(p, np.full(n, 0.5))  # 1 - 0.25 * 2, by NumPy
    assert calls == [] and kernel_dispatch._numpy_seconds > 0
    monkeypatch.setattr(kernel_dispatch, "_numpy_seconds", kernel_dispatch.LOAD_AFTER_SECONDS)
    kernel_dispatch.run_update("gd", optimizers.gd_kernel, [p, g, np.empty(n)], (0.25,))
    assert calls == [0.25]  # the compiled stand-in ran, with the constant in p's dtype
    np.testing.assert_array_equal(p, np.full(n, 0.5))


def test_switching_to_the_compiled_kernel_mid_run_changes_no_bit(monkeypatch):
    """Adam steps that switch from NumPy to the compiled kernel after three steps give
    the bits of NumPy steps throughout."""
    if kernel_dispatch.fused_kernel("adam") is None:
        pytest.skip("numba is not installed or LAYERWISE_ACCEL=0")
    n = 1003
    rng = np.random.default_rng(3)
    theta = rng.standard_normal(n).astype(np.float32)
    grads = [rng.standard_normal(n).astype(np.float32) for _ in range(6)]
    runs = []
    for switch_at in (None, 3):
        monkeypatch.setattr(kernel_dispatch, "_numpy_seconds", 0.0)
        monkeypatch.setattr(kernel_dispatch, "LOAD_AFTER_SECONDS", 1e9)
        opt, p = optimizers.Adam(learning_rate=0.01), theta.copy()
        for t, g in enumerate(grads):
            if t == switch_at:
                assert kernel_dispatch.load_fused()
            opt.step([("theta", p, g)])
        runs.append(p)
    # the NumPy kernel's clock stopped at the switch: the last steps were compiled ones
    assert kernel_dispatch._numpy_seconds == 1e9
    np.testing.assert_array_equal(runs[1], runs[0])
