"""The engine: every sampler finds the optimum of a cheap objective, pruners stop poor
trials (marked pruned in the study and the table), failed trials are replaced, a
journal study survives an interruption, and what cannot work is refused up front."""

from __future__ import annotations

import math
import sys

import pytest

from layerwise.errors import ConfigError
from layerwise.tuning import IntUniform, LogUniform, search
from layerwise.tuning.engine import GP_INSTALL

optuna = pytest.importorskip("optuna")

SPACE = {"learning_rate": LogUniform(1e-4, 1.0), "units": IntUniform(1, 13)}


def bowl(params, report):
    """Largest (0) at learning_rate = 1e-2, units = 7: both on the 5-point grid."""
    return -((math.log10(params["learning_rate"]) + 2) ** 2) - ((params["units"] - 7) / 3) ** 2


def unique_numbers(study) -> bool:
    numbers = [t.number for t in study.trials]
    return len(numbers) == len(set(numbers)) == numbers[-1] + 1


@pytest.mark.parametrize(
    ("sampler", "trials", "within"),
    [("grid", 25, 0.0), ("random", 60, 0.15), ("tpe", 40, 0.05)],
)
def test_each_sampler_finds_the_optimum(sampler, trials, within):
    res = search(bowl, SPACE, n_trials=trials, sampler=sampler, seed=0, points_per_axis=5)
    assert len(res.trials) == trials and unique_numbers(res.study)
    assert res.best_score >= -within
    if sampler == "grid":  # every point of the 5 x 5 grid once, the optimum among them
        points = {
            (round(math.log10(t["params"]["learning_rate"])), t["params"]["units"])
            for t in res.trials
        }
        assert points == {(r, u) for r in range(-4, 1) for u in (1, 4, 7, 10, 13)}
        assert res.best_params["units"] == 7
        assert math.isclose(res.best_params["learning_rate"], 1e-2)


@pytest.mark.slow
def test_the_gp_sampler_finds_the_optimum():
    pytest.importorskip("torch", reason="GPSampler needs PyTorch: " + GP_INSTALL)
    pytest.importorskip("scipy")
    space = {"learning_rate": LogUniform(1e-4, 1.0)}

    def line(params, report):
        return -((math.log10(params["learning_rate"]) + 2) ** 2)

    res = search(line, space, n_trials=14, sampler="gp", seed=0)  # 10 random, then 4 GP
    assert len(res.trials) == 14 and res.best_score > -0.01
    random_best = max(t["score"] for t in res.trials[:10])
    assert res.best_score >= random_best


