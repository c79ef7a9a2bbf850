"""The one engine behind every search: an Optuna study (the ``tune`` extra).

Optuna does the sampling (grid, random, TPE, GP), the pruning (median, Hyperband), the
storage (a journal file, or any database URL it takes), trial numbering and, on a
database, the heartbeats that fail a dead worker's trial. This module only chooses
them, runs workers on one study until it holds the requested number of finished
(complete or pruned) trials, and says plainly what is missing or wrong.

Two things Optuna leaves to its user are done here:

- **The count across workers.** Each worker runs one trial at a time
  (``study.optimize(n_trials=1)``, so Optuna still does the heartbeat, the tell and the
  bookkeeping) and, before each, counts the finished trials plus those running
  elsewhere: a worker starts a trial only while that sum is short of the target, and
  waits while trials running elsewhere may still fill it. The count and the new
  trial's creation are made under one lock (a file lock beside a journal, an advisory
  lock on PostgreSQL), so the study ends with exactly the requested count.
- **Dead workers on a journal file.** Optuna's heartbeat needs a database; a journal
  file has none. Each trial records its worker (host, pid and the process's start
  time); a running trial whose worker on this host is gone is marked failed, as a
  heartbeat would.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import multiprocessing
import os
import socket
import sys
import time
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ConfigError, LayerwiseError
from .spaces import Dimension, check_count

SAMPLERS = ("tpe", "gp", "random", "grid")
PRUNERS = ("median", "hyperband", "none")
#: the user attribute holding "host:pid:start" of the worker that runs a trial
WORKER_ATTR = "worker"
#: the user attribute saying why a trial failed or was pruned
NOTE_ATTR = "note"
#: seconds between a worker's looks at the study while others finish the last trials
POLL_SECONDS = 0.5
#: a worker gives up after this many failed trials in a row (a bug, not bad luck)
MAX_FAILURES_IN_A_ROW = 10
GP_INSTALL = "pip install torch==2.13.0 scipy"

Objective = Callable[[dict, Callable[..., None]], "float | Mapping[str, Any]"]


# ---------------------------------------------------------------------------- Optuna
def require_optuna(what: str = "hyper-parameter search"):
    """The optuna module, or a ConfigError saying how to install it."""
    try:
        import optuna  # noqa: PLC0415 - optional tune extra
    except ImportError:
        raise ConfigError(f"{what} needs Optuna: pip install 'layerwise[tune]'") from None
    return optuna


@contextlib.contextmanager
def quiet_optuna():
    """Optuna's per-trial log lines and experimental-feature warnings silenced (the
    search prints its own progress); restored afterwards."""
    optuna = require_optuna()
    level = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            yield optuna
    finally:
        optuna.logging.set_verbosity(level)


def check_sampler(name: str) -> str:
    """``name`` if it is a sampler this machine can run. GP needs PyTorch and SciPy:
    checked here, before any trial, rather than when GPSampler first fits its model
    (after its ten random start-up trials)."""
    if name not in SAMPLERS:
        raise ConfigError(f"sampler must be one of {', '.join(SAMPLERS)}, got {name!r}")
    if name == "gp":
        missing = []
        for module in ("torch", "scipy"):
            try:
                __import__(module)
            except ImportError:
                missing.append({"torch": "PyTorch", "scipy": "SciPy"}[module])
        if missing:
            raise ConfigError(
                f"the gp sampler (Optuna's GPSampler) needs {' and '.join(missing)}, not "
                f"installed here: {GP_INSTALL} (or pick --sampler tpe)"
            )
    return name


def check_pruner(pruner) -> Any:
    if isinstance(pruner, str) or pruner is None:
        name = "none" if pruner is None else pruner
        if name not in PRUNERS:
            raise ConfigError(f"pruner must be one of {', '.join(PRUNERS)}, got {pruner!r}")
        return name
    optuna = require_optuna()
    if not isinstance(pruner, optuna.pruners.BasePruner):
        raise ConfigError(f"pruner must be a name ({', '.join(PRUNERS)}) or an Optuna pruner")
    return pruner


def make_pruner(pruner):
    """Optuna's pruner: "median" stops a trial whose dev metric is worse than the median
    of earlier trials at the same epoch (after 5 trials and 10 epochs); "hyperband" runs
    successive halving brackets; "none" never prunes."""
    optuna = require_optuna()
    if not isinstance(pruner, str):
        return pruner
    if pruner == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=5, n_warmup_steps=10)
    if pruner == "hyperband":
        return optuna.pruners.HyperbandPruner(min_resource=1, reduction_factor=3)
    return optuna.pruners.NopPruner()


def grid_space(dims: Mapping[str, Dimension], k: int) -> dict[str, list]:
    """GridSampler's search space: each Optuna parameter's grid values."""
    return {dim.key(name): dim.grid_values(k) for name, dim in dims.items()}


def make_sampler(name: str, seed: int | None, dims, points_per_axis: int, parallel: bool):
    optuna = require_optuna()
    samplers = optuna.samplers
    if name == "grid":
        return samplers.GridSampler(grid_space(dims, points_per_axis), seed=seed)
    if name == "random":
        return samplers.RandomSampler(seed=seed)
    if name == "gp":
        return samplers.GPSampler(seed=seed)
    # constant_liar: a trial still running elsewhere counts as a poor one, so parallel
    # workers do not all propose the same point
    return samplers.TPESampler(seed=seed, constant_liar=parallel)


def worker_seed(seed: int | None, worker: int, trials_before: int) -> int | None:
    """A sampler seed for one worker: distinct per worker and per resumption (a resumed
    random sampler would otherwise propose the first trials again), fixed by ``seed``."""
    if seed is None:
        return None
    state = np.random.SeedSequence([int(seed), worker, trials_before]).generate_state(1)
    return int(state[0])


# ---------------------------------------------------------------------------- storage
def _redacted(url: str) -> str:
    try:
        from sqlalchemy.engine import make_url  # noqa: PLC0415 - comes with Optuna

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - only for an error message
        return url.split("@")[-1]


def is_url(storage) -> bool:
    return isinstance(storage, str) and "://" in storage


def check_storage(storage, workers: int) -> None:
    """Refuse what cannot work before anything starts."""
    if isinstance(storage, str) and storage.startswith("sqlite:") and workers > 1:
        raise ConfigError(
            "--storage sqlite: cannot be shared by parallel workers (SQLite locks the whole "
            "file); use the default journal file or postgresql+psycopg2://..."
        )
    if storage is not None and not isinstance(storage, (str, os.PathLike)):
        optuna = require_optuna()
        if not isinstance(storage, optuna.storages.BaseStorage):
            raise ConfigError(
                f"storage must be a URL, a journal file path or None, got {storage!r}"
            )
        if workers > 1:
            raise ConfigError("workers > 1 needs storage as a URL or a journal file path")


def open_storage(storage, heartbeat: float | None = 10):
    """An Optuna storage: None → in memory; a URL ("postgresql+psycopg2://...",
    "mysql://...", "sqlite:///...") → RDBStorage with heartbeats every ``heartbeat``
    seconds (a trial silent for twice that is failed); anything else → a journal file
    at that path (created with its folder)."""
    optuna = require_optuna()
    if storage is None or isinstance(storage, optuna.storages.BaseStorage):
        return storage
    if is_url(storage):
        return _rdb(optuna, storage, heartbeat)
    path = Path(storage)
    path.parent.mkdir(parents=True, exist_ok=True)
    journal = optuna.storages.journal
    backend = getattr(journal, "JournalFileBackend", None)  # Optuna >= 4
    if backend is None:  # pragma: no cover - Optuna 3.x
        backend = optuna.storages.JournalFileStorage
    try:
        return optuna.storages.JournalStorage(backend(str(path)))
    except OSError as exc:
        raise ConfigError(f"cannot open the journal file {path}: {exc.strerror or exc}") from None


def _rdb(optuna, url: str, heartbeat: float | None):
    interval = None if heartbeat is None else max(1, int(math.ceil(heartbeat)))
    kwargs = {}
    if interval is not None:
        kwargs = {"heartbeat_interval": interval, "grace_period": 2 * interval}
    try:
        return optuna.storages.RDBStorage(url, **kwargs)
    except ImportError as exc:  # the database's driver
        raise ConfigError(
            f"cannot open --storage {_redacted(url)}: {exc} (pip install 'layerwise[tune]' "
            "brings psycopg2 for PostgreSQL)"
        ) from None
    except Exception as exc:  # noqa: BLE001 - SQLAlchemy's errors, reported in one line
        orig = getattr(exc, "orig", None) or exc
        first = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
        raise ConfigError(f"cannot open --storage {_redacted(url)}: {first}") from None


def heartbeat_storage(storage) -> bool:
    optuna = require_optuna()
    base = getattr(storage, "_backend", storage)  # _CachedStorage wraps an RDBStorage
    return isinstance(base, optuna.storages.RDBStorage) and base.heartbeat_interval is not None


# ---------------------------------------------------------------------------- workers
def _start_ticks(pid: int) -> str:
    """The process's start time in clock ticks (Linux), telling a reused pid apart."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            stat = fh.read().decode("ascii", "replace")
        return stat[stat.rindex(")") + 2 :].split()[19]
    except (OSError, ValueError, IndexError):
        return ""


