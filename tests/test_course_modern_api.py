"""The course's three networks built with Sequential and Dense reach the course's numbers.

The parameters start from the course's own initialisers (same seeds and draw order), and
training is plain full-batch gradient descent, so the modern API must reproduce the
published costs and accuracies of COURSE.md §4.
"""

from __future__ import annotations

import numpy as np
import pytest

import layerwise as lw
from layerwise.course import deep_application, shallow
from layerwise.data import flatten_images, load_cat_files, make_flower, scale_pixels

pytestmark = pytest.mark.usefixtures("one_blas_thread")


def _train(model: lw.Sequential, X, Y, iterations: int, lr: float) -> lw.History:
    return model.fit(X, Y, epochs=iterations, learning_rate=lr, optimizer="gd", verbose=0)


@pytest.fixture(scope="module")
def cat(course1_dir):
    train_x, train_y, test_x, test_y, _ = load_cat_files(course1_dir)
    return (
        scale_pixels(flatten_images(train_x)),
        train_y,
        scale_pixels(flatten_images(test_x)),
        test_y,
    )


def test_planar_tanh_network_matches_the_course():
    X, Y = make_flower()
    np.random.seed(3)
    init = shallow.initialize_parameters(2, 4, 1)
    model = lw.Sequential(
        [lw.Dense(4, "tanh"), lw.Dense(1, "sigmoid")], input_dim=2, dtype="float64"
    ).set_parameters(init)
    history = _train(model, X, Y, 10000, 1.2)
    assert history.history["loss"][0] == pytest.approx(0.693162, abs=1e-6)
    assert history.history["loss"][1000] == pytest.approx(0.258625, abs=1e-6)
    assert model.evaluate(X, Y)["accuracy"] == 0.9075


@pytest.mark.slow
def test_two_layer_cat_network_matches_the_course(cat):
    X, Y, X_test, Y_test = cat
    init = deep_application.initialize_parameters(12288, 7, 1)
    model = lw.Sequential(
        [lw.Dense(7, "relu"), lw.Dense(1, "sigmoid")], input_dim=12288, dtype="float64"
    ).set_parameters(init)
    history = _train(model, X, Y, 2500, 0.0075)
    assert history.history["loss"][0] == pytest.approx(0.6930497356599888, abs=1e-9)
    assert history.history["loss"][2400] == pytest.approx(0.048554785628770226, abs=1e-6)
    assert model.evaluate(X, Y)["accuracy"] == 1.0
    assert model.evaluate(X_test, Y_test)["accuracy"] == 0.72


@pytest.mark.slow
def test_deep_cat_network_matches_the_course(cat):
    X, Y, X_test, Y_test = cat
    init = deep_application.initialize_parameters_deep([12288, 20, 7, 5, 1])
    model = lw.Sequential(
        [lw.Dense(20, "relu"), lw.Dense(7, "relu"), lw.Dense(5, "relu"), lw.Dense(1, "sigmoid")],
        input_dim=12288,
        dtype="float64",
    ).set_parameters(init)
    history = _train(model, X, Y, 2500, 0.0075)
    assert history.history["loss"][0] == pytest.approx(0.7717493284237686, abs=1e-9)
    assert history.history["loss"][2400] == pytest.approx(0.09287821526472395, abs=1e-6)
    assert model.evaluate(X, Y)["accuracy"] == pytest.approx(206 / 209, abs=1e-12)
    assert model.evaluate(X_test, Y_test)["accuracy"] == 0.8
