"""Hyper-parameter search: the course's scales as Optuna distributions, grids, space
files, and the classic searches (grid, random, TPE) as thin wrappers of ``tune``."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np
import pytest

import layerwise as lw
from layerwise.builders import PRESETS
from layerwise.data import make_flower, train_test_split
from layerwise.errors import ConfigError, ShapeError
from layerwise.tuning import (
    Choice,
    IntUniform,
    LogUniform,
    OneMinusLogUniform,
    PowerOfTwo,
    SearchResult,
    Uniform,
    bayesian_search,
    grid_search,
    load_space_file,
    random_search,
)
from layerwise.tuning.spaces import read_space_text

optuna = pytest.importorskip("optuna")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
N = 2000  # draws per scale test (Optuna's RandomSampler, about 1 s each)


def ks_uniform(u: np.ndarray) -> float:
    """Kolmogorov-Smirnov distance between the sample u and U[0, 1]."""
    u = np.sort(u)
    n = u.size
    return float(max(np.max(np.arange(1, n + 1) / n - u), np.max(u - np.arange(n) / n)))


def draws(dim, n: int = N, seed: int = 0) -> list:
    """n values of ``dim`` as Optuna's seeded RandomSampler suggests them."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=seed))
    out = []
    for _ in range(n):
        trial = study.ask()
        out.append(dim.suggest(trial, "x"))
        study.tell(trial, 0.0)
    return out


@pytest.fixture(scope="module")
def flower():
    X, Y = make_flower(200)
    return train_test_split(X, Y, 0.25, seed=1, stratify=True)


def build(params: dict) -> lw.Sequential:
    return lw.Sequential(
        [lw.Dense(params.get("hidden", 4), "tanh"), lw.Dense(1, "sigmoid")], seed=1
    )


# ---------------------------------------------------------------------------- scales
def test_log_uniform_is_uniform_in_log10():
    x = np.array(draws(LogUniform(1e-4, 1)))
    r = np.log10(x)
    assert r.min() >= -4 and r.max() <= 0
    assert abs(r.mean() - (-2.0)) < 0.13  # 6 standard errors of U[-4, 0]'s mean
    assert ks_uniform((r + 4) / 4) < 1.63 / math.sqrt(N)  # the 1% critical value
    # Each decade is equally likely: half the samples of [1e-4, 1] lie below 1e-2
    # (a plain uniform draw would put 1% of them there).
    assert abs(np.mean(x < 1e-2) - 0.5) < 0.04
    assert abs(np.mean(x < 1e-3) - 0.25) < 0.04


def test_one_minus_log_uniform_beta():
    dim = OneMinusLogUniform(0.9, 0.999)
    assert dim.key("beta") == "1-beta"
    beta = np.array(draws(dim, seed=1))
    assert beta.min() >= 0.9 and beta.max() <= 0.999
    r = np.log10(1 - beta)  # uniform on [-3, -1]
    assert abs(r.mean() - (-2.0)) < 0.07
    assert ks_uniform((r + 3) / 2) < 1.63 / math.sqrt(N)
    assert abs(np.mean(beta < 0.99) - 0.5) < 0.04  # 0.9..0.99 as likely as 0.99..0.999


def test_uniform_int_uniform_power_of_two_and_choice_draws():
    u = np.array(draws(Uniform(-1.0, 3.0), seed=2))
    assert u.min() >= -1 and u.max() <= 3 and abs(u.mean() - 1.0) < 0.1
    assert ks_uniform((u + 1) / 4) < 1.63 / math.sqrt(N)
    k = draws(IntUniform(2, 5), 1000, seed=3)
    assert all(type(v) is int for v in k)
    counts = np.bincount(k, minlength=6)[2:]
    assert set(k) == {2, 3, 4, 5} and np.all(np.abs(counts / 1000 - 0.25) < 0.05)
    sizes = draws(PowerOfTwo(16, 256), 1000, seed=4)
    assert set(sizes) == {16, 32, 64, 128, 256} and all(type(v) is int for v in sizes)
    share = np.array([sizes.count(s) for s in (16, 32, 64, 128, 256)]) / 1000
    assert np.all(np.abs(share - 0.2) < 0.05)  # each doubling equally likely
    c = draws(Choice(["a", "b"]), 1000, seed=5)
    assert abs(c.count("a") / 1000 - 0.5) < 0.05
    shapes = draws(Choice([(64,), (64, 32)]), 200, seed=6)  # not plain: stored by index
    assert set(shapes) == {(64,), (64, 32)}


