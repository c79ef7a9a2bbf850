"""The ``layerwise`` command: train, evaluate, predict, gradcheck, course.

Every error the project raises on purpose becomes one line on stderr and exit code 2.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import warnings
from collections.abc import Sequence

from . import __version__, commands
from .activations import get_activation
from .augment import get_augment
from .builders import PRESETS
from .checks import in_range, non_negative_int, positive_int, probability, seed
from .course import check as course_check
from .course.experiments import EXPERIMENTS, get_main
from .errors import ConfigError, DataWarning, LayerwiseError, TrainingDivergedError
from .initializers import get_initializer
from .optimizers import get_optimizer
from .tuning import command as tune_command
from .yolo import SHOW_THRESHOLD

#: exit codes: 2 bad input, 3 training diverged (NaN/inf), 130 Ctrl-C, and 141 (128 +
#: SIGPIPE, as Unix tools end) when the reader of the output went away (``| head``)
EXIT_DIVERGED = 3
EXIT_BROKEN_PIPE = 141


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


class UsageError(LayerwiseError, ValueError):
    """A flag the command line refuses (reported like every other error: one line, 2)."""


class _Parser(argparse.ArgumentParser):
    """argparse, whose refusals become one ``layerwise: error:`` line naming the flag."""

    def error(self, message: str):
        flag = re.match(
            r"argument (\S+): the (value|seed|fraction|rate|keep probability) ", message
        )
        if flag:
            message = flag.group(1) + " " + message[flag.end() :]
        named = re.match(r"argument (\S+): (?=unknown )", message)
        if named:  # a name checked by _name_for: the message already says what was expected
            flag, message = True, named.group(1) + ": " + message[named.end() :]
        raise UsageError(f"{message} (see {self.prog} --help)" if not flag else message)


def _argument(check):
    """An argparse type from a ``checks`` function: its one-line error becomes argparse's."""

    def parse(text: str):
        try:
            return check(text)
        except ConfigError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from None

    parse.__name__ = check.__name__
    return parse


def _name_for(factory):
    """An argparse type that checks a name with ``factory`` (which raises ConfigError for
    an unknown one) when the flags are read, before any data is loaded."""

    def name(text: str) -> str:
        factory(text)
        return text

    name.__name__ = factory.__name__.removeprefix("get_")
    return _argument(name)


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ConfigError(f"expected a number, got {text!r}") from None


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ConfigError(f"expected a whole number, got {text!r}") from None


