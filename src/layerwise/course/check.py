"""Grade a learner's own implementation of the course's functions against ``layerwise.course``.

``check(path_or_module)`` imports the learner's file in a fresh module namespace (it runs
nothing but that file), finds the functions that carry the course's names, calls each on
the course's own seeded inputs and compares the result with the reference function of
the same module. It prints one line per function, PASS or FAIL with a diagnosis in the
course's notation: a wrong shape (and whether it is the transpose), wrong keys in a dict
or cache, a cache in the wrong order, a mutated input, a missing 1/m, a known mistake
(sigmoid backward on Z, Adam without bias correction), or the first differing element.
The learner's exceptions are caught and shown with their last frame; each call has a
timeout. ``layerwise check FILE.py [--module NAME]`` is the command-line front end.
"""

from __future__ import annotations

import copy
import ctypes
import importlib
import importlib.util
import itertools
import re
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import numpy as np

from . import deep, logistic, optimization, shallow

__all__ = ["MODULES", "Report", "Result", "check", "main"]

Array = np.ndarray

EXIT_PASS, EXIT_FAIL, EXIT_BAD_INPUT = 0, 1, 2
MAX_PROBLEMS = 4  # lines of diagnosis shown per function


class CheckInputError(Exception):
    """The file or module cannot be graded at all (missing, not Python, no course names)."""


# --------------------------------------------------------------------------- output names
@dataclass(frozen=True)
class N:
    """The course's name for a returned value; ``parts`` names tuple positions, ``each``
    the entries of a list of any length."""

    name: str
    parts: tuple = ()
    each: N | None = None


def _n(spec) -> N:
    return spec if isinstance(spec, N) else N(spec)


LINEAR_CACHE = N("linear_cache", ("A_prev", "W", "b"))
LAYER_CACHE = N("cache", (LINEAR_CACHE, "Z"))


# --------------------------------------------------------------------------- cases
@dataclass
class Case:
    """One call of a course function: its inputs, the names of its outputs, known mistakes."""

    function: str
    inputs: Callable[[], tuple]  # () -> positional args, built under np.random.seed
    output: N | str
    label: str = ""
    m: int | None = None  # the number of examples, for the "missing 1/m" diagnosis
    may_mutate: bool = False  # the course lets update functions change the dicts they get
    mistakes: tuple = ()  # (description, args -> wrong output)
    seed: int = 1


def _seeded(seed: int, build: Callable[[], tuple]) -> Callable[[], tuple]:
    def inputs() -> tuple:
        np.random.seed(seed)
        return build()

    return inputs


def _net(dims, m):
    params = {}
    for l in range(1, len(dims)):
        params[f"W{l}"] = np.random.randn(dims[l], dims[l - 1])
        params[f"b{l}"] = np.random.randn(dims[l], 1)
    X = np.random.randn(dims[0], m)
    Y = (np.random.rand(1, m) > 0.5).astype(float)
    return X, Y, params


def _grads(params, scale=1.0):
    return {f"d{k}": np.random.randn(*v.shape) * scale for k, v in params.items()}


def _sig(Z):
    return 1 / (1 + np.exp(-Z))


def _sigmoid_backward_on_Z(dA, Z):
    return dA * Z * (1 - Z)


def _adam_uncorrected(parameters, grads, v, s, t, lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8):
    for key in parameters:
        g = grads[f"d{key}"]
        v[f"d{key}"] = beta1 * v[f"d{key}"] + (1 - beta1) * g
        s[f"d{key}"] = beta2 * s[f"d{key}"] + (1 - beta2) * g**2
        parameters[key] = parameters[key] - lr * v[f"d{key}"] / (np.sqrt(s[f"d{key}"]) + eps)
    return parameters, v, s, v, s


SIGMOID_ON_Z = (
    "sigmoid backward used Z where s = σ(Z) belongs: dZ = dA·s·(1 − s) with s = σ(Z), "
    "not dA·Z·(1 − Z)"
)
NO_BIAS_CORRECTION = (
    "Adam without bias correction: use v_corrected = v/(1 − β1ᵗ) and "
    "s_corrected = s/(1 − β2ᵗ) in the update θ − lr·v_corrected/(√s_corrected + ε)"
)