def test_gp_without_torch_is_refused_before_any_trial(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch raises ImportError
    calls = []

    def objective(params, report):
        calls.append(params)
        return 0.0

    with pytest.raises(ConfigError, match=r"PyTorch.*pip install torch==2\.13\.0"):
        search(objective, SPACE, n_trials=11, sampler="gp")
    assert calls == []


def learning_curve(params, report):
    """A fake training run: the 'dev accuracy' climbs towards a ceiling set by the
    learning rate; a poor rate stays low from the first epoch on."""
    ceiling = 1.0 - abs(math.log10(params["learning_rate"]) + 2) / 4
    value = 0.0
    for epoch in range(20):
        value = ceiling * (1 - 0.5 ** (epoch + 1))
        report(value, epoch)
    return value


@pytest.mark.parametrize("pruner", ["median", "hyperband"])
def test_pruners_stop_poor_trials(pruner):
    res = search(
        learning_curve,
        {"learning_rate": LogUniform(1e-4, 1.0)},
        n_trials=30,
        sampler="random",
        pruner=pruner,
        seed=1,
    )
    states = [t.state for t in res.study.trials]
    pruned = [t for t in res.trials if t["state"] == "pruned"]
    assert len(res.trials) == 30 and len(pruned) >= 5
    assert states.count(optuna.trial.TrialState.PRUNED) == len(pruned)
    for t in pruned:  # stopped early, and marked so with the epoch they stopped after
        frozen = res.study.trials[t["number"]]
        assert len(frozen.intermediate_values) < 20
        assert t["note"].startswith("pruned after epoch")
        assert t["score"] == frozen.intermediate_values[max(frozen.intermediate_values)]
    # pruned trials stop on poor learning rates: the best is a complete one near 1e-2
    assert res.study.trials[res.best_number].state == optuna.trial.TrialState.COMPLETE
    assert abs(math.log10(res.best_params["learning_rate"]) + 2) < 0.5
    table = res.table().splitlines()
    assert f"{len(pruned)} pruned" in table[-1]
    ranks = [line.split()[2] for line in table[2:-1]]
    assert ranks == sorted(ranks, key=lambda s: {"complete": 0, "pruned": 1}[s])


def test_failed_trials_are_replaced_until_the_count_is_reached():
    def sometimes_nan(params, report):
        return math.nan if params["units"] % 3 == 0 else bowl(params, report)

    res = search(sometimes_nan, SPACE, n_trials=12, sampler="random", seed=2)
    states = [t["state"] for t in res.trials]
    assert states.count("complete") == 12 and states.count("fail") >= 1
    assert all(t["note"] for t in res.trials if t["state"] == "fail")
    assert unique_numbers(res.study)


def test_a_journal_study_survives_an_interruption_and_resumes(tmp_path):
    journal = tmp_path / "study.journal"
    calls = []

    def interrupted(params, report):
        calls.append(params)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return bowl(params, report)

    kw = {"storage": str(journal), "study_name": "s", "sampler": "tpe", "seed": 3}
    with pytest.raises(KeyboardInterrupt):
        search(interrupted, SPACE, n_trials=10, **kw)
    study = optuna.load_study(
        study_name="s",
        storage=optuna.storages.JournalStorage(
            optuna.storages.journal.JournalFileBackend(str(journal))
        ),
    )
    assert [t.state.name for t in study.trials] == ["COMPLETE"] * 3 + ["FAIL"]
    res = search(bowl, SPACE, n_trials=10, resume=True, **kw)
    assert [t["state"] for t in res.trials].count("complete") == 10
    assert len(res.trials) == 11 and unique_numbers(res.study)
    again = search(bowl, SPACE, n_trials=10, resume=True, **kw)  # already done: no trial
    assert len(again.trials) == 11
    with pytest.raises(ConfigError, match="no study 'other'"):
        search(bowl, SPACE, n_trials=1, storage=str(journal), study_name="other", resume=True)


def test_the_timeout_stops_new_trials():
    import time

    def slow(params, report):
        time.sleep(0.2)
        return 0.0

    res = search(slow, SPACE, n_trials=1000, timeout=1.0, sampler="random")
    assert 1 <= len(res.trials) <= 8


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"sampler": "cmaes"}, "sampler must be one of"),
        ({"pruner": "patient"}, "pruner must be one of"),
        ({"workers": 2, "storage": "sqlite:///x.db"}, r"sqlite: cannot be shared"),
        ({"workers": 0}, "workers"),
        ({"timeout": -1}, "timeout"),
        ({"direction": "up"}, "direction"),
    ],
)
def test_what_cannot_work_is_refused_in_one_line(kwargs, message):
    with pytest.raises(ConfigError, match=message) as err:
        search(bowl, SPACE, n_trials=2, **kwargs)
    assert "\n" not in str(err.value)


def test_an_unreachable_database_is_one_line():
    with pytest.raises(ConfigError, match=r"cannot open --storage postgresql.*\*\*\*") as err:
        search(
            bowl,
            SPACE,
            n_trials=1,
            storage="postgresql+psycopg2://me:secret@127.0.0.1:1/none",
        )
    assert "secret" not in str(err.value) and "\n" not in str(err.value)
