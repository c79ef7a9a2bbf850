"""sigmoid_backward using Z where s = sigma(Z) belongs."""

import numpy as np


def sigmoid_backward(dA, cache):
    Z = cache
    return dA * Z * (1 - Z)


def linear_backward(dZ, cache):
    A_prev, W, b = cache
    m = A_prev.shape[1]
    return np.dot(W.T, dZ), np.dot(dZ, A_prev.T) / m, np.sum(dZ, axis=1, keepdims=True) / m


def linear_activation_backward(dA, cache, activation):
    linear_cache, Z = cache
    if activation == "sigmoid":
        dZ = sigmoid_backward(dA, Z)
    else:
        dZ = np.where(Z > 0, dA, 0.0)
    return linear_backward(dZ, linear_cache)