def _deep_cases() -> list[Case]:
    def lin():
        A, W, b = np.random.randn(4, 5), np.random.randn(3, 4), np.random.randn(3, 1)
        return A, W, b

    def lin_back():
        dZ = np.random.randn(3, 5)
        return dZ, lin()

    def act_back(activation):
        def build():
            dA = np.random.randn(3, 5)
            _, cache = deep.linear_activation_forward(*lin(), activation)
            return dA, cache, activation

        return build

    def L_forward():
        X, _, params = _net((5, 4, 3, 1), 6)
        return X, params

    def L_backward():
        X, Y, params = _net((5, 4, 3, 1), 6)
        AL, caches = deep.L_model_forward(X, params)
        return AL, Y, caches

    def cost():
        return np.array([[0.8, 0.9, 0.4, 0.2]]), np.array([[1.0, 1.0, 0.0, 0.0]])

    def update():
        _, _, params = _net((4, 3, 1), 1)
        return params, _grads(params), 0.1

    def sig_z_linear(dA, cache, activation):
        linear_cache, Z = cache
        return deep.linear_backward(_sigmoid_backward_on_Z(dA, Z), linear_cache)

    backward_out = N("", ("dA_prev", "dW", "db"))
    return [
        Case("initialize_parameters", lambda: (3, 2, 1), "parameters"),
        Case("initialize_parameters_deep", lambda: ([5, 4, 3, 1],), "parameters"),
        Case("linear_forward", _seeded(1, lin), N("", ("Z", LINEAR_CACHE))),
        Case("sigmoid", _seeded(1, lambda: (np.random.randn(3, 5),)), N("", ("A", "Z"))),
        Case("relu", _seeded(1, lambda: (np.random.randn(3, 5),)), N("", ("A", "Z"))),
        Case(
            "sigmoid_backward",
            _seeded(1, lambda: (np.random.randn(3, 5), np.random.randn(3, 5))),
            "dZ",
            mistakes=((SIGMOID_ON_Z, _sigmoid_backward_on_Z),),
        ),
        Case(
            "relu_backward",
            _seeded(1, lambda: (np.random.randn(3, 5), np.random.randn(3, 5))),
            "dZ",
        ),
        *(
            Case(
                "linear_activation_forward",
                _seeded(2, lambda a=a: (*lin(), a)),
                N("", ("A", LAYER_CACHE)),
                label=a,
            )
            for a in ("sigmoid", "relu")
        ),
        Case(
            "L_model_forward", _seeded(1, L_forward), N("", ("AL", N("caches", each=LAYER_CACHE)))
        ),
        Case("compute_cost", cost, "cost", m=4),
        Case("linear_backward", _seeded(1, lin_back), backward_out, m=5),
        *(
            Case(
                "linear_activation_backward",
                _seeded(2, act_back(a)),
                backward_out,
                label=a,
                m=5,
                mistakes=((SIGMOID_ON_Z, sig_z_linear),) if a == "sigmoid" else (),
            )
            for a in ("sigmoid", "relu")
        ),
        Case("L_model_backward", _seeded(3, L_backward), "grads", m=6),
        Case("update_parameters", _seeded(2, update), "parameters"),
    ]


