"""update_parameters that changes the learner's dict in place (no deepcopy)."""


def update_parameters(params, grads, learning_rate):
    L = len(params) // 2
    for l in range(1, L + 1):
        params["W" + str(l)] -= learning_rate * grads["dW" + str(l)]
        params["b" + str(l)] -= learning_rate * grads["db" + str(l)]
    return params


def L_model_backward(AL, Y, caches):
    return {"dAL": AL}