def test_grids():
    np.testing.assert_allclose(LogUniform(1e-4, 1).grid(5), [1e-4, 1e-3, 1e-2, 1e-1, 1], rtol=1e-12)
    np.testing.assert_allclose(OneMinusLogUniform(0.9, 0.999).grid(3), [0.9, 0.99, 0.999])
    np.testing.assert_allclose(OneMinusLogUniform(0.9, 0.999).grid_values(3), [1e-3, 1e-2, 1e-1])
    assert Uniform(0, 1).grid(3) == [0, 0.5, 1]
    assert Uniform(0, 1).grid(1) == [0.5]
    assert math.isclose(LogUniform(1e-3, 1e-1).grid(1)[0], 1e-2)
    assert IntUniform(1, 3).grid(5) == [1, 2, 3]
    assert IntUniform(0, 100).grid(3) == [0, 50, 100]
    assert Choice([4, 8, 16]).grid(2) == [4, 8, 16]
    assert PowerOfTwo(16, 256).grid(3) == [16, 64, 256]
    assert PowerOfTwo(16, 256).grid_values(3) == [4, 6, 8]


@pytest.mark.parametrize(
    "make",
    [
        lambda: Uniform(1, 1),
        lambda: Uniform(2, 1),
        lambda: Uniform(0, math.inf),
        lambda: Uniform("a", 1),
        lambda: LogUniform(0, 1),
        lambda: LogUniform(-1e-3, 1),
        lambda: LogUniform(1, 1e-4),
        lambda: IntUniform(1.5, 3),
        lambda: IntUniform(3, 3),
        lambda: OneMinusLogUniform(0.9, 1.0),
        lambda: OneMinusLogUniform(0.999, 0.9),
        lambda: PowerOfTwo(16, 100),
        lambda: PowerOfTwo(0, 16),
        lambda: PowerOfTwo(64, 64),
        lambda: Choice([]),
        lambda: Choice("abc"),
        lambda: Uniform(0, 1).grid(0),
    ],
)
def test_bad_dimensions_raise(make):
    with pytest.raises(ConfigError):
        make()


# ---------------------------------------------------------------------------- space files
def test_the_example_space_file_is_the_course_table():
    from layerwise.tuning.command import DEFAULT_SPACE, check_params

    dims, fixed = load_space_file(EXAMPLES / "tune_space.toml")
    default_dims, default_fixed = read_space_text(DEFAULT_SPACE, "default")
    assert repr(dims) == repr(default_dims) and fixed == default_fixed
    assert repr(dims["learning_rate"]) == "LogUniform(0.0001, 0.1)"
    beta = dims["beta"]
    assert isinstance(beta, OneMinusLogUniform)
    np.testing.assert_allclose(beta.grid_values(3), [1e-3, 1e-2, 1e-1])  # 1 - beta
    assert isinstance(dims["batch_size"], PowerOfTwo)
    assert set(dims) >= {"hidden_units", "layers", "keep_prob", "l2", "optimizer"}
    assert check_params(dims, fixed, "x") == fixed


