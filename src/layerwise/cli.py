"""The ``layerwise`` command: train, evaluate, predict, gradcheck, course.

Every error the project raises on purpose becomes one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import commands
from .builders import PRESETS
from .checks import fraction
from .course.experiments import EXPERIMENTS, get_main
from .errors import ConfigError, LayerwiseError, TrainingDivergedError

#: exit code when training diverged (NaN/inf); 2 is for bad input, 130 for Ctrl-C
EXIT_DIVERGED = 3


def _int_list(text: str) -> list[int]:
    try:
        sizes = [int(t) for t in text.split(",") if t.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected hidden sizes like 4 or 20,7,5, got {text!r}"
        ) from None
    if not sizes or any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError(f"hidden sizes must be positive, got {text!r}")
    return sizes


def _fraction(text: str) -> float:
    try:
        return fraction(text, "the fraction")
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _presets_help() -> str:
    lines = ["defaults for the flags not given, per data set:"]
    for name, preset in PRESETS.items():
        if name == "planar":
            continue
        flags = " ".join(
            f"--{k.replace('_', '-')} {','.join(map(str, v)) if isinstance(v, list) else v}"
            for k, v in preset.items()
        )
        lines.append(f"  {name}: {flags}")
    return "\n".join(lines)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="layerwise",
        description="Deep learning from scratch in NumPy, in the course's notation.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    t = sub.add_parser(
        "train",
        help="train a dense network and write a run folder",
        description="Train a dense network on built-in data or a file and "
        "write runs/<name>/ with model.npz, history.csv, metrics.json and plots.",
        epilog=_presets_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    t.add_argument(
        "--data",
        default="flower",
        help="built-in name (flower, digits) or a .csv/.npz/.h5 file (default: flower)",
    )
    t.add_argument(
        "--layers",
        type=_int_list,
        default=None,
        help="hidden layer sizes, e.g. 4 or 20,7,5",
    )
    t.add_argument(
        "--activation",
        default=None,
        help="hidden activation: relu, leaky_relu, tanh, sigmoid, linear",
    )
    t.add_argument(
        "--init",
        default=None,
        help="zeros, random, xavier or he (default: He for relu/leaky_relu, Xavier otherwise)",
    )
    t.add_argument("--optimizer", default=None, help="gd, momentum, rmsprop or adam")
    t.add_argument("--lr", type=float, default=None, help="learning rate alpha")
    t.add_argument(
        "--iterations",
        type=int,
        default=None,
        help="epochs (iterations for full batch)",
    )
    t.add_argument("--batch-size", type=int, default=None, help="mini-batch size (0: full batch)")
    t.add_argument("--l2", type=float, default=0.0, help="L2 regularisation lambda (default: 0)")
    t.add_argument(
        "--keep-prob",
        type=float,
        default=None,
        help="dropout keep probability after each hidden layer (1: no dropout)",
    )
    t.add_argument(
        "--batch-norm",
        action="store_true",
        help="batch normalisation before each hidden activation",
    )
    t.add_argument(
        "--decay",
        default=None,
        help="learning-rate decay: inverse_time, exponential, sqrt_epoch, sqrt_step or step",
    )
    t.add_argument("--decay-rate", type=float, default=None, help="decay_rate (or base, or k)")
    t.add_argument(
        "--normalize",
        action="store_true",
        help="standardise inputs with the training set's mean and variance",
    )
    t.add_argument(
        "--test-split",
        type=_fraction,
        default=0.2,
        help="fraction held out as the test set (default: 0.2)",
    )
    t.add_argument(
        "--validation-split",
        type=_fraction,
        default=None,
        help="fraction of the training set held out as the dev set (0: none)",
    )
    t.add_argument(
        "--early-stopping",
        type=int,
        default=None,
        metavar="PATIENCE",
        help="stop when the dev loss has not improved for PATIENCE epochs",
    )
    t.add_argument("--seed", type=int, default=1, help="seed for every random draw (default: 1)")
    t.add_argument(
        "--print-every",
        type=int,
        default=None,
        help="print the cost every N iterations",
    )
    t.add_argument("--dtype", default="float32", choices=("float32", "float64"))
    t.add_argument("--out", default=None, help="run folder (default: runs/<data name>)")
    t.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the run already in --out (it is kept until the new one is complete)",
    )
    t.add_argument(
        "--task",
        choices=("classification", "regression"),
        default=None,
        help="what the labels are (default: decided from them and printed; see docs/errors.md)",
    )
    t.add_argument(
        "--resume",
        default=None,
        metavar="RUN_DIR",
        help="continue the unfinished run of RUN_DIR (its --out) from its last checkpoint, "
        "with the flags it started with",
    )
    t.add_argument(
        "--checkpoint-every",
        type=int,
        default=None,
        metavar="N",
        help="write the training state every N epochs (it is also written every "
        "--checkpoint-seconds, at the end and on Ctrl-C)",
    )
    t.add_argument(
        "--checkpoint-seconds",
        type=float,
        default=30.0,
        metavar="S",
        help="write the training state after S seconds since the last (default: 30)",
    )
    t.add_argument(
        "--augment",
        default=None,
        metavar="LIST",
        help="image data: augment training batches, e.g. flip,crop,color (or pca_color)",
    )
    t.add_argument("--quiet", action="store_true", help="no progress bar or cost lines")

    e = sub.add_parser(
        "evaluate",
        help="loss and accuracy of a saved model on data",
        description="Print the loss and accuracy of MODEL on DATA.",
    )
    e.add_argument("model", help="a model.npz written by layerwise")
    e.add_argument("data", help="built-in name or a .csv/.npz/.h5 file with labels")

    p = sub.add_parser(
        "predict",
        help="predictions of a saved model",
        description="Predict DATA (.csv/.npz/.h5 file, or a picture) with MODEL.",
    )
    p.add_argument("model", help="a model.npz written by layerwise")
    p.add_argument("data", help="a .csv/.npz/.h5 file, or a .jpg/.png picture")
    p.add_argument("--out", default=None, help="write predictions to this CSV file")

    g = sub.add_parser(
        "gradcheck",
        help="check back-propagation on a small random network",
        description="Compare back-propagation with two-sided differences on "
        "a small random network; exit 1 when the difference is above threshold.",
    )
    g.add_argument("--layers", type=_int_list, default=[5, 3], help="hidden sizes (default: 5,3)")
    g.add_argument("--activation", default="relu", help="hidden activation (default: relu)")
    g.add_argument("--output", default="sigmoid", choices=("sigmoid", "softmax", "linear"))
    g.add_argument("--examples", type=int, default=10, help="m (default: 10)")
    g.add_argument("--features", type=int, default=4, help="n_x (default: 4)")
    g.add_argument("--epsilon", type=float, default=1e-7, help="the step (default: 1e-7)")
    g.add_argument("--threshold", type=float, default=1e-7)
    g.add_argument("--seed", type=int, default=0)

    c = sub.add_parser(
        "course",
        help="run one of the course's experiments",
        description="Run a course experiment; `layerwise course NAME --help` shows its flags.",
    )
    c.add_argument("name", choices=list(EXPERIMENTS), help="experiment")
    c.add_argument("args", nargs=argparse.REMAINDER, help="the experiment's own flags")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``layerwise`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "course":
            return int(get_main(args.name)(list(args.args)) or 0)
        return commands.COMMANDS[args.command](args)
    except TrainingDivergedError as exc:
        print(f"layerwise: error: {exc}", file=sys.stderr)
        return EXIT_DIVERGED
    except (LayerwiseError, OSError) as exc:
        print(f"layerwise: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        print(f"layerwise: {exc or 'interrupted'}", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