def worker_id() -> str:
    pid = os.getpid()
    return f"{socket.gethostname()}:{pid}:{_start_ticks(pid)}"


def _worker_gone(worker: str) -> bool:
    """Whether ``worker`` ("host:pid:start") ran on this host and is gone."""
    parts = worker.rsplit(":", 2)
    if len(parts) != 3 or parts[0] != socket.gethostname() or not parts[1].isdigit():
        return False
    pid, start = int(parts[1]), parts[2]
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return bool(start) and _start_ticks(pid) not in ("", start)


def fail_dead_trials(study, storage) -> list[int]:
    """Mark failed the running trials whose worker is gone: on a database, Optuna's
    heartbeat check (``fail_stale_trials``); on a journal file, a worker of this host
    whose process has ended (or a trial never claimed by a worker for a minute)."""
    optuna = require_optuna()
    TrialState = optuna.trial.TrialState
    if heartbeat_storage(storage):
        before = {t.number for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))}
        optuna.storages.fail_stale_trials(study)
        after = {t.number for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))}
        return sorted(before - after)
    if storage is None or not isinstance(storage, optuna.storages.JournalStorage):
        return []
    failed = []
    now = time.time()
    for t in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        worker = t.user_attrs.get(WORKER_ATTR)
        if worker is None:
            started = t.datetime_start.timestamp() if t.datetime_start else now
            dead = now - started > 60
            why = "its worker never claimed it"
        else:
            dead = _worker_gone(worker)
            why = f"its worker ({worker.rsplit(':', 1)[0]}) died"
        if not dead:
            continue
        try:
            storage.set_trial_user_attr(t._trial_id, NOTE_ATTR, why)
            if storage.set_trial_state_values(t._trial_id, state=TrialState.FAIL):
                failed.append(t.number)
        except optuna.exceptions.UpdateFinishedTrialError:
            pass  # another worker got there first
    return failed


