"""Compare a learner's output with the reference and say what differs, in the course's
notation: shapes (and whether one is the transpose), dict keys, tuple order, the 1/m, a
constant factor, the value's type, the first differing element."""

from __future__ import annotations

import itertools
import re

import numpy as np

from .spec import N, as_name

Array = np.ndarray

__all__ = ["close", "compare", "equal", "fmt"]


def _layer_symbols(name: str) -> str | None:
    """The course's symbolic shape for a name such as dW2, b1, A_prev, dZ."""
    m = re.fullmatch(r"d?([WbAZ])(\d*|_prev|L)", name)
    if not m:
        return "()" if name in ("cost", "learning_rate") else None
    letter, suffix = m.groups()
    if suffix.isdigit():
        l, prev = f"[{suffix}]", f"[{int(suffix) - 1}]"
    elif suffix == "_prev":
        l = prev = "[l-1]"
    elif suffix == "L":
        l, prev = "[L]", "[L-1]"
    else:
        l, prev = "[l]", "[l-1]"
    return {"W": f"(n{l}, n{prev})", "b": f"(n{l}, 1)"}.get(letter, f"(n{l}, m)")


def _transpose_hint(name: str) -> str:
    base = name.lstrip("d").rstrip("0123456789") if name.startswith("d") else name
    if name.startswith("dW"):
        return "did you transpose A_prev? dW = (1/m)·dZ·A_prevᵀ"
    if name.startswith("dA"):
        return "did you transpose W? dA_prev = Wᵀ·dZ"
    if base.startswith("W"):
        return "did you swap the arguments of randn? W[l] is randn(n[l], n[l-1])"
    if base.startswith(("Z", "A")):
        return "did you multiply in the wrong order? Z = W·A_prev + b"
    return "did you transpose it?"


#: the course-4 shapes of 4-D arrays (COURSE.md §2.9), by the name's first letters
IMAGE_SYMBOLS = (
    ("dA_prev", "(m, n_H_prev, n_W_prev, n_C_prev)"),
    ("A_prev", "(m, n_H_prev, n_W_prev, n_C_prev)"),
    ("dW", "(f, f, n_C_prev, n_C)"),
    ("W", "(f, f, n_C_prev, n_C)"),
    ("db", "(1, 1, 1, n_C)"),
    ("b", "(1, 1, 1, n_C)"),
    ("", "(m, n_H, n_W, n_C)"),
)


def _symbols(name: str, ndim: int) -> str | None:
    """The course's symbolic shape of ``name`` (images when 4-D)."""
    base = re.sub(r"^.*\['(\w+)'\]$", r"\1", name)
    if ndim == 4:
        return next(symbols for prefix, symbols in IMAGE_SYMBOLS if base.startswith(prefix))
    return _layer_symbols(base)


def _shape_problem(name: str, got: Array, want: Array) -> str:
    symbols = _symbols(name, want.ndim) if want.ndim else "a scalar"
    should = f"{symbols} = {want.shape}" if symbols and symbols != "()" else f"{want.shape}"
    text = f"{name} is {got.shape}; it should be {should}"
    if got.ndim == 2 and got.shape == want.shape[::-1]:
        return f"{text}: {_transpose_hint(name)}"
    if want.ndim == 2 and got.shape == want.shape[:1]:
        return f"{text}: did you forget keepdims=True (or a reshape to a column)?"
    if want.ndim == 0 and got.size == 1:
        return f"{text}: did you forget np.squeeze?"
    return text


def fmt(x) -> str:
    """``x`` to 8 significant digits, in scientific notation when tiny or huge."""
    if not np.isfinite(x):
        return str(x)
    if x != 0 and not 1e-4 <= abs(x) < 1e8:
        return np.format_float_scientific(x, precision=8, unique=True, trim="-")
    return np.format_float_positional(x, precision=8, unique=True, trim="-")


def close(a, b) -> np.ndarray:
    return np.isclose(a, b, rtol=1e-6, atol=1e-9, equal_nan=True)


def _value_problem(name: str, got, want, m: int | None) -> str | None:
    try:
        g = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return f"{name} should be an array of numbers, got {type(got).__name__}"
    w = np.asarray(want, dtype=float)
    if g.shape != w.shape:
        return _shape_problem(name, g, w)
    ok = close(g, w)
    if ok.all():
        return None
    nonzero = (w != 0) & np.isfinite(w) & np.isfinite(g)
    if nonzero.any():
        k = float((g[nonzero] / w[nonzero]).flat[0])
        if close(g, k * w).all():
            if m and np.isclose(k, m):
                return f"{name} is off by exactly a factor m = {m}: did you forget the 1/m?"
            if m and np.isclose(k, 1 / m):
                return f"{name} is off by exactly a factor 1/m = 1/{m}: did you divide by m twice?"
            if np.isclose(k, -1):
                return f"{name} has the wrong sign everywhere"
            if g.size > 1:
                return f"{name} is off by a constant factor {k:.6g} everywhere"
    if not g.ndim:
        return f"{name} has the wrong value: got {fmt(g[()])}, expected {fmt(w[()])}"
    index = tuple(int(i) for i in np.argwhere(~ok)[0])
    where = f"{name}[{', '.join(map(str, index))}]"
    return (
        f"{name} has wrong values: first difference at {where}: "
        f"got {fmt(g[index])}, expected {fmt(w[index])}"
    )


