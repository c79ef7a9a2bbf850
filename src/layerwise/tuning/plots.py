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
from .engine import quiet_optuna


def _pyplot():
    import matplotlib  # noqa: PLC0415 - matplotlib loads only when a plot is drawn

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt  # noqa: PLC0415 - after choosing the Agg backend

    return plt


def _figure(axes):
    first = axes.flat[0] if hasattr(axes, "flat") else axes
    return first.figure


def _draw(draw: Callable, path: Path, size: tuple[float, float] | None = None, touch=None) -> Path:
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
                touch(ax)
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
        ax.set_ylabel(f"dev {metric}")
        ax.set_title("Dev metric after each epoch (a pruned trial's line stops early)")
        legend = ax.get_legend()
        if legend is not None and n_trials > 12:
            legend.remove()

    return touch


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
                (min(3.2 * n_params, 26), 4),
                None,
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
