"""layerwise.course.gradient_checking against COURSE.md §2.7 and the §4 headline results."""

# The check case is drawn from the legacy global generator, as the course draws it.
# ruff: noqa: NPY002

from __future__ import annotations

import numpy as np
import pytest

from layerwise.course import gradient_checking as gc
from layerwise.errors import ShapeError

UPPER_KEYS = ["dZ3", "dW3", "db3", "dA2", "dZ2", "dW2", "db2", "dA1", "dZ1", "dW1", "db1"]


@pytest.fixture
def case():
    """The course's check case: np.random.seed(1), x (4, 3), y = [1, 1, 0], then the
    parameters W1 (5,4), b1 (5,1), W2 (3,5), b2 (3,1), W3 (1,3), b3 (1,1), all randn."""
    np.random.seed(1)
    x = np.random.randn(4, 3)
    y = np.array([1, 1, 0])
    params = {}
    for key, shape in (("W1", (5, 4)), ("b1", (5, 1)), ("W2", (3, 5)), ("b2", (3, 1)),
                       ("W3", (1, 3)), ("b3", (1, 1))):  # fmt: skip
        params[key] = np.random.randn(*shape)
    return x, y, params


def test_one_dimensional_check(capsys):
    assert gc.forward_propagation(2, 4) == 8 and gc.backward_propagation(2, 4) == 2
    d = gc.gradient_check(2, 4, print_msg=True)
    assert type(d) is np.float64 and d < 2e-7
    assert "Your backward propagation works perfectly fine! difference = " in (
        capsys.readouterr().out
    )


def test_vector_round_trip(case):
    _, _, params = case
    theta, keys = gc.dictionary_to_vector(params)
    assert theta.shape == (47, 1)
    assert keys[:20] == ["W1"] * 20 and keys[20:25] == ["b1"] * 5 and keys[-1] == "b3"
    np.testing.assert_array_equal(theta[:20, 0], params["W1"].ravel())
    back = gc.vector_to_dictionary(theta)
    assert list(back) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    for k in params:
        np.testing.assert_array_equal(back[k], params[k])
    with pytest.raises(ShapeError):
        gc.vector_to_dictionary(np.zeros((46, 1)))


def test_gradients_to_vector_ignores_other_keys(case):
    x, y, params = case
    _, cache = gc.forward_propagation_n(x, y, params)
    grads = gc.backward_propagation_n(x, y, cache)
    vec = gc.gradients_to_vector(grads)
    ref = np.concatenate([grads[k].reshape(-1, 1) for k in
                          ("dW1", "db1", "dW2", "db2", "dW3", "db3")])  # fmt: skip
    np.testing.assert_array_equal(vec, ref)


def test_forward_cost_is_a_plain_mean(case):
    x, y, params = case
    cost, cache = gc.forward_propagation_n(x, y, params)
    assert type(cost) is np.float64 and len(cache) == 12
    A3 = cache[9]
    ref = np.mean(-np.log(A3) * y - np.log(1 - A3) * (1 - y))
    assert cost == pytest.approx(ref, abs=1e-15)


def test_backward_is_correct_by_default_and_bugs_are_exactly_the_course_s(case):
    x, y, params = case
    _, cache = gc.forward_propagation_n(x, y, params)
    good = gc.backward_propagation_n(x, y, cache)
    bad = gc.backward_propagation_n(x, y, cache, with_course_bugs=True)
    assert list(good) == UPPER_KEYS and list(bad) == UPPER_KEYS
    # independent two-sided differences
    theta, _ = gc.dictionary_to_vector(params)
    eps = 1e-6
    num = np.zeros_like(theta)
    for i in range(theta.shape[0]):
        tp, tm = theta.copy(), theta.copy()
        tp[i] += eps
        tm[i] -= eps
        Jp, _ = gc.forward_propagation_n(x, y, gc.vector_to_dictionary(tp))
        Jm, _ = gc.forward_propagation_n(x, y, gc.vector_to_dictionary(tm))
        num[i] = (Jp - Jm) / (2 * eps)
    np.testing.assert_allclose(gc.gradients_to_vector(good), num, rtol=1e-5, atol=1e-9)
    # the two planted mistakes, and nothing else
    np.testing.assert_allclose(bad["dW2"], 2 * good["dW2"], rtol=1e-15)
    np.testing.assert_allclose(bad["db1"], 4 * good["db1"], rtol=1e-15)
    for k in UPPER_KEYS:
        if k not in ("dW2", "db1"):
            np.testing.assert_array_equal(bad[k], good[k])


def test_headline_differences(case, capsys):
    x, y, params = case
    _, cache = gc.forward_propagation_n(x, y, params)
    bad = gc.backward_propagation_n(x, y, cache, with_course_bugs=True)
    d_bad = gc.gradient_check_n(params, bad, x, y, 1e-7, print_msg=True)
    assert type(d_bad) is np.float64
    assert d_bad == pytest.approx(0.2850931567761623, rel=1e-6)
    assert "There is a mistake in the backward propagation! difference = " in (
        capsys.readouterr().out
    )
    good = gc.backward_propagation_n(x, y, cache)
    d_good = gc.gradient_check_n(params, good, x, y, 1e-7, print_msg=True)
    assert type(d_good) is np.float64
    assert d_good == pytest.approx(1.1890913024229996e-07, rel=1e-6)
    assert d_good < 2e-7
    assert "works perfectly fine" in capsys.readouterr().out


def test_check_is_silent_without_print_msg(case, capsys):
    x, y, params = case
    _, cache = gc.forward_propagation_n(x, y, params)
    gc.gradient_check_n(params, gc.backward_propagation_n(x, y, cache), x, y)
    assert capsys.readouterr().out == ""


def test_label_types_give_the_same_difference(case):
    x, y, params = case
    ds = []
    for t in (np.int64, np.uint8, bool):
        yt = y.astype(t)
        _, cache = gc.forward_propagation_n(x, yt, params)
        ds.append(gc.gradient_check_n(params, gc.backward_propagation_n(x, yt, cache), x, yt))
    assert ds[0] == ds[1] == ds[2]