def equal(a, b) -> bool:
    """Same structure and values (for spotting a reordered cache or a known mistake)."""
    if isinstance(b, dict):
        return isinstance(a, dict) and a.keys() == b.keys() and all(equal(a[k], b[k]) for k in b)
    if isinstance(b, (tuple, list)):
        return (
            isinstance(a, (tuple, list))
            and len(a) == len(b)
            and all(equal(x, y) for x, y in zip(a, b, strict=True))
        )
    if isinstance(b, str) or b is None:
        return type(a) is type(b) and a == b
    try:
        g, w = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return False
    return g.shape == w.shape and bool(close(g, w).all())


def compare(got, want, spec: N, where: str, m: int | None) -> list[str]:
    """Problems of ``got`` against ``want``, named in the course's notation."""
    name = spec.name or where or "the result"
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return [f"{name} should be a dict with keys {sorted(want)}, got {type(got).__name__}"]
        missing, extra = sorted(set(want) - set(got)), sorted(set(got) - set(want))
        problems = []
        if missing or extra:
            text = f"{name} has the wrong keys"
            text += f": missing {missing}" if missing else ""
            text += f"{';' if missing else ':'} unexpected {extra}" if extra else ""
            problems.append(text + f" (it should hold exactly {sorted(want)})")
        plain = spec.name in ("", "parameters", "grads")
        for key in want:
            if key in got:
                label = key if plain else f"{name}['{key}']"
                problems += compare(got[key], want[key], N(label), label, m)
        return problems
    if isinstance(want, (tuple, list)):
        kind = "tuple" if isinstance(want, tuple) else "list"
        if not isinstance(got, (tuple, list)):
            return [f"{name} should be a {kind} of {len(want)}, got {type(got).__name__}"]
        parts = [as_name(p) for p in spec.parts] or [
            N(f"{spec.each.name if spec.each else name}[{i}]", spec.each.parts if spec.each else ())
            for i in range(len(want))
        ]
        if len(got) != len(want):
            names = f" ({', '.join(p.name for p in parts)})" if spec.parts else ""
            return [f"{name} should have {len(want)} entries{names}, got {len(got)}"]
        order = _reordering(got, want)
        if order is not None:
            held = ", ".join(
                f"{name}[{i}] holds {parts[j].name}" for i, j in enumerate(order) if i != j
            )
            should = ", ".join(p.name for p in parts)
            return [f"{name} is in the wrong order: {held}; it should be ({should})"]
        problems = []
        for part, g, w in zip(parts, got, want, strict=True):
            problems += compare(g, w, part, part.name, m)
        return problems
    if isinstance(want, str):
        return [] if got == want else [f"{name} is {got!r}; it should be {want!r}"]
    problem = _value_problem(name, got, want, m) or _type_problem(name, got, want, spec.typed)
    return [problem] if problem else []


_DTYPE_WORDS = {"b": "bool", "i": "int", "u": "int", "f": "float"}


def _type_word(x) -> str:
    if isinstance(x, np.ndarray):
        return "a 0-d array" if x.ndim == 0 else f"an array of {x.dtype.name}"
    if isinstance(x, np.generic):
        return f"a NumPy {x.dtype.name}"
    return f"a Python {type(x).__name__}"


def _type_problem(name: str, got, want, typed: bool) -> str | None:
    """The right values in the wrong type: the course checks the types of its scalars
    (§1.2), and of predictions and masks (``typed``)."""
    if isinstance(want, np.ndarray) and want.ndim:
        kinds = _DTYPE_WORDS.get(want.dtype.kind), _DTYPE_WORDS.get(np.asarray(got).dtype.kind)
        if typed and kinds[0] != kinds[1]:
            return f"{name} holds {kinds[1]} values; the course's are {kinds[0]} (.astype)"
        return None
    if isinstance(want, np.ndarray):
        # np.squeeze of a NumPy scalar stays a scalar: both behave as the course's value
        wrong = not isinstance(got, (np.ndarray, np.generic))
        should = "a 0-d array (np.squeeze)"
    elif isinstance(want, np.floating):
        wrong, should = isinstance(got, np.ndarray), "a NumPy float64 scalar, never an array"
    elif type(want) is float:
        wrong, should = not isinstance(got, float), "a Python float (float(...))"
    else:
        return None
    return f"{name} is {_type_word(got)}; it should be {should}" if wrong else None


def _reordering(got, want) -> list[int] | None:
    """For each position of ``got``, the position of ``want`` it equals, if ``got`` is a
    proper permutation of ``want``; else None."""
    if len(want) < 2 or equal(got, want):
        return None
    for order in itertools.permutations(range(len(want))):
        if any(i != j for i, j in enumerate(order)) and all(
            equal(got[i], want[j]) for i, j in enumerate(order)
        ):
            return list(order)
        if len(want) > 6:
            return None
    return None