class _Ticket:
    """A lock held from "is another trial needed?" until that trial exists in the study,
    shared by every worker of the study (see the module docstring). Reentrant-safe:
    ``release`` does nothing when not held."""

    def acquire(self) -> None: ...

    def release(self) -> None: ...

    def close(self) -> None:
        self.release()


class _FileTicket(_Ticket):
    def __init__(self, path: Path) -> None:
        self.path, self.fd = path, None

    def acquire(self) -> None:
        import fcntl  # noqa: PLC0415 - POSIX only; see ticket_for

        fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o666)
        fcntl.flock(fd, fcntl.LOCK_EX)
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            fd, self.fd = self.fd, None
            os.close(fd)  # closing drops the flock


class _PostgresTicket(_Ticket):
    def __init__(self, engine, study_name: str) -> None:
        digest = hashlib.blake2b(f"layerwise:{study_name}".encode(), digest_size=8).digest()
        self.engine, self.key, self.conn = engine, int.from_bytes(digest, "big", signed=True), None

    def acquire(self) -> None:
        from sqlalchemy import text  # noqa: PLC0415 - comes with Optuna

        conn = self.engine.connect()
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": self.key})
        conn.commit()
        self.conn = conn

    def release(self) -> None:
        if self.conn is not None:
            from sqlalchemy import text  # noqa: PLC0415 - comes with Optuna

            conn, self.conn = self.conn, None
            try:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
                conn.commit()
            finally:
                conn.close()


