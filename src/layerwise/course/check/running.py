"""Run one of the learner's functions: a timeout, its own exceptions caught, its prints
kept out of the report, and the learner's last frame for an error."""

from __future__ import annotations

import contextlib
import ctypes
import io
import signal
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Outcome", "call", "last_frame", "quietly"]


def quietly(fn: Callable, *args):
    """``fn(*args)`` with whatever it prints thrown away (course functions print accuracies)."""
    with contextlib.redirect_stdout(io.StringIO()):
        return fn(*args)


class _Timeout(BaseException):
    """Raised in the learner's code when its time is up (a BaseException, so a bare
    ``except Exception`` in the learner's code does not swallow it)."""


@dataclass
class Outcome:
    value: object = None
    error: BaseException | None = None
    timed_out: bool = False


def _call_loud(fn: Callable, args: tuple, timeout: float) -> Outcome:
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
            return Outcome(value=fn(*args))
        except _Timeout:
            return Outcome(timed_out=True)
        except (Exception, SystemExit) as exc:  # the learner's own error
            return Outcome(error=exc)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    box = Outcome(timed_out=True)

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


def last_frame(exc: BaseException, learner_file: str | None) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    mine = [f for f in frames if learner_file and Path(f.filename).resolve() == Path(learner_file)]
    frame = (mine or frames or [None])[-1]
    message = f"{type(exc).__name__}: {exc}".rstrip(": ")
    if frame is None:
        return message
    line = f" `{frame.line.strip()}`" if frame.line else ""
    return f"{message} (at {Path(frame.filename).name}:{frame.lineno} in {frame.name}{line})"


def call(fn: Callable, args: tuple, timeout: float) -> Outcome:
    """``fn(*args)`` under a timeout of ``timeout`` seconds, its prints thrown away."""
    return quietly(_call_loud, fn, args, timeout)
