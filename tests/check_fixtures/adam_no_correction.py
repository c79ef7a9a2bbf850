"""Adam without bias correction, and a correct momentum."""

import numpy as np


def update_parameters_with_momentum(parameters, grads, v, beta, learning_rate):
    L = len(parameters) // 2
    for l in range(1, L + 1):
        for p in ("W", "b"):
            v[f"d{p}{l}"] = beta * v[f"d{p}{l}"] + (1 - beta) * grads[f"d{p}{l}"]
            parameters[f"{p}{l}"] = parameters[f"{p}{l}"] - learning_rate * v[f"d{p}{l}"]
    return parameters, v


def update_parameters_with_adam(
    parameters, grads, v, s, t, learning_rate=0.01, beta1=0.9, beta2=0.999, epsilon=1e-8
):
    L = len(parameters) // 2
    v_corrected, s_corrected = {}, {}
    for l in range(1, L + 1):
        for p in ("W", "b"):
            k = f"d{p}{l}"
            v[k] = beta1 * v[k] + (1 - beta1) * grads[k]
            s[k] = beta2 * s[k] + (1 - beta2) * grads[k] ** 2
            v_corrected[k] = v[k]
            s_corrected[k] = s[k]
            parameters[f"{p}{l}"] = parameters[f"{p}{l}"] - learning_rate * v_corrected[k] / (
                np.sqrt(s_corrected[k]) + epsilon
            )
    return parameters, v, s, v_corrected, s_corrected
