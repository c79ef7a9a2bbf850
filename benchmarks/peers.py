"""The three peers, each trained the way its own users would write it.

Every peer receives the same float32 data: ``X_rows`` is (m, n_x), row-major, the layout
PyTorch and scikit-learn take; layerwise is given ``X_rows.T``, the same memory seen as
(n_x, m) column-major, so no peer pays for a copy the others do not.
"""

from __future__ import annotations

import math
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

import layerwise as lw
from layerwise.layers import build_layer


@dataclass(frozen=True)
class Workload:
    """One network and its training recipe. ``n_classes`` 1 means a sigmoid unit with BCE,
    more means softmax with cross-entropy. ``batch_size`` None is full-batch."""

    name: str
    m: int
    n_x: int
    hidden: tuple[int, ...]
    n_classes: int
    optimizer: str  # "adam" or "gd"
    learning_rate: float
    batch_size: int | None
    epochs: int
    peers: tuple[str, ...] = ("layerwise", "torch", "sklearn")
    notes: str = field(default="", compare=False)

    @property
    def dims(self) -> list[int]:
        """n[0], n[1], ..., n[L]."""
        return [self.n_x, *self.hidden, self.n_classes]

    @property
    def n_params(self) -> int:
        d = self.dims
        return sum(d[i] * d[i + 1] + d[i + 1] for i in range(len(d) - 1))

    def flops_per_epoch(self) -> float:
        """6 x parameters x examples: 2 for the forward matmuls, 4 for the backward ones."""
        return 6.0 * self.n_params * self.m


@dataclass
class Data:
    """Synthetic inputs and the labels a random teacher network gives them."""

    X_rows: np.ndarray  # (m, n_x) float32, C order
    y: np.ndarray  # (m,) int64 class indices (0/1 for a binary workload)


def make_data(m: int, n_x: int, n_classes: int, seed: int, teacher_hidden: int = 32) -> Data:
    """X ~ N(0, 1) in float32; y from a random tanh teacher (n_x -> teacher_hidden -> C),
    argmax for several classes, sign for one, so the task is learnable."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, n_x), dtype=np.float32)
    W1 = rng.standard_normal((n_x, teacher_hidden), dtype=np.float32) / math.sqrt(n_x)
    H = np.tanh(X @ W1)
    W2 = rng.standard_normal((teacher_hidden, max(n_classes, 2)), dtype=np.float32)
    logits = H @ W2
    if n_classes == 1:
        y = (logits[:, 0] > np.median(logits[:, 0])).astype(np.int64)
    else:
        y = np.argmax(logits, axis=1).astype(np.int64)
    return Data(np.ascontiguousarray(X), y)


@dataclass(frozen=True)
class ConvWorkload:
    """A convolution workload. ``kind`` "layer": one Conv2D (``filters`` f×f 'same',
    ReLU) forward and backward on a batch of ``m`` images, as the first layer of a network
    (dW and db; no gradient for the input images, which neither peer computes there),
    timed per step; "cnn": the cat CNN (conv 8 → max-pool 2
    → conv 16 → max-pool 2 → flatten → sigmoid unit) trained with Adam for an epoch of
    mini-batches, timed per epoch. ``image`` is (n_H, n_W, n_C)."""

    name: str
    kind: str  # "layer" or "cnn"
    m: int
    image: tuple[int, int, int]
    filters: int
    kernel_size: int
    steps: int  # layer: steps timed (the median is reported); cnn: epochs timed
    batch_size: int | None = None
    learning_rate: float = 1e-3
    peers: tuple[str, ...] = ("layerwise", "torch")
    notes: str = field(default="", compare=False)

    def flops_per_epoch(self) -> float:
        """Multiply-adds x 2 of the convolutions (and the dense unit) per timed unit: a
        layer step is the forward product and dW (2 x 2·m·n_H·n_W·f²·n_C·F); a CNN epoch
        also computes dA_prev for the second convolution and the dense unit."""
        H, W, C = self.image
        f, F = self.kernel_size, self.filters
        if self.kind == "layer":
            return 2 * 2.0 * self.m * H * W * f * f * C * F
        conv1 = 2.0 * self.m * H * W * 9 * C * 8
        conv2 = 2.0 * self.m * (H // 2) * (W // 2) * 9 * 8 * 16
        dense = 2.0 * self.m * (H // 4) * (W // 4) * 16
        return 2 * conv1 + 3 * conv2 + 3 * dense


def make_images(m: int, image: tuple[int, int, int], seed: int) -> Data:
    """Images (m, n_H, n_W, n_C) float32 (NHWC, C order), N(0, 1), with binary labels
    from ``make_data``'s random teacher on the flattened pixels."""
    data = make_data(m, math.prod(image), 1, seed)
    return Data(data.X_rows.reshape(m, *image), data.y)


