"""Networks the command line and the scikit-learn front end build: the hidden stack and
``layerwise train``'s presets per data set (the output layer follows ``data.task``)."""

from __future__ import annotations

from .layers import Activation, BatchNorm, Conv2D, Dense, Dropout, Flatten, Layer, Pool2D, Rescale


def hidden_layers(
    sizes: list[int], activation: str, init: str | None, batch_norm: bool, keep_prob: float
) -> list[Layer]:
    """Dense [-> BatchNorm -> Activation] [-> Dropout] for each hidden size."""
    layers: list[Layer] = []
    for n in sizes:
        if batch_norm:
            layers += [
                Dense(n, "linear", init=init or None, use_bias=False),
                BatchNorm(),
                Activation(activation),
            ]
            if init is None:  # the default init follows the activation applied after BN
                layers[-3] = Dense(
                    n, "linear", init="he" if "relu" in activation else "xavier", use_bias=False
                )
        else:
            layers.append(Dense(n, activation, init=init))
        if keep_prob < 1.0:
            layers.append(Dropout(keep_prob))
    return layers


#: Defaults of ``layerwise train`` per data set, for every flag the user leaves out.
PRESETS: dict[str, dict] = {
    "flower": {
        "layers": [8, 4],
        "activation": "tanh",
        "optimizer": "adam",
        "lr": 0.01,
        "iterations": 1500,
        "batch_size": 0,
        "keep_prob": 1.0,
        "validation_split": 0.0,
        "print_every": 100,
    },
    "digits": {
        "layers": [256],
        "activation": "relu",
        "optimizer": "adam",
        "lr": 0.001,
        "iterations": 300,
        "batch_size": 32,
        "keep_prob": 0.8,
        "validation_split": 0.15,
        "early_stopping": 20,
        "print_every": 20,
    },
}
PRESETS["files"] = {**PRESETS["flower"], "layers": [64]}  # any data file
# rows on disk (--data X.npy --labels Y.npy): mini-batches, read one block at a time
PRESETS["on-disk"] = {
    **PRESETS["files"],
    "lr": 0.001,
    "iterations": 5,
    "batch_size": 256,
    "print_every": 1,
}
# --model cnn: "layers" are the filters of each conv (3x3 'same', relu) + 2x2 max-pool block
PRESETS["digits-cnn"] = {
    **PRESETS["digits"],
    "layers": [32, 64],
    "dense": 128,
    "lr": 0.002,
    "iterations": 60,
    "keep_prob": 0.7,
    "early_stopping": 12,
    "print_every": 5,
    # shifts of up to one pixel: test 0.9889, 0.9861, 0.9861 for seeds 1-3 (without:
    # 0.9916, 0.9916, 0.9833)
    "augment": "crop",
}
# Pictures such as the course's cats (``layerwise course cat-cnn`` trains this network):
# the 42 of the 209 training pictures that train holds out score 0.90, 0.88 and 0.79 after
# 30 epochs (seeds 1-3), about a minute each on two busy cores; 60 epochs score no better.
PRESETS["files-cnn"] = {
    "layers": [8, 16, 32],
    "dense": 0,
    "activation": "relu",
    "optimizer": "adam",
    "lr": 0.001,
    "iterations": 30,
    "batch_size": 16,
    "keep_prob": 1.0,
    "validation_split": 0.0,
    "print_every": 5,
    "augment": "flip",
}


def cnn_layers(
    filters: list[int], dense: int, scale: float, keep_prob: float, activation: str = "relu"
) -> list[Layer]:
    """Rescale(scale), then for each entry of ``filters`` a Conv2D(n, 3x3 'same') and a
    2x2 max-pool, then Flatten, [Dense(dense) [-> Dropout]]: the body of a small CNN
    (the output layer is added by the caller)."""
    layers: list[Layer] = [Rescale(scale)]
    for n in filters:
        layers += [Conv2D(n, 3, padding="same", activation=activation), Pool2D(2)]
    layers.append(Flatten())
    if dense:
        layers.append(Dense(dense, activation))
        if keep_prob < 1.0:
            layers.append(Dropout(keep_prob))
    return layers


PRESETS["planar"] = PRESETS["flower"]
