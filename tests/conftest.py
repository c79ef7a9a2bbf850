"""Shared fixtures: where the course's datasets are, and skipping when they are absent."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_data_dir() -> Path | None:
    """$LAYERWISE_DATA if set, else ../shared/data beside the repository, else None."""
    env = os.environ.get("LAYERWISE_DATA")
    for candidate in ([Path(env)] if env else []) + [REPO.parent / "shared" / "data"]:
        if candidate.is_dir():
            return candidate
    return None


@pytest.fixture(scope="session")
def course1_dir() -> Path:
    """Folder holding train_catvnoncat.h5 and test_catvnoncat.h5, or skip."""
    base = shared_data_dir()
    for folder in [base / "course1", base] if base else []:
        if (folder / "train_catvnoncat.h5").is_file() and (folder / "test_catvnoncat.h5").is_file():
            return folder
    pytest.skip(
        "course-1 cat data not found: put train_catvnoncat.h5 and test_catvnoncat.h5 "
        "in ../shared/data/course1 or set LAYERWISE_DATA"
    )


@pytest.fixture(scope="session")
def football_path() -> Path:
    """Path of the course-2 football data.mat, or skip."""
    base = shared_data_dir()
    for folder in [base / "course2", base] if base else []:
        if (folder / "data.mat").is_file():
            return folder / "data.mat"
    pytest.skip(
        "course-2 football data not found: put data.mat in ../shared/data/course2 "
        "or set LAYERWISE_DATA"
    )


# --------------------------------------------------------------- course-test helpers
@pytest.fixture(scope="module")
def one_blas_thread():
    """Run a module's long matrix-product loops on one BLAS thread: on a busy 2-core machine
    a multithreaded BLAS spins and runs several times slower. The numbers are the same."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    with threadpool_limits(1):
        yield


def _numerical_grads(p, cost_fn, eps=1e-6):
    """{"dW1": ..., "db3": ...}: two-sided differences of cost_fn(parameters) for each entry
    of the three-layer parameters p, shifting one copy of p by +eps then -eps."""
    out = {}
    for key in ("W1", "b1", "W2", "b2", "W3", "b3"):
        num = np.zeros_like(p[key])
        for idx in np.ndindex(p[key].shape):
            q = {k: v.copy() for k, v in p.items()}
            q[key][idx] += eps
            Jp = cost_fn(q)
            q[key][idx] -= 2 * eps
            Jm = cost_fn(q)
            num[idx] = (Jp - Jm) / (2 * eps)
        out["d" + key] = num
    return out


@pytest.fixture
def numerical_grads():
    """The function numerical_grads(p, cost_fn, eps=1e-6) -> {"dW1": ..., ...}."""
    return _numerical_grads


def _assert_parameters_equal(p, expected):
    """p has exactly expected's keys, in order, and bit-identical arrays."""
    assert list(p) == list(expected)
    for key, value in expected.items():
        np.testing.assert_array_equal(p[key], value)


@pytest.fixture
def assert_parameters_equal():
    """The function assert_parameters_equal(p, expected)."""
    return _assert_parameters_equal


PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _assert_pngs(folder, *names):
    """Each of ``names`` is a PNG file in ``folder``."""
    for name in names:
        path = folder / name
        assert path.is_file(), f"{name} was not written"
        assert path.read_bytes()[:8] == PNG_MAGIC


@pytest.fixture
def assert_pngs():
    """The function assert_pngs(folder, *names)."""
    return _assert_pngs