def _optimization_cases() -> list[Case]:
    def params_grads():
        _, _, params = _net((4, 3, 2, 1), 1)
        return params, _grads(params)

    def gd():
        params, grads = params_grads()
        return params, grads, 0.01

    def velocity():
        params, grads = params_grads()
        v = _grads(params, 0.1)
        return params, grads, v, 0.9, 0.01

    def adam():
        params, grads = params_grads()
        v = _grads(params, 0.1)
        s = {k: np.abs(a) for k, a in _grads(params, 0.1).items()}
        return params, grads, v, s, 2, 0.01, 0.9, 0.999, 1e-8

    def batches():
        X = np.random.randn(12, 148)
        Y = (np.random.randn(1, 148) < 0.5).astype(float)
        return X, Y, 64, 0

    adam_out = N("", ("parameters", "v", "s", "v_corrected", "s_corrected"))
    return [
        Case("update_parameters_with_gd", _seeded(1, gd), "parameters", may_mutate=True),
        Case(
            "random_mini_batches",
            _seeded(1, batches),
            N("mini_batches", each=N("mini_batch", ("mini_batch_X", "mini_batch_Y"))),
        ),
        Case("initialize_velocity", _seeded(1, lambda: params_grads()[:1]), "v"),
        Case(
            "update_parameters_with_momentum",
            _seeded(1, velocity),
            N("", ("parameters", "v")),
            may_mutate=True,
        ),
        Case("initialize_adam", _seeded(1, lambda: params_grads()[:1]), N("", ("v", "s"))),
        Case(
            "update_parameters_with_adam",
            _seeded(1, adam),
            adam_out,
            may_mutate=True,
            mistakes=((NO_BIAS_CORRECTION, _adam_uncorrected),),
        ),
        Case("update_lr", lambda: (0.5, 2, 1), "learning_rate"),
        Case("schedule_lr_decay", lambda: (0.5, 2500, 1, 1000), "learning_rate"),
        Case("initialize_parameters", lambda: ([2, 5, 2, 1],), "parameters"),
    ]


def _logistic_cases() -> list[Case]:
    def wbXY():
        w = np.random.randn(3, 1) * 0.1
        X = np.random.randn(3, 5)
        Y = (np.random.rand(1, 5) > 0.5).astype(float)
        return w, 0.5, X, Y

    return [
        Case("sigmoid", lambda: (np.array([0.0, 2.0, -1.5]),), "sigmoid(z)"),
        Case("initialize_with_zeros", lambda: (4,), N("", ("w", "b"))),
        Case("propagate", _seeded(1, wbXY), N("", ("grads", "cost")), m=5),
        Case(
            "optimize",
            _seeded(1, lambda: (*wbXY(), 101, 0.009)),
            N("", ("params", "grads", N("costs", each=N("cost")))),
        ),
        Case("predict", _seeded(1, lambda: wbXY()[:3]), "Y_prediction"),
    ]


def _shallow_cases() -> list[Case]:
    def data():
        X = np.random.randn(2, 5)
        Y = (np.random.rand(1, 5) > 0.5).astype(float)
        return X, Y

    def params():
        _, _, p = _net((2, 4, 1), 1)
        return p

    def backward():
        X, Y = data()
        p = params()
        _, cache = shallow.forward_propagation(X, p)
        return p, cache, X, Y

    cache = N("cache")
    return [
        Case("layer_sizes", _seeded(1, data), N("", ("n_x", "n_h", "n_y"))),
        Case("initialize_parameters", lambda: (2, 4, 1), "parameters", seed=2),
        Case(
            "forward_propagation", _seeded(1, lambda: (data()[0], params())), N("", ("A2", cache))
        ),
        Case(
            "compute_cost",
            _seeded(1, lambda: (np.random.rand(1, 5), data()[1])),
            "cost",
            m=5,
        ),
        Case("backward_propagation", _seeded(1, backward), "grads", m=5),
        Case(
            "update_parameters", _seeded(1, lambda: (params(), _grads(params()), 1.2)), "parameters"
        ),
        Case("predict", _seeded(1, lambda: (params(), data()[0])), "predictions"),
    ]


#: module name -> (reference module, its cases); the first module wins a tie
MODULES: dict[str, tuple[ModuleType, Callable[[], list[Case]]]] = {
    "deep": (deep, _deep_cases),
    "optimization": (optimization, _optimization_cases),
    "shallow": (shallow, _shallow_cases),
    "logistic": (logistic, _logistic_cases),
}


# --------------------------------------------------------------------------- diagnosis
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


def _shape_problem(name: str, got: Array, want: Array) -> str:
    symbols = _layer_symbols(re.sub(r"^.*\['(\w+)'\]$", r"\1", name))
    should = f"{symbols} = {want.shape}" if symbols and symbols != "()" else f"{want.shape}"
    text = f"{name} is {got.shape}; it should be {should}"
    if got.ndim == 2 and got.shape == want.shape[::-1]:
        return f"{text}: {_transpose_hint(name)}"
    if want.ndim == 2 and got.shape == want.shape[:1]:
        return f"{text}: did you forget keepdims=True (or a reshape to a column)?"
    if want.ndim == 0 and got.size == 1:
        return f"{text}: did you forget np.squeeze?"
    return text


