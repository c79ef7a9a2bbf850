"""The study's PNGs stay readable: the slice panels of many parameters wrap into rows,
whole-number parameters get whole-number ticks, and the per-epoch dev accuracy is drawn
on the scale of its error, where good trials differ."""

from __future__ import annotations

import numpy as np
import pytest

from layerwise.tuning import IntUniform, LogUniform, Uniform, search
from layerwise.tuning.plots import ACCURACY_TICKS, SLICE_COLUMNS, write_plots

optuna = pytest.importorskip("optuna")
image = pytest.importorskip("matplotlib.image")

SPACE = {
    "learning_rate": LogUniform(1e-4, 1e-1),
    "l2": LogUniform(1e-3, 3.0),
    "keep_prob": Uniform(0.5, 1.0),
    "beta": Uniform(0.8, 0.99),
    "beta2": Uniform(0.9, 0.999),
    "hidden_units": IntUniform(32, 256),
    "layers": IntUniform(1, 3),
}


def curve(params, report):
    """A dev accuracy per epoch that rises to a peak near learning_rate = 1e-2."""
    gap = abs(np.log10(params["learning_rate"]) + 2)
    for epoch in range(12):
        report(1.0 - 0.5 * gap / 3 - 0.3 / (epoch + 1), epoch)
    return 1.0 - 0.5 * gap / 3


@pytest.fixture(scope="module")
def pngs(tmp_path_factory):
    res = search(curve, SPACE, n_trials=12, sampler="random", seed=0, metric="val_accuracy")
    folder = tmp_path_factory.mktemp("plots")
    written, skipped = write_plots(res.study, folder, "val_accuracy")
    assert skipped == []
    return {p.name: image.imread(p) for p in written}


def test_every_plot_is_written(pngs):
    assert set(pngs) == {
        "optimization_history.png",
        "param_importances.png",
        "slice.png",
        "parallel_coordinate.png",
        "intermediate_values.png",
    }


def test_the_slice_panels_wrap_into_rows(pngs):
    height, width = pngs["slice.png"].shape[:2]
    rows = -(-len(SPACE) // SLICE_COLUMNS)
    assert rows == 2
    # one row of 7 panels (Optuna's own layout) is about 5.6 times as wide as it is high
    assert width / height < 2.5


def test_the_error_scale_spreads_the_last_examples():
    import matplotlib  # noqa: PLC0415

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt  # noqa: PLC0415

    from layerwise.tuning.plots import _error_scale  # noqa: PLC0415

    fig, ax = plt.subplots()
    try:
        _error_scale(ax)
        to_axes = ax.transScale.transform

        def y(v):
            return to_axes([[0.0, v]])[0, 1]

        # -log10(1 - a): 0.99 -> 2, 0.995 -> 2.301, 0.5 -> 0.301, 0.9 -> 1
        np.testing.assert_allclose([y(0.99), y(0.995), y(0.5), y(0.9)], [2, 2.30103, 0.30103, 1])
        assert y(1.0) == y(ACCURACY_TICKS[-1]) == pytest.approx(3.0)  # the top, labelled 1
        assert [t.get_text() for t in ax.get_yticklabels()][-1] == "1"
    finally:
        plt.close(fig)