# --------------------------------------------------------------------------- layerwise
class LayerwisePeer:
    name = "layerwise"

    def build(self, wl: Workload, seed: int):
        out = "sigmoid" if wl.n_classes == 1 else "softmax"
        layers = [lw.Dense(h, "relu") for h in wl.hidden] + [lw.Dense(wl.n_classes, out)]
        return lw.Sequential(layers, input_dim=wl.n_x, seed=seed, dtype="float32")

    def train(self, wl: Workload, data: Data, seed: int, epochs: int) -> tuple[float, object]:
        model = self.build(wl, seed)
        if wl.optimizer == "adam":
            opt = lw.Adam(learning_rate=wl.learning_rate)
        else:
            opt = lw.GradientDescent(learning_rate=wl.learning_rate)
        X, Y = data.X_rows.T, data.y.reshape(1, -1)
        t0 = time.perf_counter()
        model.fit(X, Y, epochs=epochs, optimizer=opt, batch_size=wl.batch_size, verbose=0)
        return time.perf_counter() - t0, model

    def predict_proba(self, model, X_rows: np.ndarray) -> np.ndarray:
        """(m, C) probabilities (the transposed A[L])."""
        return model.predict_proba(X_rows.T).T

    def conv_step(self, wl: ConvWorkload, data: Data, seed: int):
        """A function running one forward and backward pass of a Conv2D layer on the
        batch (NHWC, as layerwise takes images), with a fixed upstream gradient; the first
        layer of a network, as Sequential sets it up (no gradient for the images)."""
        H, W, C = wl.image
        conv = lw.Conv2D(wl.filters, wl.kernel_size, padding="same", activation="relu")
        build_layer(conv, (H, W, C), np.random.default_rng(seed), np.dtype("float32"))
        conv.need_input_grad = False
        X = data.X_rows
        G = np.random.default_rng(seed + 1).standard_normal((wl.m, H, W, wl.filters), np.float32)

        def step() -> None:
            conv.forward(X, training=True)
            conv.backward(G)

        return step

    def build_cnn(self, wl: ConvWorkload, seed: int):
        layers = [
            lw.Conv2D(8, 3, padding="same", activation="relu"),
            lw.Pool2D(2),
            lw.Conv2D(16, 3, padding="same", activation="relu"),
            lw.Pool2D(2),
            lw.Flatten(),
            lw.Dense(1, "sigmoid"),
        ]
        return lw.Sequential(layers, input_dim=wl.image, seed=seed, dtype="float32")

    def train_cnn(
        self, wl: ConvWorkload, data: Data, seed: int, epochs: int
    ) -> tuple[float, object]:
        model = self.build_cnn(wl, seed)
        opt = lw.Adam(learning_rate=wl.learning_rate)
        Y = data.y.reshape(1, -1)
        t0 = time.perf_counter()
        model.fit(data.X_rows, Y, epochs=epochs, optimizer=opt, batch_size=wl.batch_size, verbose=0)
        return time.perf_counter() - t0, model

    def cnn_accuracy(self, model, data: Data) -> float:
        return _accuracy(model.predict_proba(data.X_rows).T, data.y)

    def accuracy(self, model, data: Data) -> float:
        return _accuracy(self.predict_proba(model, data.X_rows), data.y)


# --------------------------------------------------------------------------- PyTorch
def torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


