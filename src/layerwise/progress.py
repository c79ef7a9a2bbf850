"""What the training loop shows: a rich progress bar with the current cost, and the
course's "Cost after iteration i: c" line every ``print_every`` epochs."""

from __future__ import annotations

import sys

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from .callbacks import Callback


class ProgressReporter(Callback):
    """verbose 0: silent; 1: progress bar and periodic cost lines; 2: cost lines only."""

    def __init__(
        self, epochs: int, verbose: int = 1, print_every: int = 100, unit: str = "iteration"
    ) -> None:
        self.epochs = epochs
        self.verbose = verbose
        self.print_every = max(int(print_every), 1) if print_every else 0
        self.unit = unit
        self._progress = None

    def on_train_begin(self, logs=None) -> None:
        if self.verbose == 1:
            self._progress = Progress(
                TextColumn("[bold]training"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("cost {task.fields[cost]}"),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                transient=True,
                disable=not sys.stderr.isatty(),
            )
            self._progress.start()
            self._task = self._progress.add_task("train", total=self.epochs, cost="-")

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        if self.verbose == 0:
            return
        if self._progress is not None:
            self._progress.update(self._task, advance=1, cost=f"{logs['loss']:.6f}")
        if self.print_every and (epoch % self.print_every == 0 or epoch == self.epochs - 1):
            extra = "".join(f", {k} {v:.4f}" for k, v in logs.items() if k not in ("loss", "lr"))
            line = f"Cost after {self.unit} {epoch}: {logs['loss']:.6f}{extra}"
            if self._progress is not None:
                self._progress.console.print(line, highlight=False, soft_wrap=True)
            else:
                print(line, flush=True)

    def on_train_end(self, logs=None) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