def ticket_for(storage, journal_path: Path | None, study_name: str) -> _Ticket:
    """The lock for this storage: a file lock beside a journal file, an advisory lock on
    PostgreSQL; none otherwise (in memory and SQLite have one worker; on another
    database two workers finishing at the same instant may overshoot by one)."""
    if journal_path is not None and os.name == "posix":
        return _FileTicket(journal_path.parent / f".{journal_path.name}.tickets")
    optuna = require_optuna()
    base = getattr(storage, "_backend", storage)
    if isinstance(base, optuna.storages.RDBStorage) and base.engine.dialect.name == "postgresql":
        return _PostgresTicket(base.engine, study_name)
    return _Ticket()


# ---------------------------------------------------------------------------- one worker
def one_blas_thread():
    """One BLAS thread per worker while it trains (when threadpoolctl is there): these
    networks' matrix products are small, the parallelism is the workers', and under CPU
    contention multithreaded small products slow down many times (docs/architecture.md)."""
    try:
        from threadpoolctl import threadpool_limits  # noqa: PLC0415 - optional
    except ImportError:  # pragma: no cover - comes with scikit-learn and the tune extra
        return contextlib.nullcontext()
    return threadpool_limits(limits=1)


@dataclass
class Plan:
    """Everything a worker needs, picklable so a spawned process can run it."""

    objective: Objective
    dims: dict[str, Dimension]
    study_name: str
    storage: Any  # None, a URL, or a journal file path (str)
    target: int
    sampler: str = "tpe"
    pruner: Any = "median"
    seed: int | None = 0
    points_per_axis: int = 3
    deadline: float | None = None
    heartbeat: float | None = 10
    parallel: bool = False
    metric: str = "value"
    parent_pid: int | None = None
    extra: dict = field(default_factory=dict)

    @property
    def journal_path(self) -> Path | None:
        if (
            self.storage is None
            or is_url(self.storage)
            or not isinstance(self.storage, (str, os.PathLike))
        ):
            return None
        return Path(self.storage)


class _Reporter:
    """``report(value, step, **metrics)``: the objective's dev metric at one step (an
    epoch); Optuna's pruner may then stop the trial (``optuna.TrialPruned``), which is
    recorded with the metrics of that step."""

    def __init__(self, trial, optuna) -> None:
        self.trial, self.optuna, self.start = trial, optuna, time.perf_counter()

    def __call__(self, value: float, step: int, **metrics) -> None:
        if not math.isfinite(value):
            return
        self.trial.report(float(value), int(step))
        if self.trial.should_prune():
            for k, v in {**metrics, "epochs": int(step) + 1}.items():
                self.trial.set_user_attr(k, _plain(v))
            self.trial.set_user_attr("seconds", time.perf_counter() - self.start)
            self.trial.set_user_attr(NOTE_ATTR, f"pruned after epoch {int(step) + 1}")
            raise self.optuna.TrialPruned(f"pruned at step {step}")


def _plain(v):
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    return v


