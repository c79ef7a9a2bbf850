"""What the course experiments share: finding the course's data files, the output folder."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ...errors import DataError

#: Where the data is looked for when --data-dir is not given, after $LAYERWISE_DATA.
DEFAULT_DATA_DIRS = ("../shared/data", "./data")


def find_data_files(filenames: tuple[str, ...], subdir: str, data_dir: str | None) -> list[Path]:
    """Paths of ``filenames``, all in one folder: ``data_dir`` if given, else
    $LAYERWISE_DATA, ../shared/data/<subdir>, ./data (each also tried with <subdir>).

    Raises DataError with one line saying where to put which files.
    """
    if data_dir is not None:
        bases = [Path(data_dir)]
    else:
        bases = []
        if os.environ.get("LAYERWISE_DATA"):
            bases.append(Path(os.environ["LAYERWISE_DATA"]))
        bases += [Path(d) for d in DEFAULT_DATA_DIRS]
    candidates = []
    for base in bases:
        candidates += [base, base / subdir]
    for folder in candidates:
        if all((folder / f).is_file() for f in filenames):
            return [folder / f for f in filenames]
    where = str(bases[0]) if data_dir is not None else f"../shared/data/{subdir} or ./data"
    pronoun = "them" if len(filenames) > 1 else "it"
    raise DataError(
        f"cannot find {' and '.join(filenames)}: put {pronoun} in {where}, "
        f"or pass --data-dir DIR (or set LAYERWISE_DATA)"
    )


def base_parser(name: str, description: str) -> argparse.ArgumentParser:
    """An argument parser with the flags every experiment takes: --out."""
    parser = argparse.ArgumentParser(prog=f"layerwise course {name}", description=description)
    parser.add_argument(
        "--out",
        default=f"runs/course-{name}",
        help="folder for the PNG plots (default: %(default)s)",
    )
    return parser


def add_data_dir(parser: argparse.ArgumentParser, help: str) -> None:
    """--data-dir DIR (default None: look in the usual places, see find_data_files)."""
    parser.add_argument("--data-dir", default=None, help=help)


def add_training_flags(
    parser: argparse.ArgumentParser,
    iterations: int,
    learning_rate: float,
    iterations_help: str = "gradient-descent iterations per run",
    learning_rate_help: str = "learning rate",
) -> None:
    """--iterations (int) and --learning-rate (float) with these defaults; each help text
    ends in "(default: ...)"."""
    parser.add_argument(
        "--iterations",
        type=int,
        default=iterations,
        help=f"{iterations_help} (default: %(default)s)",
    )
    parser.add_argument(
        "--learning-rate",
        type=float,
        default=learning_rate,
        help=f"{learning_rate_help} (default: %(default)s)",
    )


def output_dir(args: argparse.Namespace) -> Path:
    """The --out folder, created."""
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    return out
