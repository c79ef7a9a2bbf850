"""Cross-entropy from the logits Z[L]: exact where A = g(Z) saturates, against PyTorch's
from-logits losses, and never a zero gradient for a confident wrong prediction."""

import numpy as np
import pytest

import layerwise as lw
from layerwise.gradcheck import gradients
from layerwise.losses import BinaryCrossEntropy, CategoricalCrossEntropy

torch = pytest.importorskip("torch")

SCALES = [1.0, 30.0, 1e3, 1e4]


@pytest.mark.parametrize("scale", SCALES)
def test_bce_from_logits_is_pytorchs(scale):
    rng = np.random.default_rng(0)
    Z = rng.uniform(-scale, scale, (1, 257))
    Y = rng.integers(0, 2, (1, 257)).astype(np.float64)
    ours = BinaryCrossEntropy().cost_from_logits(Z, Y)
    theirs = torch.nn.functional.binary_cross_entropy_with_logits(
        torch.from_numpy(Z), torch.from_numpy(Y)
    ).item()
    assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("scale", SCALES)
def test_cce_from_logits_is_pytorchs(scale):
    rng = np.random.default_rng(1)
    Z = rng.uniform(-scale, scale, (5, 129))
    y = rng.integers(0, 5, 129)
    ours = CategoricalCrossEntropy().cost_from_logits(Z, np.eye(5)[:, y])
    theirs = torch.nn.functional.cross_entropy(
        torch.from_numpy(Z.T.copy()), torch.from_numpy(y)
    ).item()
    assert ours == pytest.approx(theirs, rel=1e-12)


def _one_unit(output: str, dtype: str) -> lw.Sequential:
    """z = 50 x for x = 1: a confident prediction of class 1."""
    if output == "dense":
        layers = [lw.Dense(1, "sigmoid")]
    else:  # the documented pattern after batch norm: a separate activation layer
        layers = [lw.Dense(1, "linear"), lw.Activation("sigmoid")]
    model = lw.Sequential(layers, input_dim=1, dtype=dtype)
    model.set_parameters({"W1": [[50.0]], "b1": [[0.0]]})
    return model


@pytest.mark.parametrize("output", ["dense", "activation"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_confident_wrong_prediction_costs_its_logit(output, dtype):
    """Label 0, logit 50: J = log(1 + e^50) = 50 (to 1e-21), not the clipped 36 or 16."""
    model = _one_unit(output, dtype)
    X, Y = np.ones((1, 1)), np.zeros((1, 1))
    assert model.evaluate(X, Y)["loss"] == pytest.approx(50.0, rel=1e-6)
    history = model.fit(X, Y, epochs=1, learning_rate=0.0, verbose=0)
    assert history.history["loss"][0] == pytest.approx(50.0, rel=1e-6)


@pytest.mark.parametrize("output", ["dense", "activation"])
def test_a_confident_wrong_prediction_still_has_a_gradient(output):
    """dJ/dW = (sigma(50) - 0) x = 1, where the clipped dJ/dA times g'(Z) gave 0."""
    model = _one_unit(output, "float64")
    g = gradients(model, np.ones((1, 1)), np.zeros((1, 1)))
    assert g["dW1"][0, 0] == pytest.approx(1.0, rel=1e-12)


def test_the_cost_is_unchanged_where_nothing_saturates():
    """From logits or from A, the same J to rounding for moderate logits."""
    rng = np.random.default_rng(2)
    Z = rng.normal(size=(1, 100))
    Y = rng.integers(0, 2, (1, 100)).astype(np.float64)
    A = 1 / (1 + np.exp(-Z))
    bce = BinaryCrossEntropy()
    assert bce.cost_from_logits(Z, Y) == pytest.approx(bce.cost(A, Y), rel=1e-13)