def study_counts(study) -> tuple[int, int]:
    """(finished: complete or pruned, running) trials of the study."""
    optuna = require_optuna()
    S = optuna.trial.TrialState
    trials = study.get_trials(deepcopy=False, states=(S.COMPLETE, S.PRUNED, S.RUNNING))
    running = sum(t.state == S.RUNNING for t in trials)
    return len(trials) - running, running


def load_study(plan: Plan, storage, worker: int):
    optuna = require_optuna()
    trials_before = len(optuna.load_study(study_name=plan.study_name, storage=storage).trials)
    sampler = make_sampler(
        plan.sampler,
        worker_seed(plan.seed, worker, trials_before),
        plan.dims,
        plan.points_per_axis,
        plan.parallel,
    )
    return optuna.load_study(
        study_name=plan.study_name,
        storage=storage,
        sampler=sampler,
        pruner=make_pruner(plan.pruner),
    )


def run_worker(
    plan: Plan,
    worker: int = 0,
    *,
    storage=None,
    on_trial: Callable[[Any], None] | None = None,
) -> int:
    """Run trials of the study until it holds ``plan.target`` finished ones (or the
    deadline passes, or the grid is done); returns how many this worker ran.
    ``storage``: an already open storage (in-process runs; an in-memory one).
    ``on_trial(study)`` is called after each trial (progress)."""
    with quiet_optuna() as optuna, one_blas_thread():
        storage = open_storage(plan.storage, plan.heartbeat) if storage is None else storage
        study = load_study(plan, storage, worker)
        ticket = ticket_for(storage, plan.journal_path, plan.study_name)
        trial_objective = _TrialObjective(plan, ticket, worker_id(), optuna)
        try:
            return _trial_loop(plan, study, storage, ticket, trial_objective, on_trial)
        finally:
            ticket.close()


class _TrialObjective:
    """Optuna's objective for one trial of a worker: lets other workers count the new
    trial, records who runs it, asks the sampler for the params, runs the plan's
    objective (its metrics become user attributes) and returns the score."""

    def __init__(self, plan: Plan, ticket: _Ticket, me: str, optuna) -> None:
        self.plan, self.ticket, self.me, self.optuna = plan, ticket, me, optuna

    def __call__(self, trial) -> float:
        self.ticket.release()  # the trial exists now: other workers may count it
        trial.set_user_attr(WORKER_ATTR, self.me)
        params = {name: dim.suggest(trial, name) for name, dim in self.plan.dims.items()}
        reporter = _Reporter(trial, self.optuna)
        result = self.plan.objective(params, reporter)
        seconds = time.perf_counter() - reporter.start
        if isinstance(result, Mapping):
            for k, v in result.items():
                trial.set_user_attr(k, _plain(v))
            value = result.get(self.plan.metric, result.get("value"))
            if value is None:
                raise ConfigError(f"the objective's result has no {self.plan.metric!r}: {result!r}")
        else:
            value = result
        trial.set_user_attr("seconds", seconds)
        return float(value)


def _should_stop(plan: Plan) -> bool:
    """The deadline has passed, or the command that started this worker is gone."""
    if plan.deadline is not None and time.time() >= plan.deadline:
        return True
    return plan.parent_pid is not None and os.getppid() != plan.parent_pid


def _trial_loop(plan: Plan, study, storage, ticket: _Ticket, trial_objective, on_trial) -> int:
    """One trial at a time while the study's finished and running trials are short of
    the target (counted under ``ticket``; see the module docstring); how many ran."""
    heartbeat = heartbeat_storage(storage)
    ran = failures = 0
    check_dead = True  # Optuna's optimize fails stale trials itself before each trial
    finished_states: list = []

    def record(study, frozen) -> None:
        finished_states.append(frozen)

    while not _should_stop(plan):
        if check_dead or not heartbeat:
            fail_dead_trials(study, storage)
        ticket.acquire()
        finished, running = study_counts(study)
        if finished >= plan.target or _grid_done(study):
            break
        if finished + running >= plan.target:
            ticket.release()  # the last trials run elsewhere: see whether they finish
            check_dead = True
            time.sleep(POLL_SECONDS)
            continue
        check_dead = False
        study.optimize(trial_objective, n_trials=1, catch=(), callbacks=[record])
        ticket.release()
        ran += 1
        failures = _failures_in_a_row(finished_states[-1], failures)
        if on_trial is not None:
            on_trial(study)
    return ran