def test_the_digits_preset_is_a_point_of_the_example_space():
    """The tuned search can only beat ``layerwise train --data digits`` fairly when the
    default configuration is one of its points: the same epochs and patience (fewer
    epochs stop the default network before its best dev loss, at epoch 112) and every
    searched value within its range (lambda = 0 aside: l2's lower end, 1e-3, adds
    1e-3/m_train ~ 1e-6 of W to dW)."""
    dims, fixed = load_space_file(EXAMPLES / "tune_space.toml")
    preset = PRESETS["digits"]
    assert fixed == {"epochs": preset["iterations"], "early_stopping": preset["early_stopping"]}
    default = {
        "learning_rate": preset["lr"],
        "beta": 0.9,  # Adam's beta1
        "hidden_units": preset["layers"][0],
        "layers": len(preset["layers"]),
        "batch_size": preset["batch_size"],
        "keep_prob": preset["keep_prob"],
        "optimizer": preset["optimizer"],
    }
    for name, value in default.items():
        dim = dims[name]
        if isinstance(dim, Choice):
            assert value in dim.values, name
        else:
            assert dim.low <= value <= dim.high, name
    assert math.log2(default["batch_size"]).is_integer()
    assert dims["l2"].low <= 1e-3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[space]\nlearning_rate = { log_uniform = [0, 0.1] }", r"space\.learning_rate: LogUni"),
        ("[space]\nbeta = { one_minus_log_uniform = [0.9, 1.0] }", r"space\.beta: .*< 1"),
        ("[space]\nbatch_size = { power_of_two = [16, 100] }", r"space\.batch_size: .*power"),
        ("[space]\nlr = { log_uniform = [0.1] }", r"space\.lr: log_uniform takes \[low, high\]"),
        ("[space]\nx = { normal = [0, 1] }", r"space\.x: expected one of"),
        ("[space]\nx = [1, 2\n", "not valid TOML"),
        ("learning_rate = 0.1", "put every entry under"),
        ("[space]", r"needs a \[space\] table"),
    ],
)
def test_space_file_errors_name_the_entry(text, message):
    with pytest.raises(ConfigError, match=message) as err:
        read_space_text(text, "s.toml")
    assert str(err.value).startswith("s.toml") and "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[space]\nunits = [1, 2]", r"space\.units: unknown parameter"),
        ("[space]\nkeep_prob = { uniform = [0.5, 1.5] }", r"space\.keep_prob must be in \(0, 1\]"),
        ("[space]\nhidden_units = { uniform = [8, 64] }", r"space\.hidden_units: takes whole"),
        ("[space]\noptimizer = ['adam', 'lbfgs']", r"space\.optimizer must be one of"),
        ("[space]\nlearning_rate = { uniform = [-1, 1] }", r"space\.learning_rate must be in"),
        ("[space]\nepochs = 0\nl2 = [0.0, 1.0]", r"space\.epochs must be a positive"),
        ("[space]\nbatch_norm = 'yes'\nl2 = [0.0, 1.0]", r"space\.batch_norm must be true or"),
    ],
)
def test_space_file_parameters_are_checked(text, message):
    from layerwise.tuning.command import check_params

    dims, fixed = read_space_text(text, "s.toml")
    with pytest.raises(ConfigError, match=message):
        check_params(dims, fixed, "s.toml")


# ---------------------------------------------------------------------------- searches
def test_grid_search_is_the_cartesian_product(flower):
    space = {"hidden": [2, 3], "learning_rate": LogUniform(1e-3, 1e-1), "l2": Uniform(0.0, 0.2)}
    res = grid_search(build, space, *flower, points_per_axis=2, fit_kwargs={"epochs": 2})
    expected = {(h, lr, l2) for h in (2, 3) for lr in (1e-3, 1e-1) for l2 in (0.0, 0.2)}
    got = [
        (t["params"]["hidden"], t["params"]["learning_rate"], t["params"]["l2"]) for t in res.trials
    ]
    assert len(got) == 8 == len(set(got))
    assert {(h, round(lr, 12), l2) for h, lr, l2 in got} == expected
    assert [t["number"] for t in res.trials] == list(range(8))
    assert {t["state"] for t in res.trials} == {"complete"}


def test_grid_search_counts_per_axis(flower):
    space = {"hidden": Choice([2, 3, 4]), "epochs": IntUniform(1, 2), "l2": Uniform(0, 1)}
    res = grid_search(build, space, *flower, points_per_axis=3)  # 3 x 2 x 3
    combos = {tuple(t["params"].values()) for t in res.trials}
    assert len(res.trials) == 18 == len(combos)
    assert all(t["seconds"] >= 0 for t in res.trials)


