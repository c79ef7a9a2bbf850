"""Several processes on one journal study: unique trial numbers and exactly the
requested count; a worker killed with SIGKILL mid-trial leaves the study readable, its
trial is marked failed, and the resumed study finishes the requested count."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

optuna = pytest.importorskip("optuna")

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX processes and signals")

WORKER = textwrap.dedent(
    """
    import json, math, os, sys, time
    from layerwise.tuning import IntUniform, LogUniform, search

    SPACE = {"learning_rate": LogUniform(1e-4, 1.0), "units": IntUniform(1, 13)}


    def objective(params, report):
        hang = os.environ.get("HANG_AT")
        calls = int(os.environ.get("CALLS", "0")) + 1
        os.environ["CALLS"] = str(calls)
        if hang and calls == int(hang):
            open(os.environ["MARKER"], "w").close()
            time.sleep(120)  # killed here
        time.sleep(float(os.environ.get("SLEEP", "0.05")))
        return -((math.log10(params["learning_rate"]) + 2) ** 2) - (params["units"] - 7) ** 2


    if __name__ == "__main__":
        storage, n, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
        res = search(objective, SPACE, n_trials=n, sampler="tpe", seed=int(sys.argv[4]),
                     storage=storage, study_name="shared", workers=workers, heartbeat=1)
        print(json.dumps([[t["number"], t["state"]] for t in res.trials]))
    """
)


@pytest.fixture
def worker(tmp_path: Path) -> Path:
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    return script


def start(script: Path, storage: str, n: int, workers: int = 1, seed: int = 0, **env):
    return subprocess.Popen(
        [sys.executable, str(script), storage, str(n), str(workers), str(seed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **{k: str(v) for k, v in env.items()}},
    )


def journal_study(path: Path):
    backend = optuna.storages.journal.JournalFileBackend(str(path))
    return optuna.load_study(study_name="shared", storage=optuna.storages.JournalStorage(backend))


def check_study(study, n: int) -> None:
    numbers = [t.number for t in study.trials]
    assert numbers == list(range(len(numbers)))  # unique, none skipped
    states = [t.state for t in study.trials]
    S = optuna.trial.TrialState
    assert states.count(S.COMPLETE) + states.count(S.PRUNED) == n
    assert S.RUNNING not in states


def test_two_processes_share_one_journal_study(worker, tmp_path):
    journal = tmp_path / "study.journal"
    procs = [start(worker, str(journal), 30, seed=s) for s in (1, 2)]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    study = journal_study(journal)
    check_study(study, 30)
    assert len(study.trials) == 30  # exactly: no trial beyond the count
    workers = {t.user_attrs["worker"] for t in study.trials}
    assert len(workers) == 2  # both processes ran trials
    params = [tuple(sorted(t.params.items())) for t in study.trials]
    assert len(set(params)) > 25  # distinct seeds: not the same proposals twice


def test_workers_option_runs_local_processes_on_one_study(worker, tmp_path):
    journal = tmp_path / "study.journal"
    p = start(worker, str(journal), 20, workers=2)
    out, err = p.communicate(timeout=120)
    assert p.returncode == 0, err
    trials = json.loads(out.strip().splitlines()[-1])
    assert [n for n, _ in trials] == list(range(20))
    study = journal_study(journal)
    check_study(study, 20)
    assert len({t.user_attrs["worker"] for t in study.trials}) == 2


def test_a_worker_killed_mid_trial_is_failed_and_the_study_resumes(worker, tmp_path):
    journal = tmp_path / "study.journal"
    marker = tmp_path / "hanging"
    p = start(worker, str(journal), 6, HANG_AT=3, MARKER=marker)
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert p.poll() is None and time.monotonic() < deadline, p.stderr.read()
        time.sleep(0.05)
    os.kill(p.pid, signal.SIGKILL)
    p.wait(timeout=10)
    study = journal_study(journal)  # readable after the kill
    states = [t.state.name for t in study.trials]
    assert states == ["COMPLETE", "COMPLETE", "RUNNING"]
    killed = study.trials[2].user_attrs["worker"]
    assert killed.split(":")[1] == str(p.pid)

    q = start(worker, str(journal), 6)  # resume: the dead worker's trial is failed first
    out, err = q.communicate(timeout=120)
    assert q.returncode == 0, err
    study = journal_study(journal)
    check_study(study, 6)
    assert study.trials[2].state.name == "FAIL"
    assert "died" in study.trials[2].user_attrs["note"]
    assert len(study.trials) == 7
