"""Many machines on one PostgreSQL study, played by processes on this one: a throwaway
server on 127.0.0.1 (initdb and pg_ctl in a temporary folder, a free port), two workers
on one study with no duplicate trial, and a worker killed mid-trial whose trial the
heartbeat fails before the resumed study finishes the requested count."""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from test_tuning_parallel import WORKER, start

optuna = pytest.importorskip("optuna")
pytest.importorskip("psycopg2", reason="psycopg2 (the tune extra) is needed for PostgreSQL")


def server_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl: on PATH, or Debian's /usr/lib/postgresql/*/bin."""
    found = shutil.which("initdb")
    folders = [Path(found).parent] if found else []
    folders += [Path(p) for p in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)]
    for folder in folders:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def postgres():
    """A PostgreSQL server of its own, on 127.0.0.1 only, removed afterwards; yields its URL."""
    binaries = server_binaries()
    if binaries is None:
        pytest.skip(
            "no PostgreSQL server binaries (initdb, pg_ctl) on PATH or in "
            "/usr/lib/postgresql/*/bin: apt-get install postgresql"
        )
    user = None
    if os.geteuid() == 0:  # initdb refuses root: run the server as an ordinary user
        import pwd

        for name in ("postgres", "nobody"):
            try:
                user = pwd.getpwnam(name)
                break
            except KeyError:
                continue
        if user is None:
            pytest.skip("running as root and no 'postgres' or 'nobody' user to run PostgreSQL")
    root = Path(tempfile.mkdtemp(prefix="layerwise-pg-"))
    data = root / "data"
    run = {}
    if user is not None:
        os.chown(root, user.pw_uid, user.pw_gid)
        run = {"user": user.pw_uid, "group": user.pw_gid}
    port = free_port()
    try:
        subprocess.run(
            [
                binaries / "initdb",
                "-D",
                data,
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
            cwd=root,
            **run,
        )
        options = f"-p {port} -h 127.0.0.1 -k {root} -F -c max_connections=50"
        subprocess.run(
            [binaries / "pg_ctl", "-D", data, "-o", options, "-l", root / "log", "-w", "start"],
            check=True,
            capture_output=True,
            cwd=root,
            timeout=60,
            **run,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        log = (root / "log").read_text() if (root / "log").exists() else ""
        shutil.rmtree(root, ignore_errors=True)
        pytest.skip(
            f"could not start a PostgreSQL server: {exc}; {getattr(exc, 'stderr', '')!r} {log}"
        )
    try:
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [binaries / "pg_ctl", "-D", data, "-m", "immediate", "stop"],
            capture_output=True,
            cwd=root,
            **run,
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def worker(tmp_path: Path) -> Path:
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    return script


def fresh(url: str, name: str):
    storage = optuna.storages.RDBStorage(url)
    try:
        optuna.delete_study(study_name=name, storage=storage)
    except KeyError:
        pass
    return storage


def study_of(url: str):
    return optuna.load_study(study_name="shared", storage=optuna.storages.RDBStorage(url))


@pytest.mark.slow
def test_two_workers_on_one_postgres_study(postgres, worker):
    fresh(postgres, "shared")
    procs = [start(worker, postgres, 40, seed=s, SLEEP=0.02) for s in (1, 2)]
    for p in procs:
        out, err = p.communicate(timeout=180)
        assert p.returncode == 0, err
    study = study_of(postgres)
    numbers = [t.number for t in study.trials]
    assert numbers == list(range(40))  # no duplicate, none skipped, none beyond
    assert {t.state.name for t in study.trials} == {"COMPLETE"}
    assert len({t.user_attrs["worker"] for t in study.trials}) == 2


@pytest.mark.slow
def test_a_killed_worker_is_failed_by_the_heartbeat(postgres, worker, tmp_path):
    fresh(postgres, "shared")
    marker = tmp_path / "hanging"
    p = start(worker, postgres, 5, HANG_AT=3, MARKER=marker)
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert p.poll() is None and time.monotonic() < deadline, p.stderr.read()
        time.sleep(0.05)
    os.kill(p.pid, signal.SIGKILL)
    p.wait(timeout=10)
    study = study_of(postgres)  # readable after the kill
    assert [t.state.name for t in study.trials] == ["COMPLETE", "COMPLETE", "RUNNING"]
    time.sleep(2.5)  # heartbeat 1 s: silent for more than its grace period of 2 s

    q = start(worker, postgres, 5)
    out, err = q.communicate(timeout=120)
    assert q.returncode == 0, err
    study = study_of(postgres)
    assert study.trials[2].state.name == "FAIL"
    states = [t.state.name for t in study.trials]
    assert states.count("COMPLETE") == 5 and "RUNNING" not in states
    assert [t.number for t in study.trials] == list(range(6))


def test_the_command_line_refuses_sqlite_for_parallel_workers(tmp_path):
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "layerwise.cli",
            "tune",
            "--workers",
            "2",
            "--storage",
            f"sqlite:///{tmp_path / 's.db'}",
            "--out",
            str(tmp_path / "r"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "sqlite: cannot be shared" in out.stderr