_fraction = _argument(lambda t: in_range(_number(t), "the fraction", 0.0, 0.5, high_open=False))
_positive = _argument(lambda t: positive_int(_integer(t), "the value"))
_count = _argument(lambda t: non_negative_int(_integer(t), "the value"))
_rate = _argument(lambda t: in_range(_number(t), "the rate", 0.0))
_step = _argument(lambda t: in_range(_number(t), "the value", 0.0, low_open=True))
_probability = _argument(lambda t: probability(_number(t), "the keep probability"))
_seed = _argument(lambda t: seed(_integer(t), "the seed"))


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
    parser = _Parser(
        prog="layerwise",
        description="Deep learning from scratch in NumPy, in the course's notation.",
    )
    parser.add_argument("--version", action="version", version=f"layerwise {__version__}")
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
        help="built-in name (flower, digits) or a .csv/.npz/.h5 file (default: flower); "
        "an .npy of rows (m, n_x), one example per row, is trained from disk one block at "
        "a time (with --labels)",
    )
    t.add_argument(
        "--labels",
        default=None,
        metavar="LABELS.npy",
        help="labels (m,) or (m, n_y) of an on-disk --data X.npy, one row per example; "
        "train, dev and test are its first, next and last rows (see docs/out_of_core.md)",
    )
    t.add_argument(
        "--layers",
        type=_int_list,
        default=None,
        help="hidden layer sizes, e.g. 4 or 20,7,5",
    )
    t.add_argument(
        "--activation",
        type=_name_for(get_activation),
        default=None,
        help="hidden activation: relu, leaky_relu, tanh, sigmoid, linear",
    )
    t.add_argument(
        "--init",
        type=_name_for(get_initializer),
        default=None,
        help="zeros, random, xavier or he (default: He for relu/leaky_relu, Xavier otherwise)",
    )
    t.add_argument(
        "--optimizer",
        type=_name_for(get_optimizer),
        default=None,
        help="gd, momentum, rmsprop or adam",
    )
    t.add_argument("--lr", type=_step, default=None, help="learning rate alpha")
    t.add_argument(
        "--iterations",
        type=_positive,
        default=None,
        help="epochs (iterations for full batch)",
    )
    t.add_argument(
        "--batch-size", type=_count, default=None, help="mini-batch size (0: full batch)"
    )
    t.add_argument("--l2", type=_rate, default=0.0, help="L2 regularisation lambda (default: 0)")
    t.add_argument(
        "--keep-prob",
        type=_probability,
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
    t.add_argument("--decay-rate", type=_rate, default=None, help="decay_rate (or base, or k)")
    t.add_argument(
        "--normalize",
        action="store_true",
        help="standardise inputs with the training set's mean and variance",
    )
    t.add_argument(
        "--test-split",
        type=_fraction,
        default=commands.TEST_SPLIT,
        help="fraction in [0, 0.5] held out as the test set (default: 0.2)",
    )
    t.add_argument(
        "--validation-split",
        type=_fraction,
        default=None,
        help="fraction in [0, 0.5] of the training set held out as the dev set (0: none)",
    )
    t.add_argument(
        "--early-stopping",
        type=_count,
        default=None,
        metavar="PATIENCE",
        help="stop when the dev loss has not improved for PATIENCE epochs",
    )
    t.add_argument("--seed", type=_seed, default=1, help="seed for every random draw (default: 1)")
    t.add_argument(
        "--print-every",
        type=_positive,
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
        "--model",
        choices=("dense", "cnn"),
        default="dense",
        help="dense: fully connected layers; cnn: (conv 3x3 + max-pool 2) blocks of "
        "--layers filters, for square pictures (default: dense)",
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
        type=_positive,
        default=None,
        metavar="N",
        help="write the training state every N epochs (it is also written every "
        "--checkpoint-seconds, at the end and on Ctrl-C)",
    )
    t.add_argument(
        "--checkpoint-seconds",
        type=_step,
        default=30.0,
        metavar="S",
        help="write the training state after S seconds since the last (default: 30)",
    )
    t.add_argument(
        "--augment",
        type=_name_for(get_augment),
        default=None,
        metavar="LIST",
        help="image data: augment training batches, e.g. flip,crop,color (or pca_color); "
        "none turns off a preset's augmentation",
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
    p.add_argument(
        "--threshold",
        type=_argument(lambda t: probability(_number(t), "--threshold")),
        default=SHOW_THRESHOLD,
        help=f"detectors: the p_c·c a box must reach (default: {SHOW_THRESHOLD})",
    )

    x = sub.add_parser(
        "export",
        help="write a saved model as an ONNX file",
        description="Write MODEL as an ONNX file (float32, opset 17; needs the onnx extra). "
        "The graph takes one example per row, (m, n_x), or NHWC images; see docs/onnx.md.",
    )
    x.add_argument("model", help="a model.npz written by layerwise")
    x.add_argument("onnx", help="the ONNX file to write, e.g. model.onnx")

    i = sub.add_parser(
        "import",
        help="turn an ONNX file into a layerwise model",
        description="Convert an ONNX graph of supported operators (Gemm, Conv, pooling, "
        "activations, BatchNormalization, ...; see docs/onnx.md) into a layerwise model.npz.",
    )
    i.add_argument("onnx", help="an .onnx file, e.g. exported from PyTorch")
    i.add_argument("model", help="the layerwise model file to write, e.g. model.npz")

    g = sub.add_parser(
        "gradcheck",
        help="check back-propagation on a small random network",
        description="Compare back-propagation with two-sided differences on "
        "a small random network; exit 1 when the difference is above threshold.",
    )
    g.add_argument("--layers", type=_int_list, default=[5, 3], help="hidden sizes (default: 5,3)")
    g.add_argument("--activation", default="relu", help="hidden activation (default: relu)")
    g.add_argument("--output", default="sigmoid", choices=("sigmoid", "softmax", "linear"))
    g.add_argument("--examples", type=_positive, default=10, help="m (default: 10)")
    g.add_argument("--features", type=_positive, default=4, help="n_x (default: 4)")
    g.add_argument("--epsilon", type=_step, default=1e-7, help="the step (default: 1e-7)")
    g.add_argument("--threshold", type=_step, default=1e-7)
    g.add_argument("--seed", type=_seed, default=0)

    c = sub.add_parser(
        "course",
        help="run one of the course's experiments",
        description="Run a course experiment; `layerwise course NAME --help` shows its flags.",
    )
    c.add_argument("name", choices=list(EXPERIMENTS), help="experiment")
    c.add_argument("args", nargs=argparse.REMAINDER, help="the experiment's own flags")

    k = sub.add_parser(
        "check",
        help="grade your own implementation of a course assignment",
        description="Run the course functions defined in FILE on the course's seeded inputs "
        "and compare them with layerwise.course; exit 0 when all pass, 1 otherwise.",
    )
    k.add_argument("file", help="your .py file, e.g. dnn_app_utils.py")
    k.add_argument("--module", default=None, help="course module (default: the best match)")
    k.add_argument("--timeout", type=_number, default=5.0, help="seconds per function")
    tune_command.add_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``layerwise`` command; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        with warnings.catch_warnings():
            warnings.simplefilter("always", DataWarning)
            warnings.showwarning = _hint
            return _run(args)
    except TrainingDivergedError as exc:
        print(f"layerwise: error: {exc}", file=sys.stderr)
        return EXIT_DIVERGED
    except BrokenPipeError:  # the reader went away (``| head``): stop quietly, as Unix tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except (LayerwiseError, OSError) as exc:
        print(f"layerwise: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as exc:
        print(f"layerwise: {exc or 'interrupted'}", file=sys.stderr)
        return 130


def _hint(message, category, *args, **kwargs) -> None:
    print(f"layerwise: hint: {message}", file=sys.stderr)


def _run(args: argparse.Namespace) -> int:
    if args.command == "course":
        return int(get_main(args.name)(list(args.args)) or 0)
    if args.command == "check":
        return course_check.main(args.file, args.module, timeout=args.timeout)
    if args.command == "tune":
        return tune_command.run(args)
    return commands.COMMANDS[args.command](args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
