"""Reverse-mode automatic differentiation over NumPy arrays, small enough to read.

A ``Tensor`` wraps an ndarray (float64, or float32 when it is given float32) and
remembers the operation that made it and the Tensors it was made from. ``J.backward()``
walks that graph once, from J back to the inputs, in reverse topological order: every
node receives dJ/dnode from the nodes that use it (summed when it is used several times)
before it passes its own share on to its inputs by the chain rule,

    dJ/dinput += dJ/dnode · dnode/dinput.

Each operation is a forward rule (NumPy) and a backward rule (a few lines of NumPy, next
to it below). NumPy broadcasting works as usual; a gradient is summed back to the shape
of its operand. ``grad(f)`` turns a function of arrays into the function giving df/dx
(like ``jax.grad``), and ``CustomLoss(fn)`` makes a layerwise ``Loss`` of a cost written
with these operations, which is what ``Sequential.fit(..., loss=fn)`` uses.

The semantics of ``backward``: each call first forgets every gradient held in its graph
(the ``grad`` of every Tensor reachable from J, set to None), then fills them afresh, as
new arrays. So gradients never accumulate across calls: running ``backward`` twice gives
the same ``grad`` twice, and arrays returned by an earlier call are left untouched. To
differentiate a sum of two costs, differentiate the sum, ``(J1 + J2).backward()``.

See docs/autodiff.md for the worked example and why the engine's layers keep their
hand-written backward rules.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import numpy as np

from .errors import ConfigError, ShapeError
from .losses import Loss

Array = np.ndarray
Axis = int | Sequence[int] | None

__all__ = [
    "CustomLoss",
    "Tensor",
    "clip",
    "exp",
    "grad",
    "log",
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
    "value_and_grad",
]


def _as_array(data) -> Array:
    """data as an ndarray: float32 stays float32, any other real number becomes float64.
    No copy when it already is such an array."""
    arr = np.asarray(data)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"a Tensor holds real numbers, not {arr.dtype}")
    return arr if arr.dtype in (np.float32, np.float64) else arr.astype(np.float64)


def _axes(axis: Axis, ndim: int) -> tuple[int, ...]:
    """``axis`` as a sorted tuple of non-negative axes (None: all of them)."""
    if axis is None:
        return tuple(range(ndim))
    axes = (axis,) if np.isscalar(axis) else tuple(axis)
    return tuple(sorted(int(a) % max(ndim, 1) for a in axes))


def _unbroadcast(g: Array, shape: tuple[int, ...]) -> Array:
    """Sum g over the axes broadcasting added or stretched, back to ``shape``."""
    g = np.asarray(g)
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    if extra > 0:
        g = g.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if stretched:
        g = g.sum(axis=stretched, keepdims=True)
    if g.shape != shape:  # pragma: no cover - a backward rule gave a wrong shape
        raise ShapeError(f"internal: gradient of shape {g.shape} for a value of shape {shape}")
    return g


def _is_basic_index(idx) -> bool:
    """True for basic indexing (ints, slices, None, ...): no element is picked twice."""
    parts = idx if isinstance(idx, tuple) else (idx,)
    return all(
        p is None
        or p is Ellipsis
        or isinstance(p, slice)
        or (isinstance(p, (int, np.integer)) and not isinstance(p, bool))
        for p in parts
    )


class Tensor:
    """An ndarray ``data`` that records how it was computed, and its gradient ``grad``
    (dJ/data after ``J.backward()``, same shape and dtype as ``data``; None before).

    ``Tensor(x)`` wraps x without copying when x already is a float64 or float32 array
    (other numbers become float64). ``requires_grad=False`` marks a constant (labels,
    coefficients): no gradient is computed for it. Operations: ``+ - * / ** @`` and
    unary minus (with NumPy broadcasting; arrays and numbers mix in as constants),
    ``exp log tanh sigmoid relu clip softmax``, ``sum mean max`` over axes,
    ``reshape transpose .T`` and indexing (basic and integer arrays).
    """

    #: NumPy hands ``array * tensor`` to Tensor.__rmul__ instead of looping over it
    __array_ufunc__ = None

    def __init__(self, data, requires_grad: bool = True) -> None:
        self.data: Array = data.data if isinstance(data, Tensor) else _as_array(data)
        self.grad: Array | None = None
        self.requires_grad = bool(requires_grad)
        self._parents: tuple[Tensor, ...] = ()
        self._backward: Callable[[Array], None] | None = None
        self._op = ""

    # ------------------------------------------------------------------ plumbing
    @classmethod
    def _make(cls, data: Array, parents: tuple[Tensor, ...], op: str, backward) -> Tensor:
        """The result of an operation: it needs a gradient when an input does."""
        out = cls.__new__(cls)
        out.data, out.grad, out._op = np.asarray(data), None, op
        out.requires_grad = any(p.requires_grad for p in parents)
        out._parents = parents if out.requires_grad else ()
        out._backward = backward if out.requires_grad else None
        return out

    def _lift(self, other) -> Tensor:
        """``other`` as a Tensor; a Python number takes this Tensor's dtype (as in NumPy:
        float32 * 2.0 stays float32) and is a constant, like any array."""
        if isinstance(other, Tensor):
            return other
        if isinstance(other, (bool, int, float)) and not isinstance(other, np.generic):
            return Tensor(np.asarray(other, dtype=self.data.dtype), requires_grad=False)
        return Tensor(other, requires_grad=False)

    @staticmethod
    def _add_grad(node: Tensor, g: Array) -> None:
        """node.grad += g, summed back to node's shape (the first one is copied, so a
        grad is always an array of its own)."""
        if not node.requires_grad:
            return
        g = _unbroadcast(g, node.data.shape)
        if node.grad is None:
            node.grad = np.array(g, dtype=node.data.dtype)
        else:
            node.grad += g

    def _topological_order(self) -> list[Tensor]:
        """Every Tensor J depends on (and needs a gradient), inputs before results."""
        order: list[Tensor] = []
        seen: set[int] = set()
        stack: list[tuple[Tensor, bool]] = [(self, False)]
        while stack:  # depth first, without recursion (graphs may be long chains)
            node, done = stack.pop()
            if done:
                order.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in node._parents if p.requires_grad)
        return order

    def backward(self, gradient=None) -> None:
        """Fill ``grad`` of every Tensor this one depends on with d(self)/d(it).

        ``gradient``: dJ/dself when self is not a scalar (then J = sum(gradient * self));
        a scalar's is 1. Every grad in the graph is first reset to None, then computed
        afresh as a new array: calling backward twice gives the same gradients twice,
        never their sum.
        """
        if not self.requires_grad:
            raise ConfigError(
                "backward(): this value depends on no Tensor that requires a gradient"
            )
        if gradient is None:
            if self.data.size != 1:
                raise ShapeError(
                    f"backward() of a value of shape {self.data.shape} needs gradient= "
                    "(dJ/dvalue, same shape); only a scalar's is 1"
                )
            seed = np.ones_like(self.data)
        else:
            seed = np.array(
                gradient.data if isinstance(gradient, Tensor) else gradient, dtype=self.data.dtype
            )
            if seed.shape != self.data.shape:
                raise ShapeError(
                    f"backward(gradient=...) needs shape {self.data.shape}, got {seed.shape}"
                )
        order = self._topological_order()
        for node in order:
            node.grad = None
        self.grad = seed
        for node in reversed(order):  # each node has all of its gradient before it is used
            if node._backward is not None:
                node._backward(node.grad)

    # ------------------------------------------------------------------ arithmetic
    def __add__(self, other) -> Tensor:
        other = self._lift(other)

        def backward(g):
            Tensor._add_grad(self, g)
            Tensor._add_grad(other, g)

        return Tensor._make(self.data + other.data, (self, other), "+", backward)

    def __sub__(self, other) -> Tensor:
        other = self._lift(other)

        def backward(g):
            Tensor._add_grad(self, g)
            Tensor._add_grad(other, -g)

        return Tensor._make(self.data - other.data, (self, other), "-", backward)

    def __mul__(self, other) -> Tensor:
        other = self._lift(other)
        a, b = self.data, other.data

        def backward(g):
            if self.requires_grad:
                Tensor._add_grad(self, g * b)
            if other.requires_grad:
                Tensor._add_grad(other, g * a)

        return Tensor._make(a * b, (self, other), "*", backward)

    def __truediv__(self, other) -> Tensor:
        other = self._lift(other)
        a, b = self.data, other.data

        def backward(g):
            if self.requires_grad:
                Tensor._add_grad(self, g / b)
            if other.requires_grad:
                Tensor._add_grad(other, -g * a / (b * b))

        return Tensor._make(a / b, (self, other), "/", backward)

    def __pow__(self, other) -> Tensor:
        """self ** other; d/dself = other · self^(other − 1), d/dother = out · log(self)."""
        other = self._lift(other)
        a, b = self.data, other.data
        out = a**b

        def backward(g):
            if self.requires_grad:
                Tensor._add_grad(self, g * b * a ** (b - 1))
            if other.requires_grad:
                Tensor._add_grad(other, g * out * np.log(a))

        return Tensor._make(out, (self, other), "**", backward)

    def __matmul__(self, other) -> Tensor:
        """Matrix product with np.matmul's rules (1-D operands, stacks of matrices)."""
        other = self._lift(other)
        a, b = self.data, other.data

        def backward(g):
            da, db = _matmul_grads(g, a, b, self.requires_grad, other.requires_grad)
            Tensor._add_grad(self, da)
            Tensor._add_grad(other, db)

        return Tensor._make(a @ b, (self, other), "@", backward)

    def __neg__(self) -> Tensor:
        return Tensor._make(-self.data, (self,), "neg", lambda g: Tensor._add_grad(self, -g))

    def __radd__(self, other) -> Tensor:
        return self._lift(other) + self

    def __rsub__(self, other) -> Tensor:
        return self._lift(other) - self

    def __rmul__(self, other) -> Tensor:
        return self._lift(other) * self

    def __rtruediv__(self, other) -> Tensor:
        return self._lift(other) / self

    def __rpow__(self, other) -> Tensor:
        return self._lift(other) ** self

    def __rmatmul__(self, other) -> Tensor:
        return self._lift(other) @ self

    # ------------------------------------------------------------------ elementwise
    def exp(self) -> Tensor:
        out = np.exp(self.data)
        return Tensor._make(out, (self,), "exp", lambda g: Tensor._add_grad(self, g * out))

    def log(self) -> Tensor:
        a = self.data
        return Tensor._make(np.log(a), (self,), "log", lambda g: Tensor._add_grad(self, g / a))

    def tanh(self) -> Tensor:
        out = np.tanh(self.data)
        return Tensor._make(
            out, (self,), "tanh", lambda g: Tensor._add_grad(self, g * (1 - out * out))
        )

    def sigmoid(self) -> Tensor:
        """1 / (1 + e^(−x)), computed from e^(−|x|) so that nothing overflows."""
        a = self.data
        e = np.exp(-np.abs(a))
        out = np.where(a >= 0, 1 / (1 + e), e / (1 + e))
        return Tensor._make(
            out, (self,), "sigmoid", lambda g: Tensor._add_grad(self, g * out * (1 - out))
        )

    def relu(self) -> Tensor:
        """max(x, 0); the gradient is 1 where x > 0 and 0 elsewhere (0 at x = 0)."""
        a = self.data
        return Tensor._make(
            np.maximum(a, 0), (self,), "relu", lambda g: Tensor._add_grad(self, g * (a > 0))
        )

    def clip(self, low: float, high: float) -> Tensor:
        """x limited to [low, high]; the gradient is 1 inside (ends included), 0 outside
        (keeps log away from 0 in a custom loss: ``A.clip(1e-7, 1 - 1e-7).log()``)."""
        a = self.data
        inside = (a >= low) & (a <= high)
        return Tensor._make(
            np.clip(a, low, high), (self,), "clip", lambda g: Tensor._add_grad(self, g * inside)
        )

    def softmax(self, axis: int = 0) -> Tensor:
        """e^x / sum e^x along ``axis`` (0: the classes of (C, m) columns, as everywhere in
        layerwise); backward dx = s (g − sum(g s)) along the axis."""
        a = self.data
        e = np.exp(a - a.max(axis=axis, keepdims=True))
        s = e / e.sum(axis=axis, keepdims=True)

        def backward(g):
            Tensor._add_grad(self, s * (g - np.sum(g * s, axis=axis, keepdims=True)))

        return Tensor._make(s, (self,), "softmax", backward)

    # ------------------------------------------------------------------ reductions
    def sum(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        shape = self.data.shape

        def backward(g):
            if not keepdims:
                g = np.expand_dims(g, _axes(axis, len(shape)))
            Tensor._add_grad(self, np.broadcast_to(g, shape))

        return Tensor._make(self.data.sum(axis=axis, keepdims=keepdims), (self,), "sum", backward)

    def mean(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        n = int(np.prod([self.data.shape[a] for a in _axes(axis, self.data.ndim)]))
        return self.sum(axis, keepdims) / n

    def max(self, axis: Axis = None, keepdims: bool = False) -> Tensor:
        """The largest value along ``axis``. The gradient goes to the *first* maximum
        of each reduced group (C order), as np.argmax picks it; ties get nothing."""
        a = self.data
        axes = _axes(axis, a.ndim)
        kept = [i for i in range(a.ndim) if i not in axes]
        # the reduced axes last, flattened into one: argmax then picks the first maximum
        moved = np.transpose(a, kept + list(axes))
        flat = moved.reshape(*moved.shape[: len(kept)], -1)
        first = np.argmax(flat, axis=-1)[..., None]

        def backward(g):
            g = np.reshape(g, flat.shape[:-1] + (1,))
            hot = np.zeros(flat.shape, dtype=np.result_type(g, a))
            np.put_along_axis(hot, first, g, axis=-1)
            inverse = np.argsort(kept + list(axes))
            Tensor._add_grad(self, hot.reshape(moved.shape).transpose(inverse))

        return Tensor._make(a.max(axis=axis, keepdims=keepdims), (self,), "max", backward)

    # ------------------------------------------------------------------ shapes
    def reshape(self, *shape) -> Tensor:
        shape = shape[0] if len(shape) == 1 and not np.isscalar(shape[0]) else shape
        old = self.data.shape
        return Tensor._make(
            self.data.reshape(shape),
            (self,),
            "reshape",
            lambda g: Tensor._add_grad(self, g.reshape(old)),
        )

    def transpose(self, *axes) -> Tensor:
        axes = axes[0] if len(axes) == 1 and not np.isscalar(axes[0]) else axes
        perm = tuple(range(self.data.ndim))[::-1] if not axes else tuple(axes)
        inverse = tuple(np.argsort(perm))
        return Tensor._make(
            self.data.transpose(perm),
            (self,),
            "transpose",
            lambda g: Tensor._add_grad(self, g.transpose(inverse)),
        )

    @property
    def T(self) -> Tensor:
        return self.transpose()

    def __getitem__(self, idx) -> Tensor:
        """Basic indexing (ints, slices) and integer-array indexing; the gradient is
        scattered back with np.add.at, so an element picked k times gets k gradients."""
        shape, dtype = self.data.shape, self.data.dtype

        def backward(g):
            full = np.zeros(shape, dtype=np.result_type(g, dtype))
            if _is_basic_index(idx):
                full[idx] = g  # a basic index never picks an element twice
            else:
                np.add.at(full, idx, g)
            Tensor._add_grad(self, full)

        return Tensor._make(self.data[idx], (self,), "[]", backward)

    # ------------------------------------------------------------------ inspection
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    def __len__(self) -> int:
        return len(self.data)

    def item(self) -> float:
        return self.data.item()

    def __float__(self) -> float:
        return float(self.data)

    def numpy(self) -> Array:
        """The data array itself (not a copy)."""
        return self.data

    def detach(self) -> Tensor:
        """The same values as a constant: no gradient flows through it."""
        return Tensor(self.data, requires_grad=False)

    def __repr__(self) -> str:
        op = f", op={self._op!r}" if self._op else ""
        body = np.array2string(self.data, precision=4, separator=", ", threshold=20)
        return f"Tensor({body}, dtype={self.data.dtype}{op})"


def _matmul_grads(
    g: Array, a: Array, b: Array, need_a: bool, need_b: bool
) -> tuple[Array | None, Array | None]:
    """(dJ/da, dJ/db) for out = a @ b, given g = dJ/dout (None where not needed); batch
    axes are left for ``_unbroadcast`` to sum. 1-D operands are promoted as np.matmul
    promotes them: a (k,) as a row (1, k), b (k,) as a column (k, 1)."""
    if a.ndim == 1 and b.ndim == 1:
        return g * b, g * a
    a2 = a[None, :] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    g2 = np.expand_dims(g, -2) if a.ndim == 1 else g
    g2 = np.expand_dims(g2, -1) if b.ndim == 1 else g2
    da = db = None
    if need_a:
        da = g2 @ np.swapaxes(b2, -1, -2)
        da = da[..., 0, :] if a.ndim == 1 else da
    if need_b:
        db = np.swapaxes(a2, -1, -2) @ g2
        db = db[..., :, 0] if b.ndim == 1 else db
    return da, db


def _tensor(x) -> Tensor:
    return x if isinstance(x, Tensor) else Tensor(x, requires_grad=False)


def exp(x) -> Tensor:
    """e^x."""
    return _tensor(x).exp()


def log(x) -> Tensor:
    """The natural logarithm."""
    return _tensor(x).log()


def tanh(x) -> Tensor:
    return _tensor(x).tanh()


def sigmoid(x) -> Tensor:
    """1 / (1 + e^(−x))."""
    return _tensor(x).sigmoid()


def relu(x) -> Tensor:
    """max(x, 0)."""
    return _tensor(x).relu()


def clip(x, low: float, high: float) -> Tensor:
    """x limited to [low, high] (gradient 0 outside)."""
    return _tensor(x).clip(low, high)


def softmax(x, axis: int = 0) -> Tensor:
    """Softmax along ``axis`` (0: the classes of (C, m) columns)."""
    return _tensor(x).softmax(axis)


# --------------------------------------------------------------------------- grad(f)
def grad(f: Callable[..., Tensor], argnums: int | Sequence[int] = 0) -> Callable[..., object]:
    """The function x -> df/dx, for f a function of arrays returning a scalar (written
    with Tensor operations), like ``jax.grad``.

    ``argnums``: which positional argument(s) to differentiate with respect to; an int
    gives one gradient array, a tuple a tuple of them. Each gradient has its argument's
    shape and dtype (float64, or float32 for float32 arguments). The other arguments are
    passed through unchanged (arrays among them are constants).
    """
    value_grad = value_and_grad(f, argnums)

    @functools.wraps(f)
    def df(*args, **kwargs):
        return value_grad(*args, **kwargs)[1]

    return df


def value_and_grad(
    f: Callable[..., Tensor], argnums: int | Sequence[int] = 0
) -> Callable[..., tuple[float, object]]:
    """Like ``grad``, but the function returns (f(x) as a float, df/dx)."""
    single = isinstance(argnums, (int, np.integer))
    nums = (int(argnums),) if single else tuple(int(i) for i in argnums)

    @functools.wraps(f)
    def value_grad(*args, **kwargs):
        args = list(args)
        for i in nums:
            if not -len(args) <= i < len(args):
                raise ConfigError(
                    f"argnums has {i}, but the function got {len(args)} positional arguments"
                )
        leaves = {}
        for i in nums:
            leaves[i] = args[i] = Tensor(args[i])  # a fresh leaf, even for a Tensor
        out = f(*args, **kwargs)
        if isinstance(out, Tensor):
            if out.size != 1:
                raise ShapeError(f"grad(f) needs f to return a scalar, got shape {out.shape}")
            if out.requires_grad:
                out.backward()
            value = float(out.data)
        else:
            value = float(np.asarray(out))  # does not depend on the arguments at all
        grads = tuple(
            t.grad if t.grad is not None else np.zeros_like(t.data)
            for t in (leaves[i] for i in nums)
        )
        return value, (grads[0] if single else grads)

    return value_grad


# --------------------------------------------------------------------------- losses
class CustomLoss(Loss):
    """A Loss from a cost written with autodiff operations: ``fn(A, Y)`` gets A[L] and
    Y as Tensors (n_y, m) and returns the scalar Tensor J, averaged over the m examples by
    its own formula (the loss owns the 1/m, as the built-in ones do).

    ``cost`` evaluates fn; ``gradient`` is dJ/dA[L] by reverse mode. ``fused_with`` is
    "", so the engine back-propagates dJ/dA[L] through the output activation's own
    backward rule (no fused delta, and J from A[L], not from the logits). ``fit(...,
    loss=fn)`` wraps a plain callable in this class. Y is a constant (no gradient).
    Both methods run fn, so a training step evaluates it twice.
    """

    fused_with = ""

    def __init__(self, fn: Callable[[Tensor, Tensor], Tensor], name: str | None = None) -> None:
        if not callable(fn):
            raise ConfigError(f"a custom loss is a function fn(A, Y) -> J, got {fn!r}")
        self.fn = fn
        self.name = name or f"custom:{getattr(fn, '__name__', type(fn).__name__)}"

    def _evaluate(self, A: Array, Y: Array) -> tuple[Tensor, Tensor]:
        A_t = Tensor(A)
        J = self.fn(A_t, Tensor(Y, requires_grad=False))
        if not isinstance(J, Tensor):
            raise ConfigError(
                f"the custom loss {self.name!r} returned {type(J).__name__}, not a Tensor: "
                "write it with layerwise.autodiff operations on A (A.log(), ad.log(A), "
                "(...).sum() / m), not NumPy functions"
            )
        if J.size != 1:
            raise ShapeError(
                f"the custom loss {self.name!r} returned shape {J.shape}; it must be the "
                "scalar cost J (sum over the examples and divide by m)"
            )
        return A_t, J

    def cost(self, A: Array, Y: Array) -> float:
        return float(self._evaluate(A, Y)[1].data)

    def gradient(self, A: Array, Y: Array) -> Array:
        """dJ/dA, same shape and dtype as A."""
        A_t, J = self._evaluate(A, Y)
        if not J.requires_grad:
            return np.zeros_like(A)
        J.backward()
        return A_t.grad

    def __repr__(self) -> str:
        return f"CustomLoss({getattr(self.fn, '__name__', self.fn)!r})"
