"""A correct learner's cat-classifier helpers (course 1 week 4), as the notebook writes them."""

import numpy as np


def initialize_parameters_deep(layer_dims):
    np.random.seed(1)  # noqa: NPY002 (the course seeds the global generator)
    parameters = {}
    L = len(layer_dims)
    for l in range(1, L):
        W = np.random.randn(layer_dims[l], layer_dims[l - 1])  # noqa: NPY002
        parameters["W" + str(l)] = W / np.sqrt(layer_dims[l - 1])
        parameters["b" + str(l)] = np.zeros((layer_dims[l], 1))
    return parameters


def _probabilities(X, parameters):
    A = X
    L = len(parameters) // 2
    for l in range(1, L):
        A = np.maximum(0, np.dot(parameters["W" + str(l)], A) + parameters["b" + str(l)])
    ZL = np.dot(parameters["W" + str(L)], A) + parameters["b" + str(L)]
    return 1 / (1 + np.exp(-ZL))


def predict(X, y, parameters):
    m = X.shape[1]
    p = np.zeros((1, m))
    probas = _probabilities(X, parameters)
    for i in range(probas.shape[1]):
        p[0, i] = 1 if probas[0, i] > 0.5 else 0
    print("Accuracy: " + str(np.sum((p == y) / m)))
    return p
