"""A study's PNGs, drawn by Optuna's matplotlib visualisations (Agg backend, written
atomically): the optimisation history, the parameter importances, a slice plot (the
dev metric against each parameter), the parallel coordinates and the per-epoch dev
metric of every trial (where the pruned ones stop)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable
from pathlib import Path

from ..atomic import atomic_write
from .engine import quiet_optuna, require_optuna


def _pyplot():
    import matplotlib  # noqa: PLC0415 - matplotlib loads only when a plot is drawn

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt  # noqa: PLC0415 - after choosing the Agg backend

    return plt


def _figure(axes):
    first = axes.flat[0] if hasattr(axes, "flat") else axes
    return first.figure


def _draw(draw: Callable, path: Path, size: tuple[float, float] | None = None, touch=None) -> Path:
    """Draw with Optuna, then ``touch(axes)`` (layout, scales, labels), and write a PNG."""
    plt = _pyplot()
    with plt.style.context("default"):
        axes = draw()
    fig = _figure(axes)
    try:
        if size is not None:
            fig.set_size_inches(*size)
        for ax in getattr(axes, "flat", [axes]):
            if ax.get_xscale() == "log":  # decades only: the minor labels overlap
                ax.xaxis.set_minor_formatter(_null_formatter())
        if touch is not None:
            touch(axes)
        return atomic_write(
            path, lambda fh: fig.savefig(fh, dpi=100, bbox_inches="tight", format="png")
        )
    finally:
        plt.close(fig)


def _null_formatter():
    from matplotlib.ticker import NullFormatter  # noqa: PLC0415 - matplotlib only when drawing

    return NullFormatter()


def _per_epoch(metric: str, n_trials: int):
    def touch(ax) -> None:
        ax.set_xlabel("epoch (0: the first)")
        ax.set_title("Dev metric after each epoch (a pruned trial's line stops early)")
        if metric == "val_accuracy":
            _error_scale(ax)
            ax.set_ylabel("dev accuracy (scale: log of the error, 1 - accuracy)")
        else:
            ax.set_yscale("log")
            ax.set_ylabel(f"dev {metric}")
        legend = ax.get_legend()
        if legend is not None and n_trials > 12:
            legend.remove()

    return touch


#: accuracies drawn on the error scale, and the error the top of it stands for
ACCURACY_TICKS = (0.0, 0.5, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999)


def _error_scale(ax) -> None:
    """y as -log10(1 - accuracy): the last few examples of a dev set, where the good
    trials differ (0.99 against 0.995), get as much room as 0.5 against 0.9; an
    accuracy of 0.999 or more is drawn at the top, labelled 1."""
    import numpy as np  # noqa: PLC0415 - with matplotlib, only when drawing

    floor = 1.0 - ACCURACY_TICKS[-1]

    def forward(y):
        return -np.log10(np.maximum(1.0 - np.asarray(y, dtype=float), floor))

    def inverse(z):
        return 1.0 - 10.0 ** -np.asarray(z, dtype=float)

    ax.set_yscale("function", functions=(forward, inverse))
    ax.set_ylim(0.0, ACCURACY_TICKS[-1])
    ax.set_yticks(ACCURACY_TICKS, [f"{v:g}" for v in ACCURACY_TICKS[:-1]] + ["1"])
    ax.yaxis.set_minor_formatter(_null_formatter())


#: the slice plot's panels per row
SLICE_COLUMNS = 4


def _slice_grid(study):
    """Optuna draws the slice panels (one per parameter) in one row, too wide to read
    past four: here they go in rows of ``SLICE_COLUMNS``, the first of each row with the
    metric's axis, whole-number parameters with whole-number ticks, and the trial-number
    colour bar beside them all."""

    def touch(axes) -> None:
        axes = list(getattr(axes, "flat", [axes]))
        _integer_ticks(study, axes)
        if len(axes) <= SLICE_COLUMNS:
            return
        fig = axes[0].figure
        ylabel = axes[0].get_ylabel()
        label = ""
        for cax in [a for a in fig.axes if a not in axes]:  # the colour bar
            label = cax.get_ylabel()
            cax.remove()
        grid = fig.add_gridspec(-(-len(axes) // SLICE_COLUMNS), SLICE_COLUMNS, hspace=0.45)
        for i, ax in enumerate(axes):
            ax.set_subplotspec(grid[i // SLICE_COLUMNS, i % SLICE_COLUMNS])
            first = i % SLICE_COLUMNS == 0
            ax.tick_params(axis="y", labelleft=first)
            ax.set_ylabel(ylabel if first else "")
        fig.colorbar(axes[-1].collections[0], ax=axes, label=label)

    return touch


def _integer_ticks(study, axes) -> None:
    """Whole-number ticks on the panels of whole-number parameters (layers, units)."""
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415 - matplotlib only when drawing

    optuna = require_optuna()
    kinds = {k: d for t in study.get_trials(deepcopy=False) for k, d in t.distributions.items()}
    for ax in axes:
        if isinstance(kinds.get(ax.get_xlabel()), optuna.distributions.IntDistribution):
            ax.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))


def write_plots(study, folder: str | os.PathLike, metric: str) -> tuple[list[Path], list[str]]:
    """Draw the study's plots into ``folder``; (the PNGs written, why any was skipped)."""
    folder = Path(folder)
    written: list[Path] = []
    skipped: list[str] = []
    with quiet_optuna() as optuna, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # matplotlib's layout notes
        vis = optuna.visualization.matplotlib
        trials = study.get_trials(deepcopy=False)
        n_params = len({k for t in trials for k in t.params})
        plots = [
            (
                "optimization_history.png",
                lambda: vis.plot_optimization_history(study, target_name=metric),
                (8, 5),
                None,
            ),
            (
                "param_importances.png",
                lambda: vis.plot_param_importances(study, target_name=metric),
                (8, 1.5 + 0.5 * n_params),
                None,
            ),
            (
                "slice.png",
                lambda: vis.plot_slice(study, target_name=metric),
                (3.2 * min(n_params, SLICE_COLUMNS) + 1.5, 3.6 * -(-n_params // SLICE_COLUMNS)),
                _slice_grid(study),
            ),
            (
                "parallel_coordinate.png",
                lambda: vis.plot_parallel_coordinate(study, target_name=metric),
                (max(8, 1.6 * n_params), 5.5),
                None,
            ),
            (
                "intermediate_values.png",
                lambda: vis.plot_intermediate_values(study),
                (8, 5),
                _per_epoch(metric, len(trials)),
            ),
        ]
        for name, draw, size, touch in plots:
            try:
                written.append(_draw(draw, folder / name, size, touch))
            except (ValueError, RuntimeError, ZeroDivisionError) as exc:
                _pyplot().close("all")
                skipped.append(f"{name}: {str(exc).splitlines()[0] if str(exc) else exc!r}")
    return written, skipped