def _grid_done(study) -> bool:
    sampler = study.sampler
    optuna = require_optuna()
    return isinstance(sampler, optuna.samplers.GridSampler) and sampler.is_exhausted(study)


def _failures_in_a_row(last, failures: int) -> int:
    optuna = require_optuna()
    if last.state != optuna.trial.TrialState.FAIL:
        return 0
    failures += 1
    if failures >= MAX_FAILURES_IN_A_ROW:
        raise ConfigError(
            f"{failures} trials in a row failed (the last: trial {last.number}, "
            f"{last.user_attrs.get(NOTE_ATTR, 'no score')}); check the space's ranges"
        )
    return failures


# ---------------------------------------------------------------------------- many workers
def _worker_main(plan: Plan, worker: int, errors) -> None:
    """A spawned worker process: run, report an error in one line, exit 2 on it."""
    code = 0
    try:
        run_worker(plan, worker)
    except KeyboardInterrupt:
        code = 130
    except (LayerwiseError, OSError) as exc:
        errors.put(f"worker {worker}: {exc}")
        code = 2
    except Exception as exc:  # noqa: BLE001 - any other error of a worker, reported
        errors.put(f"worker {worker}: {type(exc).__name__}: {exc}")
        code = 1
    sys.exit(code)


@contextlib.contextmanager
def _blas_threads(workers: int):
    """Spawned workers share the cores: each gets cpus // workers BLAS threads (unless
    the user set the variables), so N workers do not run N x cpus threads."""
    names = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
    threads = str(max(1, (os.cpu_count() or 1) // workers))
    saved = {n: os.environ.get(n) for n in names}
    for n in names:
        os.environ.setdefault(n, threads)
    try:
        yield
    finally:
        for n, v in saved.items():
            if v is None:
                os.environ.pop(n, None)
            else:
                os.environ[n] = v


def run_workers(plan: Plan, workers: int, on_poll: Callable[[], None] | None = None) -> None:
    """Start ``workers`` processes on the study and wait for them, calling ``on_poll``
    about once a second (progress). Ctrl-C stops them (each marks its trial failed);
    a worker's error is raised here in one line once all have stopped."""
    check_count("workers", workers)
    ctx = multiprocessing.get_context("spawn")
    errors = ctx.Queue()
    plan.parent_pid = os.getpid()
    procs = []
    with _blas_threads(workers):
        for i in range(workers):
            p = ctx.Process(target=_worker_main, args=(plan, i, errors), name=f"tune-worker-{i}")
            p.start()
            procs.append(p)
    try:
        while any(p.is_alive() for p in procs):
            for p in procs:
                p.join(timeout=1.0 / workers)
            if on_poll is not None:
                on_poll()
    except KeyboardInterrupt:
        _stop(procs)
        raise
    finally:
        for p in procs:
            if p.is_alive():  # pragma: no cover - an error in on_poll
                _stop([p])
    messages = []
    while True:
        try:
            messages.append(errors.get(timeout=0.2))
        except Exception:  # noqa: BLE001 - queue.Empty
            break
    if messages:
        raise ConfigError(messages[0])
    bad = [p.exitcode for p in procs if p.exitcode not in (0, None)]
    if bad:
        raise ConfigError(f"a worker stopped with exit code {bad[0]}")


def _stop(procs) -> None:
    import signal  # noqa: PLC0415 - only when stopping workers

    for p in procs:
        if p.is_alive() and p.pid is not None:
            with contextlib.suppress(OSError):
                os.kill(p.pid, signal.SIGINT)
    for p in procs:
        p.join(timeout=10)
        if p.is_alive():
            p.terminate()
            p.join(timeout=5)