def _fmt(x) -> str:
    return (
        np.format_float_positional(x, precision=8, unique=True, trim="-")
        if np.isfinite(x)
        else str(x)
    )


def _close(a, b) -> np.ndarray:
    return np.isclose(a, b, rtol=1e-6, atol=1e-9, equal_nan=True)


def _value_problem(name: str, got, want, m: int | None) -> str | None:
    try:
        g = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return f"{name} should be an array of numbers, got {type(got).__name__}"
    w = np.asarray(want, dtype=float)
    if g.shape != w.shape:
        return _shape_problem(name, g, w)
    ok = _close(g, w)
    if ok.all():
        return None
    nonzero = (w != 0) & np.isfinite(w) & np.isfinite(g)
    if nonzero.any():
        ratio = g[nonzero] / w[nonzero]
        if np.allclose(ratio, ratio.flat[0], rtol=1e-6):
            k = float(ratio.flat[0])
            if m and np.isclose(k, m):
                return f"{name} is off by exactly a factor m = {m}: did you forget the 1/m?"
            if m and np.isclose(k, 1 / m):
                return f"{name} is off by exactly a factor 1/m = 1/{m}: did you divide by m twice?"
            if np.isclose(k, -1):
                return f"{name} has the wrong sign everywhere"
    index = tuple(int(i) for i in np.argwhere(~ok)[0]) if g.ndim else ()
    where = f"{name}[{', '.join(map(str, index))}]" if index else name
    return (
        f"{name} has wrong values: first difference at {where}: "
        f"got {_fmt(g[index])}, expected {_fmt(w[index])}"
    )


def _equal(a, b) -> bool:
    """Same structure and values (for spotting a reordered cache or a known mistake)."""
    if isinstance(b, dict):
        return isinstance(a, dict) and a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in b)
    if isinstance(b, (tuple, list)):
        return (
            isinstance(a, (tuple, list))
            and len(a) == len(b)
            and all(_equal(x, y) for x, y in zip(a, b, strict=True))
        )
    if isinstance(b, str) or b is None:
        return type(a) is type(b) and a == b
    try:
        g, w = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return False
    return g.shape == w.shape and bool(_close(g, w).all())


def _compare(got, want, spec: N, where: str, m: int | None) -> list[str]:
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
                problems += _compare(got[key], want[key], N(label), label, m)
        return problems
    if isinstance(want, (tuple, list)):
        kind = "tuple" if isinstance(want, tuple) else "list"
        if not isinstance(got, (tuple, list)):
            return [f"{name} should be a {kind} of {len(want)}, got {type(got).__name__}"]
        parts = [_n(p) for p in spec.parts] or [
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
            problems += _compare(g, w, part, part.name, m)
        return problems
    problem = _value_problem(name, got, want, m)
    return [problem] if problem else []


def _reordering(got, want) -> list[int] | None:
    """For each position of ``got``, the position of ``want`` it equals, if ``got`` is a
    proper permutation of ``want``; else None."""
    if len(want) < 2 or _equal(got, want):
        return None
    for order in itertools.permutations(range(len(want))):
        if any(i != j for i, j in enumerate(order)) and all(
            _equal(got[i], want[j]) for i, j in enumerate(order)
        ):
            return list(order)
        if len(want) > 6:
            return None
    return None


# --------------------------------------------------------------------------- running
class _Timeout(BaseException):
    """Raised in the learner's code when its time is up (a BaseException, so a bare
    ``except Exception`` in the learner's code does not swallow it)."""


@dataclass
class _Outcome:
    value: object = None
    error: BaseException | None = None
    timed_out: bool = False


def _call(fn: Callable, args: tuple, timeout: float) -> _Outcome:
    """Run ``fn(*args)``, giving up after ``timeout`` seconds.

    On the main thread a SIGALRM timer interrupts a runaway loop; elsewhere the call runs
    in a daemon thread, which is sent an asynchronous ``_Timeout`` when it does not finish
    (that stops a Python loop; a single long NumPy call ends on its own).
    """
    use_alarm = (
        hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    )
    if use_alarm:

        def expire(signum, frame):
            raise _Timeout

        previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, timeout)
        try:
            return _Outcome(value=fn(*args))
        except _Timeout:
            return _Outcome(timed_out=True)
        except (Exception, SystemExit) as exc:  # the learner's own error
            return _Outcome(error=exc)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    box = _Outcome(timed_out=True)

    def run() -> None:
        try:
            box.value, box.timed_out = fn(*args), False
        except (Exception, SystemExit) as exc:
            box.error, box.timed_out = exc, False
        except _Timeout:
            pass

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():  # stop a runaway Python loop rather than let it burn on
        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(worker.ident), ctypes.py_object(_Timeout)
        )
    return box