def test_params_that_fit_takes_reach_fit(flower):
    seen = []

    def build_record(params):
        model = build(params)
        seen.append(model)
        return model

    random_search(build_record, {"epochs": [1, 3]}, *flower, n_trials=6, seed=3)
    for model in seen:
        assert len(model.history_.history["loss"]) in (1, 3)
    assert {len(m.history_.history["loss"]) for m in seen} == {1, 3}


def test_build_may_return_fit_kwargs(flower):
    def build_pair(params):
        opt = lw.Adam(learning_rate=0.01, beta1=params["beta1"])
        return build(params), {"optimizer": opt, "epochs": 2}

    res = random_search(
        build_pair,
        {"beta1": OneMinusLogUniform(0.8, 0.99)},
        *flower,
        n_trials=2,
        fit_kwargs={"epochs": 50},
    )
    assert len(res.best_model.history_.history["loss"]) == 2
    assert res.best_model.optimizer_.beta1 == res.best_params["beta1"]


def test_random_search_is_deterministic_given_the_seed(flower):
    space = {"learning_rate": LogUniform(1e-3, 1), "hidden": IntUniform(2, 6)}
    kw = {"n_trials": 4, "fit_kwargs": {"epochs": 20, "optimizer": "adam"}}
    a = random_search(build, space, *flower, seed=5, **kw)
    b = random_search(build, space, *flower, seed=5, **kw)
    c = random_search(build, space, *flower, seed=6, **kw)
    assert [t["params"] for t in a.trials] == [t["params"] for t in b.trials]
    assert [t["val_loss"] for t in a.trials] == [t["val_loss"] for t in b.trials]
    assert a.best_params == b.best_params and a.best_score == b.best_score
    assert [t["params"] for t in a.trials] != [t["params"] for t in c.trials]
    # the values are Optuna's: the study's parameters decoded
    for t, frozen in zip(a.trials, a.study.trials):
        assert t["params"]["learning_rate"] == frozen.params["learning_rate"]
        assert 1e-3 <= t["params"]["learning_rate"] <= 1 and 2 <= t["params"]["hidden"] <= 6


def test_best_is_max_accuracy_or_min_loss(flower):
    X_train, Y_train, X_dev, Y_dev = flower
    space = {"learning_rate": LogUniform(1e-3, 1), "hidden": IntUniform(2, 6)}
    kw = {"n_trials": 5, "seed": 2, "fit_kwargs": {"epochs": 30, "optimizer": "adam"}}
    acc = random_search(build, space, *flower, **kw)
    assert acc.best_score == max(t["val_accuracy"] for t in acc.trials)
    assert acc.best_score == acc.best_model.evaluate(X_dev, Y_dev)["accuracy"]
    top = [t for t in acc.trials if t["val_accuracy"] == acc.best_score]
    best = min(top, key=lambda t: (t["val_loss"], t["number"]))  # ties: the smaller dev loss
    assert acc.best_params == best["params"] and acc.best_number == best["number"]
    for t in acc.trials:
        assert t["score"] == t["val_accuracy"]
        assert set(t) >= {"params", "val_accuracy", "val_loss", "accuracy", "loss", "seconds"}

    loss = random_search(build, space, *flower, metric="val_loss", **kw)
    assert loss.best_score == min(t["val_loss"] for t in loss.trials)
    assert math.isclose(loss.best_score, loss.best_model.evaluate(X_dev, Y_dev)["loss"])
    train = loss.trials[0]
    model = build(train["params"])
    model.fit(
        X_train,
        Y_train,
        epochs=30,
        optimizer="adam",
        learning_rate=train["params"]["learning_rate"],
        verbose=0,
    )
    assert math.isclose(train["loss"], model.evaluate(X_train, Y_train)["loss"])

    for res, key, better in ((acc, "val_accuracy", -1), (loss, "val_loss", 1)):
        lines = res.table().splitlines()
        assert lines[0].split()[:3] == ["rank", "trial", "state"]
        numbers = [int(line.split()[1]) for line in lines[2:-1]]
        assert sorted(numbers) == list(range(5))
        scores = [res.trials[n][key] for n in numbers]
        assert scores == sorted(scores, key=lambda s: better * s)
        assert numbers[0] == res.best_number