class TorchPeer:
    """Eager ``nn.Sequential`` of Linear/ReLU, ``torch.optim.Adam`` (or SGD for GD),
    ``CrossEntropyLoss`` on logits (``BCEWithLogitsLoss`` for one unit), batches gathered
    with a fresh ``randperm`` each epoch."""

    name = "torch"

    def __init__(self, threads: int) -> None:
        import torch

        self.torch = torch
        torch.set_num_threads(threads)

    def build(self, wl: Workload, seed: int):
        nn = self.torch.nn
        self.torch.manual_seed(seed)
        d = wl.dims
        mods: list = []
        for i in range(len(d) - 1):
            mods.append(nn.Linear(d[i], d[i + 1]))
            if i < len(d) - 2:
                mods.append(nn.ReLU())
        return nn.Sequential(*mods)

    def train(self, wl: Workload, data: Data, seed: int, epochs: int) -> tuple[float, object]:
        torch, nn = self.torch, self.torch.nn
        model = self.build(wl, seed)
        X = torch.from_numpy(data.X_rows)
        if wl.n_classes == 1:
            y = torch.from_numpy(data.y.astype(np.float32)).reshape(-1, 1)
            loss_fn = nn.BCEWithLogitsLoss()
        else:
            y = torch.from_numpy(data.y)
            loss_fn = nn.CrossEntropyLoss()
        if wl.optimizer == "adam":
            opt = torch.optim.Adam(model.parameters(), lr=wl.learning_rate)
        else:
            opt = torch.optim.SGD(model.parameters(), lr=wl.learning_rate)
        gen = torch.Generator().manual_seed(seed)
        m = X.shape[0]
        bs = wl.batch_size or m
        t0 = time.perf_counter()
        model.train()
        for _ in range(epochs):
            total = 0.0
            if bs >= m:
                batches = [(X, y)]
            else:
                perm = torch.randperm(m, generator=gen)
                batches = ((X[perm[i : i + bs]], y[perm[i : i + bs]]) for i in range(0, m, bs))
            for xb, yb in batches:
                opt.zero_grad(set_to_none=True)
                loss = loss_fn(model(xb), yb)
                loss.backward()
                opt.step()
                total += loss.item() * xb.shape[0]
        return time.perf_counter() - t0, model

    def predict_proba(self, model, X_rows: np.ndarray) -> np.ndarray:
        torch = self.torch
        model.eval()
        with torch.inference_mode():
            Z = model(torch.from_numpy(X_rows))
            A = torch.sigmoid(Z) if Z.shape[1] == 1 else torch.softmax(Z, dim=1)
        return A.numpy()

    def accuracy(self, model, data: Data) -> float:
        return _accuracy(self.predict_proba(model, data.X_rows), data.y)

    @staticmethod
    def nchw(X: np.ndarray) -> np.ndarray:
        """The NCHW copy PyTorch's convolutions prefer (made before any timing)."""
        return np.ascontiguousarray(X.transpose(0, 3, 1, 2))

    def conv_step(self, wl: ConvWorkload, data: Data, seed: int):
        """One forward and backward pass of ``nn.Conv2d`` + ReLU on the batch (NCHW), with
        the same upstream gradient; the images do not require a gradient."""
        torch = self.torch
        H, W, C = wl.image
        torch.manual_seed(seed)
        conv = torch.nn.Conv2d(C, wl.filters, wl.kernel_size, padding=wl.kernel_size // 2)
        x = torch.from_numpy(self.nchw(data.X_rows))
        g = np.random.default_rng(seed + 1).standard_normal((wl.m, H, W, wl.filters), np.float32)
        G = torch.from_numpy(self.nchw(g))

        def step() -> None:
            conv.zero_grad(set_to_none=True)
            torch.relu(conv(x)).backward(G)

        return step

    def build_cnn(self, wl: ConvWorkload, seed: int):
        nn = self.torch.nn
        self.torch.manual_seed(seed)
        H, W, C = wl.image
        return nn.Sequential(
            nn.Conv2d(C, 8, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Flatten(),
            nn.Linear(16 * (H // 4) * (W // 4), 1),
        )

    def train_cnn(
        self, wl: ConvWorkload, data: Data, seed: int, epochs: int
    ) -> tuple[float, object]:
        torch, nn = self.torch, self.torch.nn
        model = self.build_cnn(wl, seed)
        X = torch.from_numpy(self.nchw(data.X_rows))
        y = torch.from_numpy(data.y.astype(np.float32)).reshape(-1, 1)
        loss_fn = nn.BCEWithLogitsLoss()
        opt = torch.optim.Adam(model.parameters(), lr=wl.learning_rate)
        gen = torch.Generator().manual_seed(seed)
        m, bs = X.shape[0], wl.batch_size or X.shape[0]
        t0 = time.perf_counter()
        model.train()
        for _ in range(epochs):
            total = 0.0
            perm = torch.randperm(m, generator=gen)
            for i in range(0, m, bs):
                idx = perm[i : i + bs]
                xb, yb = X[idx], y[idx]
                opt.zero_grad(set_to_none=True)
                loss = loss_fn(model(xb), yb)
                loss.backward()
                opt.step()
                total += loss.item() * xb.shape[0]
        return time.perf_counter() - t0, model

    def cnn_accuracy(self, model, data: Data) -> float:
        torch = self.torch
        model.eval()
        with torch.inference_mode():
            P = torch.sigmoid(model(torch.from_numpy(self.nchw(data.X_rows)))).numpy()
        return _accuracy(P, data.y)


# --------------------------------------------------------------------------- scikit-learn
class SklearnPeer:
    """``MLPClassifier`` with adam, alpha=0 (no L2), tol=0, no early stopping, shuffled,
    max_iter = epochs, the same batch size and learning rate."""

    name = "sklearn"

    def build(self, wl: Workload, seed: int, epochs: int):
        from sklearn.neural_network import MLPClassifier

        return MLPClassifier(
            hidden_layer_sizes=wl.hidden,
            activation="relu",
            solver="adam",
            alpha=0.0,
            batch_size=wl.batch_size or wl.m,
            learning_rate_init=wl.learning_rate,
            max_iter=epochs,
            shuffle=True,
            tol=0.0,
            early_stopping=False,
            n_iter_no_change=max(epochs + 1, 10),
            random_state=seed,
        )

    def train(self, wl: Workload, data: Data, seed: int, epochs: int) -> tuple[float, object]:
        from sklearn.exceptions import ConvergenceWarning

        model = self.build(wl, seed, epochs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            t0 = time.perf_counter()
            model.fit(data.X_rows, data.y)
            seconds = time.perf_counter() - t0
        return seconds, model

    def predict_proba(self, model, X_rows: np.ndarray) -> np.ndarray:
        return model.predict_proba(X_rows)

    def accuracy(self, model, data: Data) -> float:
        return _accuracy(self.predict_proba(model, data.X_rows), data.y)


def _accuracy(P: np.ndarray, y: np.ndarray) -> float:
    """Fraction of rows of P (m, C) whose prediction matches y; one column means P > 0.5."""
    pred = (P[:, 0] > 0.5).astype(np.int64) if P.shape[1] == 1 else np.argmax(P, axis=1)
    return float(np.mean(pred == y))


def make_peers(names: list[str], threads: int) -> tuple[dict[str, object], dict[str, str]]:
    """The requested peers that can run here, and a reason for each one skipped."""
    peers: dict[str, object] = {}
    skipped: dict[str, str] = {}
    for name in names:
        if name == "layerwise":
            peers[name] = LayerwisePeer()
        elif name == "torch":
            if torch_available():
                peers[name] = TorchPeer(threads)
            else:
                skipped[name] = "PyTorch is not installed (pip install torch==2.13.0)"
        elif name == "sklearn":
            try:
                import sklearn  # noqa: F401
            except ImportError:
                skipped[name] = "scikit-learn is not installed"
            else:
                peers[name] = SklearnPeer()
        else:
            raise ValueError(f"unknown peer {name!r}")
    return peers, skipped
