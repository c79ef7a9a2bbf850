"""Mini-batches: a shuffled epoch's batches are the examples of the permutation, in order,
however many batches are gathered at once."""

from __future__ import annotations

import numpy as np
import pytest

from layerwise.data import batches as batches_module
from layerwise.data.batches import batches


@pytest.mark.parametrize("gather_bytes", [1, 700, 1 << 20])
@pytest.mark.parametrize("axis", [-1, 0])
def test_shuffled_batches_follow_the_permutation(gather_bytes, axis, monkeypatch):
    monkeypatch.setattr(batches_module, "GATHER_BYTES", gather_bytes)
    rng = np.random.default_rng(0)
    m, batch_size = 23, 4
    if axis == -1:
        X, Y = np.asfortranarray(rng.standard_normal((5, m))), rng.standard_normal((3, m))
    else:
        X, Y = rng.standard_normal((m, 2, 3, 1)), rng.standard_normal((m, 2))
    perm = rng.permutation(m)
    got = list(batches(X, Y, batch_size, perm, axis, axis))
    assert [b[0].shape[axis] for b in got] == [4, 4, 4, 4, 4, 3]
    for t, (Xb, Yb) in enumerate(got):
        idx = perm[t * batch_size : (t + 1) * batch_size]
        np.testing.assert_array_equal(Xb, np.take(X, idx, axis=axis))
        np.testing.assert_array_equal(Yb, np.take(Y, idx, axis=axis))


def test_unshuffled_batches_are_views_in_order():
    X, Y = np.arange(20.0).reshape(2, 10), np.arange(10.0).reshape(1, 10)
    got = list(batches(X, Y, 4))
    assert [b[0].shape[1] for b in got] == [4, 4, 2]
    assert all(np.shares_memory(Xb, X) for Xb, _ in got)
    np.testing.assert_array_equal(np.concatenate([Yb for _, Yb in got], axis=1), Y)