def _last_frame(exc: BaseException, learner_file: str | None) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if learner_file and Path(f.filename).resolve() == Path(learner_file)]
    frame = (mine or frames or [None])[-1]
    message = f"{type(exc).__name__}: {exc}".rstrip(": ")
    if frame is None:
        return message
    line = f" `{frame.line.strip()}`" if frame.line else ""
    return f"{message} (at {Path(frame.filename).name}:{frame.lineno} in {frame.name}{line})"


@dataclass
class Result:
    """The grade of one function: ``status`` is PASS or FAIL; ``problems`` says why."""

    function: str
    status: str
    problems: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        if not self.problems:
            return [f"{self.status} {self.function}"]
        first, *rest = self.problems
        return [f"{self.status} {self.function}: {first}", *(f"    {p}" for p in rest)]


@dataclass
class Report:
    """Everything ``check`` found: the module graded, one result per function."""

    module: str
    results: list[Result]
    missing: list[str]

    @property
    def passed(self) -> bool:
        return bool(self.results) and all(r.status == "PASS" for r in self.results)

    @property
    def exit_code(self) -> int:
        return EXIT_PASS if self.passed else EXIT_FAIL

    def lines(self) -> list[str]:
        out = [f"checking against layerwise.course.{self.module}"]
        for r in self.results:
            out += r.lines()
        if self.missing:
            out.append(f"not defined, not graded: {', '.join(self.missing)}")
        n = sum(r.status == "PASS" for r in self.results)
        out.append(f"{n}/{len(self.results)} passed")
        return out


def _grade(
    fn: Callable, ref: Callable, cases: list[Case], timeout: float, file: str | None
) -> list[str]:
    for case in cases:
        tag = f" [{case.label}]" if case.label else ""
        args = case.inputs()
        pristine = copy.deepcopy(args)
        np.random.seed(case.seed)
        want = ref(*copy.deepcopy(args))
        want_state = np.random.get_state()
        given = copy.deepcopy(args)
        np.random.seed(case.seed)
        outcome = _call(fn, given, timeout)
        if outcome.timed_out:
            return [f"timed out after {timeout:g} s{tag}: an endless loop?"]
        if outcome.error is not None:
            return [f"raised {_last_frame(outcome.error, file)}{tag}"]
        got = outcome.value
        problems = []
        for description, wrong in case.mistakes:
            if _equal(got, wrong(*copy.deepcopy(args))):
                problems.append(description)
        problems += _compare(got, want, _n(case.output), "", case.m)
        if not case.may_mutate and not _equal(given, pristine):
            changed = [
                i for i, (g, p) in enumerate(zip(given, pristine, strict=True)) if not _equal(g, p)
            ]
            problems.append(
                f"it changed its input (argument {', '.join(str(i + 1) for i in changed)}): "
                "work on a copy (copy.deepcopy, or compute new arrays instead of -= / [...] =)"
            )
        if not problems and not _same_state(np.random.get_state(), want_state):
            problems.append(
                "the values are right but the global random generator ends elsewhere: "
                "draw exactly the course's randn calls, in order, after np.random.seed"
            )
        if problems:
            shown = [p + tag for p in problems[:MAX_PROBLEMS]]
            if len(problems) > MAX_PROBLEMS:
                shown.append(f"... and {len(problems) - MAX_PROBLEMS} more problems")
            return shown
    return []


