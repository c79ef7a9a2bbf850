"""The grading core: load the learner's file, pick the course module, run every case of
every function the file defines, and gather one PASS/FAIL line per function."""

from __future__ import annotations

import copy
import importlib
import importlib.util
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import numpy as np

from .cases import MODULES
from .diagnosis import compare, equal
from .running import call, last_frame, quietly
from .spec import Case, as_name

__all__ = ["CheckInputError", "Report", "Result", "check", "main"]

EXIT_PASS, EXIT_FAIL, EXIT_BAD_INPUT = 0, 1, 2
MAX_PROBLEMS = 4  # lines of diagnosis shown per function
DIAGNOSIS_ERRORS = (TypeError, ValueError, KeyError, IndexError, AttributeError)


class CheckInputError(Exception):
    """The file or module cannot be graded at all (missing, not Python, no course names)."""


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


def _problems(case: Case, args: tuple, got, want) -> list[str]:
    """What is wrong with ``got``: known mistakes, the case's own diagnosis, then the
    comparison with ``want``."""
    problems = []
    for description, wrong in case.mistakes:
        np.random.seed(case.seed)
        if equal(got, quietly(wrong, *copy.deepcopy(args))):
            problems.append(description)
    differences = compare(got, want, as_name(case.output), "", case.m)
    if differences and case.diagnose is not None:
        try:
            problems += case.diagnose(got, copy.deepcopy(args), case)
        except DIAGNOSIS_ERRORS:  # an output too far off for the diagnosis to read
            pass
    return problems + differences


def _grade_case(fn: Callable, ref: Callable, case: Case, timeout: float, file: str | None):
    """The problems of one call of the learner's ``fn`` against the reference ``ref``."""
    args = case.inputs()
    pristine = copy.deepcopy(args)
    np.random.seed(case.seed)
    want = quietly(ref, *copy.deepcopy(args))
    want_state = np.random.get_state()
    given = copy.deepcopy(args)
    np.random.seed(case.seed)
    outcome = call(fn, given, timeout)
    got_state = np.random.get_state()
    if outcome.timed_out:
        return [f"timed out after {timeout:g} s: an endless loop?"]
    if outcome.error is not None:
        return [f"raised {last_frame(outcome.error, file)}"]
    problems = _problems(case, args, outcome.value, want)
    if not case.may_mutate and not equal(given, pristine):
        changed = [
            i for i, (g, p) in enumerate(zip(given, pristine, strict=True)) if not equal(g, p)
        ]
        problems.append(
            f"it changed its input (argument {', '.join(str(i + 1) for i in changed)}): "
            "work on a copy (copy.deepcopy, or compute new arrays instead of -= / [...] =)"
        )
    if not problems and not _same_state(got_state, want_state):
        problems.append(
            "the values are right but the global random generator ends elsewhere: "
            "draw exactly the course's randn calls, in order, after np.random.seed"
        )
    return problems


def _grade(
    fn: Callable, ref: Callable, cases: list[Case], timeout: float, file: str | None
) -> list[str]:
    """The problems of the first case the learner's ``fn`` fails, at most MAX_PROBLEMS lines."""
    for case in cases:
        problems = _grade_case(fn, ref, case, timeout, file)
        if problems:
            tag = f" [{case.label}]" if case.label else ""
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
    package = Path(__file__).resolve().parents[2]
    if path.is_relative_to(package):  # a file of layerwise itself: import it as such
        dotted = ".".join(("layerwise", *path.relative_to(package).with_suffix("").parts))
        return importlib.import_module(dotted), str(path)
    name = f"_layerwise_learner_{abs(hash(str(path)))}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise CheckInputError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    return module, str(path)


def _defined(learner: ModuleType) -> set[str]:
    return {n for n in dir(learner) if callable(getattr(learner, n, None))}


def _scores(defined: set[str]) -> dict[str, tuple[int, int]]:
    """Per module: how many of the names only it has the file defines, then how many of
    all its names."""
    names = {key: {c.function for c in make()} for key, (_, make) in MODULES.items()}
    scores = {}
    for key in MODULES:
        others = set().union(*(n for k, n in names.items() if k != key))
        scores[key] = len(defined & (names[key] - others)), len(defined & names[key])
    return scores


def _pick_module(defined: set[str], module: str | None, label: str) -> str:
    """``module``, or the module whose names the file defines most (the first wins a tie).

    CheckInputError when the file defines none of them, or when ``module`` shares with it
    only helpers that a better-matching module has too (a file of another assignment)."""
    scores = _scores(defined)
    best = max(MODULES, key=scores.__getitem__)
    if not scores[best][1]:
        raise CheckInputError(
            f"{label} defines none of the course's functions ({', '.join(MODULES)} modules)"
        )
    if module is None:
        return best
    if not scores[module][1] or (not scores[module][0] and scores[module][1] < scores[best][1]):
        raise CheckInputError(
            f"{label} defines none of the functions of {module} (it looks like {best})"
        )
    return module


def _grade_module(learner: ModuleType, module: str, timeout: float, file: str | None) -> Report:
    """Every function of ``module`` the learner defines, graded; the others listed."""
    defined = _defined(learner)
    reference, make_cases = MODULES[module]
    cases = make_cases()
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
    return Report(module, results, missing)


def _run_file(learner: ModuleType, given, timeout: float, file: str | None) -> str | None:
    """Execute the learner's file (not a module object, not layerwise's own); why it
    failed, or None."""
    if isinstance(given, ModuleType) or learner.__name__.startswith("layerwise."):
        return None
    loaded = call(learner.__spec__.loader.exec_module, (learner,), timeout)
    if loaded.timed_out:
        return f"timed out after {timeout:g} s"
    return f"raised {last_frame(loaded.error, file)}" if loaded.error is not None else None


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
    failed = _run_file(learner, path_or_module, timeout, file)
    if failed is not None:
        report = Report(module or "?", [Result("(importing the file)", "FAIL", [failed])], [])
    else:
        module = _pick_module(_defined(learner), module, file or learner.__name__)
        report = _grade_module(learner, module, timeout, file)
    if not quiet:
        print("\n".join(report.lines()), file=sys.stdout if out is None else out)
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
