"""Optimisers: the course's update rules, applied in place to (name, param, grad) triples.

An optimiser never knows what a layer is: ``step`` receives ``(name, param, grad)``
triples and updates each param in place. A model hands it one triple, ("theta", theta,
dtheta), its whole parameter and gradient vectors; the course functions hand it one
triple per array ("W1", ...). Its state (velocities, squared-gradient averages, the step
count t) is kept per name and saved and restored with ``get_state``/``set_state``.

Scalars are Python floats, so float32 parameters stay float32.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from .checks import in_range
from .errors import ConfigError
from .kernel_dispatch import run_update

Array = np.ndarray
Triples = Iterable[tuple[str, Array, Array]]


class Optimizer:
    """Base class: ``learning_rate`` (alpha) is a Python float a schedule may change."""

    name = ""

    def __init__(self, learning_rate: float = 0.01) -> None:
        self.learning_rate = in_range(learning_rate, "learning_rate")
        self.t = 0
        self._state: dict[str, dict[str, Array]] = {}
        self._tmp: dict[str, Array] = {}

    def _buffer(self, name: str, like: Array) -> Array:
        buf = self._tmp.get(name)
        if buf is None or buf.shape != like.shape or buf.dtype != like.dtype:
            buf = self._tmp[name] = np.empty_like(like)
        return buf

    def _slot(self, slot: str, name: str, like: Array) -> Array:
        per = self._state.setdefault(slot, {})
        arr = per.get(name)
        if arr is None or arr.shape != like.shape:
            arr = per[name] = np.zeros_like(like)
        elif arr.dtype != like.dtype:
            arr = per[name] = arr.astype(like.dtype)
        return arr

    def step(self, triples: Triples) -> None:
        """One update of every (name, param, grad); t counts steps from 1."""
        self.t += 1
        for name, param, grad in triples:
            self._update(name, param, grad)

    def _update(self, name: str, param: Array, grad: Array) -> None:
        raise NotImplementedError

    # ------------------------------------------------------------------ persistence
    def config(self) -> dict:
        return {"name": self.name, "learning_rate": self.learning_rate}

    def _slot_scales(self) -> dict[str, float]:
        """slot -> c where the stored array is (the course's quantity) / c.

        Keeping e.g. v' = v / (1 - beta) turns v = beta v + (1 - beta) g into
        v' = beta v' + g, one pass fewer; the constant goes into the step size instead.
        """
        return {}

    def get_state(self) -> dict[str, Array]:
        """Flat dict of copies of the state arrays in the course's terms (v, s), keys
        "<slot>/<param name>", plus "t" (a snapshot: later steps do not change it)."""
        scales = self._slot_scales()
        out = {
            f"{slot}/{k}": v * scales[slot] if slot in scales else v.copy()
            for slot, per in self._state.items()
            for k, v in per.items()
        }
        out["t"] = np.array(self.t)
        return out

    def set_state(self, state: dict[str, Array]) -> None:
        """Restore what ``get_state`` returned (course terms; may differ from the held
        arrays in the last bit: use ``state_dict`` to resume exactly)."""
        self._set(state, self._slot_scales())

    def state_dict(self) -> dict[str, Array]:
        """Copies of the state arrays exactly as held ("held/<slot>/<name>") and "t":
        ``load_state_dict`` of this continues bit for bit."""
        out = {
            f"held/{slot}/{k}": v.copy()
            for slot, per in self._state.items()
            for k, v in per.items()
        }
        out["t"] = np.array(self.t)
        return out

    def load_state_dict(self, state: dict[str, Array]) -> None:
        """Restore what ``state_dict`` returned; "<slot>/<name>" entries (``get_state``'s
        course terms, as in format-1 model files) are accepted too."""
        held = {k[len("held/") :]: v for k, v in state.items() if k.startswith("held/")}
        if held:
            self._set({**held, "t": state.get("t", 0)}, {})
        else:
            self.set_state(state)

    def _set(self, state: dict[str, Array], scales: dict[str, float]) -> None:
        self._state = {}
        for key, arr in state.items():
            if key == "t":
                self.t = int(arr)
                continue
            slot, _, name = key.partition("/")
            arr = np.array(arr)
            if slot in scales:
                arr = arr / np.asarray(scales[slot], dtype=arr.dtype)
            self._state.setdefault(slot, {})[name] = arr

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items() if k != "name")
        return f"{type(self).__name__}({args})"


def gd_kernel(p: Array, g: Array, tmp: Array, lr: float) -> None:
    """theta -= alpha dtheta, in place."""
    np.multiply(g, lr, out=tmp)
    p -= tmp


def momentum_kernel(p: Array, g: Array, v: Array, tmp: Array, beta: float, k: float) -> None:
    """v' = beta v' + g;  theta -= k v'  (v' = v / (1 - beta), k = alpha (1 - beta))."""
    v *= beta
    v += g
    np.multiply(v, k, out=tmp)
    p -= tmp


def rmsprop_kernel(
    p: Array, g: Array, s: Array, tmp: Array, beta: float, e: float, k: float
) -> None:
    """s' = beta s' + g^2;  theta -= k g / (sqrt(s') + e)."""
    s *= beta
    np.multiply(g, g, out=tmp)
    s += tmp
    np.sqrt(s, out=tmp)
    tmp += e
    np.divide(g, tmp, out=tmp)
    tmp *= k
    p -= tmp


def adam_kernel(
    p: Array, g: Array, v: Array, s: Array, tmp: Array, b1: float, b2: float, e: float, k: float
) -> None:
    """v' = b1 v' + g;  s' = b2 s' + g^2;  theta -= k v' / (sqrt(s') + e)."""
    v *= b1
    v += g
    s *= b2
    np.multiply(g, g, out=tmp)
    s += tmp
    np.sqrt(s, out=tmp)
    tmp += e
    np.divide(v, tmp, out=tmp)
    tmp *= k
    p -= tmp


class GradientDescent(Optimizer):
    """theta = theta - alpha * dtheta."""

    name = "gd"

    def _update(self, name: str, param: Array, grad: Array) -> None:
        tmp = self._buffer(name, param)
        run_update("gd", gd_kernel, [param, grad, tmp], (self.learning_rate,))


class Momentum(Optimizer):
    """v = beta v + (1 - beta) dtheta;  theta = theta - alpha v."""

    name = "momentum"

    def __init__(self, learning_rate: float = 0.01, beta: float = 0.9) -> None:
        super().__init__(learning_rate)
        self.beta = in_range(beta, "beta", 0.0, 1.0)

    def _slot_scales(self) -> dict[str, float]:
        return {"v": 1.0 - self.beta}

    def _update(self, name: str, param: Array, grad: Array) -> None:
        # v' = v / (1 - beta):  v' = beta v' + g;  theta -= alpha (1 - beta) v'
        v = self._slot("v", name, param)
        tmp = self._buffer(name, param)
        k = self.learning_rate * (1.0 - self.beta)
        run_update("momentum", momentum_kernel, [param, grad, v, tmp], (self.beta, k))

    def config(self) -> dict:
        return {**super().config(), "beta": self.beta}


class RMSprop(Optimizer):
    """s = beta s + (1 - beta) dtheta^2;  theta = theta - alpha dtheta / (sqrt(s) + eps)."""

    name = "rmsprop"

    def __init__(
        self, learning_rate: float = 0.001, beta: float = 0.999, epsilon: float = 1e-8
    ) -> None:
        super().__init__(learning_rate)
        self.beta = in_range(beta, "beta", 0.0, 1.0)
        self.epsilon = in_range(epsilon, "epsilon")

    def _slot_scales(self) -> dict[str, float]:
        return {"s": 1.0 - self.beta}

    def _update(self, name: str, param: Array, grad: Array) -> None:
        # s' = s / (1 - beta):  s' = beta s' + g^2;
        # theta -= alpha g / (sqrt(s) + eps) = (alpha / r) g / (sqrt(s') + eps / r),
        # with r = sqrt(1 - beta)
        s = self._slot("s", name, param)
        tmp = self._buffer(name, param)
        r = math.sqrt(1.0 - self.beta)
        consts = (self.beta, self.epsilon / r, self.learning_rate / r)
        run_update("rmsprop", rmsprop_kernel, [param, grad, s, tmp], consts)

    def config(self) -> dict:
        return {**super().config(), "beta": self.beta, "epsilon": self.epsilon}


class Adam(Optimizer):
    """v = b1 v + (1 - b1) dtheta;  s = b2 s + (1 - b2) dtheta^2;
    v_hat = v / (1 - b1^t);  s_hat = s / (1 - b2^t);
    theta = theta - alpha v_hat / (sqrt(s_hat) + eps),  t counted from 1.

    Computed with v' = v / (1 - b1) and s' = s / (1 - b2) (so v' = b1 v' + g and
    s' = b2 s' + g^2) as theta -= k v' / (sqrt(s') + e), where c1 = 1 - b1^t,
    c2 = 1 - b2^t, k = alpha sqrt(c2) (1 - b1) / (c1 sqrt(1 - b2)) and
    e = eps sqrt(c2) / sqrt(1 - b2): the same quantity with two passes fewer than the
    formula as written, and all constants folded into two Python floats.
    """

    name = "adam"

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        epsilon: float = 1e-8,
    ) -> None:
        super().__init__(learning_rate)
        self.beta1 = in_range(beta1, "beta1", 0.0, 1.0)
        self.beta2 = in_range(beta2, "beta2", 0.0, 1.0)
        self.epsilon = in_range(epsilon, "epsilon")

    def step(self, triples: Triples) -> None:
        self.t += 1
        c1 = 1.0 - self.beta1**self.t
        c2 = 1.0 - self.beta2**self.t
        r2 = math.sqrt(1.0 - self.beta2)
        self._step_size = self.learning_rate * math.sqrt(c2) * (1.0 - self.beta1) / (c1 * r2)
        self._eps_hat = self.epsilon * math.sqrt(c2) / r2
        for name, param, grad in triples:
            self._update(name, param, grad)

    def _update(self, name: str, param: Array, grad: Array) -> None:
        v = self._slot("v", name, param)
        s = self._slot("s", name, param)
        tmp = self._buffer(name, param)
        consts = (self.beta1, self.beta2, self._eps_hat, self._step_size)
        run_update("adam", adam_kernel, [param, grad, v, s, tmp], consts)

    def _slot_scales(self) -> dict[str, float]:
        return {"v": 1.0 - self.beta1, "s": 1.0 - self.beta2}

    def config(self) -> dict:
        return {
            **super().config(),
            "beta1": self.beta1,
            "beta2": self.beta2,
            "epsilon": self.epsilon,
        }


OPTIMIZERS = {
    "gd": GradientDescent,
    "sgd": GradientDescent,
    "momentum": Momentum,
    "rmsprop": RMSprop,
    "adam": Adam,
}


def get_optimizer(spec: str | dict | Optimizer, learning_rate: float | None = None) -> Optimizer:
    """An Optimizer from a name ("gd", "momentum", "rmsprop", "adam"), a config dict
    (as ``config()`` returns) or an Optimizer."""
    if isinstance(spec, Optimizer):
        return spec
    kwargs: dict = {}
    if isinstance(spec, dict):
        kwargs = {k: v for k, v in spec.items() if k != "name"}
        spec = spec.get("name", "")
    if not isinstance(spec, str) or spec.lower() not in OPTIMIZERS:
        raise ConfigError(
            f"unknown optimizer {spec!r}; expected one of gd, momentum, rmsprop, adam"
        )
    if learning_rate is not None:
        kwargs["learning_rate"] = learning_rate
    return OPTIMIZERS[spec.lower()](**kwargs)