def _same_state(a, b) -> bool:
    return a[0] == b[0] and a[2] == b[2] and np.array_equal(a[1], b[1])


def _load(path_or_module) -> tuple[ModuleType, str | None]:
    if isinstance(path_or_module, ModuleType):
        return path_or_module, getattr(path_or_module, "__file__", None)
    path = Path(path_or_module)
    if not path.is_file():
        raise CheckInputError(f"no such file: {path}")
    if path.suffix != ".py":
        raise CheckInputError(f"{path} is not a Python file (.py)")
    path = path.resolve()
    package = Path(__file__).resolve().parents[1]
    if path.is_relative_to(package):  # a file of layerwise itself: import it as such
        dotted = ".".join(("layerwise", *path.relative_to(package).with_suffix("").parts))
        return importlib.import_module(dotted), str(path)
    name = f"_layerwise_learner_{abs(hash(str(path)))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise CheckInputError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    return module, str(path)


def check(
    path_or_module, module: str | None = None, *, timeout: float = 5.0, out=None, quiet=False
) -> Report:
    """Grade a learner's file (or module object) against ``layerwise.course.<module>``.

    ``module`` picks the course module; by default the one whose names the file defines
    most. Prints the report to ``out`` (stdout) unless ``quiet``, and returns it. Raises
    ``CheckInputError`` for a missing or non-Python file, an unknown module or no course names.
    """
    if not timeout > 0:
        raise CheckInputError(f"the timeout must be a positive number of seconds, got {timeout}")
    if module is not None and module not in MODULES:
        raise CheckInputError(f"unknown module {module!r}; expected one of {', '.join(MODULES)}")
    learner, file = _load(path_or_module)
    out = sys.stdout if out is None else out
    if isinstance(path_or_module, ModuleType) or learner.__name__.startswith("layerwise."):
        loaded = _Outcome()
    else:
        loaded = _call(learner.__spec__.loader.exec_module, (learner,), timeout)
    if loaded.timed_out or loaded.error is not None:
        why = (
            f"timed out after {timeout:g} s"
            if loaded.timed_out
            else f"raised {_last_frame(loaded.error, file)}"
        )
        report = Report(module or "?", [Result("(importing the file)", "FAIL", [why])], [])
        if not quiet:
            print("\n".join(report.lines()), file=out)
        return report
    defined = {n for n in dir(learner) if callable(getattr(learner, n, None))}

    def names(key: str) -> list[str]:
        return list(dict.fromkeys(c.function for c in MODULES[key][1]()))

    if module is None:
        scores = {key: len(defined & set(names(key))) for key in MODULES}
        module = max(MODULES, key=lambda key: scores[key])
        if scores[module] == 0:
            raise CheckInputError(
                f"{file or learner.__name__} defines none of the course's functions "
                f"({', '.join(MODULES)} modules)"
            )
    reference, make_cases = MODULES[module]
    cases = make_cases()
    if not defined & {c.function for c in cases}:
        raise CheckInputError(
            f"{file or learner.__name__} defines none of the functions of {module}"
        )
    state = np.random.get_state()
    results, missing = [], []
    try:
        for function in dict.fromkeys(c.function for c in cases):
            if function not in defined:
                missing.append(function)
                continue
            mine = [c for c in cases if c.function == function]
            problems = _grade(
                getattr(learner, function), getattr(reference, function), mine, timeout, file
            )
            results.append(Result(function, "FAIL" if problems else "PASS", problems))
    finally:
        np.random.set_state(state)
    report = Report(module, results, missing)
    if not quiet:
        print("\n".join(report.lines()), file=out)
    return report


def main(path: str, module: str | None = None, timeout: float = 5.0) -> int:
    """The ``layerwise check`` command: 0 when every function passes, 1 otherwise, 2 for
    bad input."""
    try:
        report = check(path, module, timeout=timeout)
    except CheckInputError as exc:
        print(f"layerwise: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    sys.stdout.flush()
    return report.exit_code