def test_a_bad_learning_rate_range_loses(flower):
    kw = {"n_trials": 3, "seed": 0, "fit_kwargs": {"epochs": 150, "optimizer": "adam"}}
    bad = random_search(build, {"learning_rate": LogUniform(1e-6, 1e-5)}, *flower, **kw)
    good = random_search(build, {"learning_rate": LogUniform(1e-2, 1e-1)}, *flower, **kw)
    assert good.best_score > bad.best_score + 0.1
    assert max(t["val_accuracy"] for t in bad.trials) < min(t["val_accuracy"] for t in good.trials)


def test_bayesian_search_runs(flower):
    space = {
        "learning_rate": LogUniform(1e-3, 1),
        "hidden": IntUniform(2, 6),
        "optimizer": ["adam", "gd"],
        "beta": OneMinusLogUniform(0.9, 0.999),
        "batch_size": PowerOfTwo(16, 64),
    }
    kw = {"n_trials": 6, "seed": 1, "fit_kwargs": {"epochs": 10}}
    a = bayesian_search(build, space, *flower, **kw)
    b = bayesian_search(build, space, *flower, **kw)
    assert isinstance(a, SearchResult) and len(a.trials) == 6
    assert [t["params"] for t in a.trials] == [t["params"] for t in b.trials]
    for t in a.trials:
        p = t["params"]
        assert 1e-3 <= p["learning_rate"] <= 1 and 2 <= p["hidden"] <= 6
        assert p["optimizer"] in ("adam", "gd") and 0.9 <= p["beta"] <= 0.999
        assert p["batch_size"] in (16, 32, 64)
    assert set(a.study.trials[0].params) == {
        "learning_rate",
        "hidden",
        "optimizer",
        "1-beta",
        "log2(batch_size)",
    }
    assert a.best_score == max(t["val_accuracy"] for t in a.trials)
    res = bayesian_search(build, space, *flower, metric="val_loss", **kw)
    assert res.best_score == min(t["val_loss"] for t in res.trials)


def test_searches_without_optuna(flower, monkeypatch):
    monkeypatch.setitem(sys.modules, "optuna", None)  # import optuna raises ImportError
    for search in (bayesian_search, random_search):
        with pytest.raises(ConfigError, match=r"pip install 'layerwise\[tune\]'"):
            search(build, {"hidden": [2]}, *flower, n_trials=1)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"space": {}},
        {"space": {"hidden": 3}},
        {"space": {1: [2, 3]}},
        {"metric": "accuracy"},
        {"n_trials": 0},
        {"n_trials": 2.5},
        {"fit_kwargs": {"epoch": 3}},
        {"fit_kwargs": [("epochs", 3)]},
        {"build": "not a function"},
        {"build": lambda params: "not a model"},
    ],
)
def test_bad_search_arguments_raise(flower, kwargs):
    args = {"build": build, "space": {"hidden": [2]}, **kwargs}
    with pytest.raises(ConfigError):
        random_search(args.pop("build"), args.pop("space"), *flower, **args)


def test_bad_grid_and_metric_arguments_raise(flower):
    with pytest.raises(ConfigError, match="points_per_axis"):
        grid_search(build, {"hidden": [2]}, *flower, points_per_axis=0)

    def regressor(params):
        return lw.Sequential([lw.Dense(2, "tanh"), lw.Dense(1, "linear")], seed=0)

    with pytest.raises(ConfigError, match="val_loss"):
        random_search(regressor, {"l2": [0.0]}, *flower, n_trials=1, fit_kwargs={"epochs": 1})
    res = random_search(
        regressor, {"l2": [0.0]}, *flower, n_trials=1, metric="val_loss", fit_kwargs={"epochs": 1}
    )
    assert "val_accuracy" not in res.trials[0] and math.isfinite(res.best_score)
    X_train, Y_train, X_dev, Y_dev = flower
    with pytest.raises(ShapeError, match="n_x"):
        random_search(build, {"hidden": [2]}, X_train, Y_train, X_dev[:1], Y_dev, n_trials=1)
