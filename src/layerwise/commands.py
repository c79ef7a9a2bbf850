"""What each ``layerwise`` sub-command does (the argument parsing is in ``cli``)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from .atomic import atomic_write_text
from .augment import get_augment
from .builders import PRESETS, cnn_layers, hidden_layers
from .callbacks import EarlyStopping
from .checks import in_range, probability
from .data import (
    BUILTIN_DATASETS,
    check_X,
    load_csv,
    load_dataset,
    load_h5,
    load_npz,
    open_rows,
    read_picture,
    train_test_split,
)
from .data.blocks import Blocks
from .data.task import Task, decide_task, encode_labels
from .errors import ConfigError, DataError
from .gradcheck import gradcheck
from .layers import Dense, YoloHead
from .metrics import bias_variance
from .network import Sequential
from .onnx_io import OPSET, read_onnx, to_onnx
from .plots import image_grid
from .runs import RUN_ARGS, RunFolder, read_run_args, write_run
from .schedules import SCHEDULES, get_schedule
from .yolo import decode

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp")


def load_labelled(spec: str, seed: int = 1) -> tuple[np.ndarray, np.ndarray, list[str] | None]:
    """(X, Y, class names or None) for a built-in name or a data file."""
    if Path(spec).suffix.lower() in (".h5", ".hdf5") and Path(spec).is_file():
        X, Y, classes = load_h5(spec)
        names = [c.decode() if isinstance(c, bytes) else str(c) for c in np.ravel(classes)]
        return X, Y, names
    X, Y = load_dataset(spec, seed=seed)
    return X, Y, None


def _decay(args: argparse.Namespace):
    if args.decay is None:
        if args.decay_rate is not None:
            raise ConfigError("--decay-rate needs --decay (inverse_time, exponential, ...)")
        return None
    cls = SCHEDULES.get(args.decay)
    if cls is None:
        return get_schedule(args.decay)  # raises the one-line error
    if args.decay_rate is None:
        return cls()
    first = {"exponential": "base", "sqrt_epoch": "k", "sqrt_step": "k"}.get(
        args.decay, "decay_rate"
    )
    return cls(**{first: args.decay_rate})


def apply_presets(args: argparse.Namespace, name: str) -> argparse.Namespace:
    """Fill every train flag left at None from the data set's preset."""
    cnn = getattr(args, "model", "dense") == "cnn"
    key = f"{name}-cnn" if cnn else name
    preset = PRESETS.get(key, PRESETS["files-cnn" if cnn else "files"])
    for key, value in preset.items():
        if getattr(args, key, None) is None:
            setattr(args, key, value)
    if not args.batch_size:
        args.batch_size = None
    return args


def _splits(args: argparse.Namespace, X: np.ndarray, Y: np.ndarray) -> dict[str, tuple]:
    """{"train": (X, Y), "dev": (X, Y) or (None, None), "test": likewise} per the flags."""
    stratify = Y.shape[0] == 1 and np.issubdtype(Y.dtype, np.integer)
    X_train, Y_train, X_test, Y_test = (
        train_test_split(X, Y, args.test_split, seed=args.seed, stratify=stratify)
        if args.test_split > 0
        else (X, Y, None, None)
    )
    X_dev = Y_dev = None
    if args.validation_split > 0:
        X_train, Y_train, X_dev, Y_dev = train_test_split(
            X_train, Y_train, args.validation_split, seed=args.seed + 1, stratify=stratify
        )
    return {"train": (X_train, Y_train), "dev": (X_dev, Y_dev), "test": (X_test, Y_test)}


def _tail_splits(args: argparse.Namespace, X: np.ndarray, Y: np.ndarray) -> dict[str, tuple]:
    """Rows on disk split by position (write them shuffled): train, dev, then test the
    last rows. Train and test stay on disk; the dev set is read into memory."""
    if args.model == "cnn":
        raise ConfigError("--model cnn reads its pictures into memory: give an .npz or .h5 file")
    m = X.shape[0]
    n_test = int(round(m * args.test_split))
    n_dev = int(round((m - n_test) * args.validation_split))
    a, b = m - n_test - n_dev, m - n_test
    dev = (np.array(X[a:b]).T, Y[:, a:b]) if n_dev else (None, None)
    test = (X[b:], Y[:, b:]) if n_test else (None, None)
    return {"train": (X[:a], Y[:, :a]), "dev": dev, "test": test}


def _evaluate(model: Sequential, X: np.ndarray, Y: np.ndarray) -> dict[str, float]:
    """model.evaluate, by chunks for rows on disk (each mean weighted by its examples)."""
    if not isinstance(X, np.memmap):
        return model.evaluate(X, Y)
    totals: dict[str, float] = {}
    for X_c, Y_c in Blocks(X, Y).chunks():
        for key, value in model.evaluate(X_c, Y_c).items():
            totals[key] = totals.get(key, 0.0) + value * Y_c.shape[-1]
    return {key: value / X.shape[0] for key, value in totals.items()}


def as_images(X: np.ndarray) -> np.ndarray:
    """Columns (n_x, m) of square pictures as images (m, p, p, 3), or (m, p, p, 1) for
    grey ones (n_x = p²): the course's flattening undone."""
    n_x, m = X.shape
    for channels in (3, 1):
        p = int(round((n_x / channels) ** 0.5))
        if channels * p * p == n_x:
            return np.ascontiguousarray(X.T.reshape(m, p, p, channels))
    raise DataError(f"--model cnn needs square pictures: n_x = {n_x} is neither 3·p² nor p²")


def _model(args: argparse.Namespace, task: Task, X_train: np.ndarray) -> Sequential:
    units, out_act = task.output
    probability(args.keep_prob, "--keep-prob")
    if args.model == "cnn":
        top = float(np.max(X_train))
        scale = 1.0 / top if top > 1.0 else 1.0
        layers = cnn_layers(args.layers, args.dense, scale, args.keep_prob, args.activation)
    else:
        layers = hidden_layers(
            args.layers, args.activation, args.init, args.batch_norm, args.keep_prob
        )
    layers.append(Dense(units, out_act))
    model = Sequential(layers, seed=args.seed, dtype=args.dtype, normalize=args.normalize)
    model.classes_ = task.classes
    return model


def _scores(model: Sequential, splits: dict[str, tuple]) -> dict:
    """Loss and accuracy per split (printed), and the bias/variance diagnosis."""
    metrics: dict = {}
    for split, (Xs, Ys) in splits.items():
        if Xs is None:
            continue
        result = _evaluate(model, Xs, Ys)
        metrics[f"{split}_loss"] = result["loss"]
        if "accuracy" in result:
            metrics[f"{split}_accuracy"] = result["accuracy"]
            print(f"{split} accuracy: {result['accuracy']:.4f}")
        else:
            print(f"{split} loss: {result['loss']:.6f}")
    X_train = splits["train"][0]
    if isinstance(X_train, np.memmap):  # rows on disk: the first ones tell
        X_train = np.array(X_train[:4096]).T
    if model.classes_ and np.unique(model.predict(X_train)).size == 1:
        print(
            "layerwise: hint: the model predicts one class for every example; try "
            "--normalize (or pixels divided by 255), a smaller --lr or more --iterations",
            file=sys.stderr,
        )
    if "dev_accuracy" in metrics:
        report = bias_variance(1 - metrics["train_accuracy"], 1 - metrics["dev_accuracy"])
        metrics["diagnosis"] = report.verdict
        print(report)
    return metrics


#: the fraction ``layerwise train`` holds out as the test set by default (``--test-split``)
TEST_SPLIT = 0.2


def _resumed_args(args: argparse.Namespace) -> argparse.Namespace:
    """The flags of the unfinished run in ``--resume DIR`` (saved when it started)."""
    flags = read_run_args(args.resume, "run")
    keep = {k: getattr(args, k) for k in ("resume", "quiet", "overwrite")}
    return argparse.Namespace(**{**flags, **keep, "out": args.resume})


def _fit(args: argparse.Namespace, model: Sequential, splits: dict, callbacks, folder):
    """model.fit with the command's flags, checkpointing into the run's partial folder."""
    (X_train, Y_train), dev = splits["train"], splits["dev"]
    try:
        return model.fit(
            X_train,
            Y_train,
            epochs=args.iterations,
            learning_rate=args.lr,
            optimizer=args.optimizer,
            batch_size=args.batch_size,
            l2=args.l2,
            decay=_decay(args),
            validation_data=None if dev[0] is None else dev,
            callbacks=callbacks,
            verbose=0 if args.quiet else 1,
            print_every=args.print_every,
            checkpoint=folder.checkpoint_path,
            checkpoint_every=args.checkpoint_every,
            checkpoint_seconds=args.checkpoint_seconds,
            resume=bool(args.resume),
            augment=args.augment,
        )
    except KeyboardInterrupt:
        raise KeyboardInterrupt(
            f"interrupted; the training state is saved: continue with "
            f"layerwise train --resume {folder.target}"
        ) from None


def _augmented(spec: str, X: np.ndarray, path: Path) -> Path:
    """A grid of four training pictures, each as given and three times augmented."""
    augment = get_augment(spec).fit(X)
    rng = np.random.default_rng(0)
    originals = X[:4]
    rows = [originals] + [augment(originals, rng) for _ in range(3)]
    images = np.stack(rows, axis=1).reshape(-1, *X.shape[1:])
    if images.shape[-1] == 1:
        images = np.repeat(images, 3, axis=-1)
    titles = [f"{'original' if k % 4 == 0 else 'augmented'}" for k in range(len(images))]
    return image_grid(np.clip(images, 0, 1), titles, path, columns=4, suptitle=f"--augment {spec}")


def train(args: argparse.Namespace) -> int:
    args = _resumed_args(args) if args.resume else args
    name = Path(args.data).stem if Path(args.data).suffix else args.data
    labels = getattr(args, "labels", None)
    on_disk = labels is not None or Path(args.data).suffix.lower() == ".npy"
    args = apply_presets(args, "on-disk" if on_disk else name)
    _decay(args)  # every flag checked before any work
    X, Y, classes = (
        (*open_rows(args.data, labels), None)
        if on_disk
        else load_labelled(args.data, seed=args.seed)
    )
    task = decide_task(Y, args.task, classes)
    if not args.quiet:
        print(task.description)
    splits = (_tail_splits if on_disk else _splits)(args, X, task.Y)
    if args.model == "cnn":
        splits = {k: (None if Xs is None else as_images(Xs), Ys) for k, (Xs, Ys) in splits.items()}
    model = _model(args, task, splits["train"][0])
    stopper = None
    if args.early_stopping is not None:
        if splits["dev"][0] is None:
            raise ConfigError("--early-stopping needs a dev set: give --validation-split")
        stopper = EarlyStopping("val_loss", patience=args.early_stopping, restore_best_weights=True)
    out = Path(args.out or Path("runs") / name)
    # Checked, and locked, before training; the results go to folder.partial and become
    # the run folder only when all are written.
    with RunFolder(out, overwrite=args.overwrite) as folder:
        if not args.resume:
            folder.start_fresh()
            atomic_write_text(folder.partial / RUN_ARGS, json.dumps(vars(args), indent=2))
        start = time.perf_counter()
        try:
            history = _fit(args, model, splits, [stopper] if stopper else [], folder)
        except BaseException:
            if not folder.checkpoint_path.exists():  # nothing to resume: leave nothing
                (folder.partial / RUN_ARGS).unlink(missing_ok=True)
            raise
        seconds = time.perf_counter() - start
        if not args.quiet:
            if stopper is not None and stopper.message:
                print(stopper.message)
            model.summary()
        metrics = {
            "data": args.data,
            "m_train": int(splits["train"][1].shape[1]),
            "epochs_run": len(history.epoch),
            "train_seconds": round(seconds, 3),
            **_scores(model, splits),
        }
        unit = "iteration" if args.batch_size is None else "epoch"
        X_train, Y_train = splits["train"]
        written = write_run(
            folder.partial,
            model,
            history,
            metrics,
            X=None if on_disk else X_train,
            Y=Y_train,
            cost_label=unit,
            test=None if on_disk else splits["test"],
        )
        if get_augment(args.augment) is not None and model.example_axis == 0:
            written.append(_augmented(args.augment, X_train, folder.partial / "augmented.png"))
        for leftover in (folder.checkpoint_path, folder.partial / RUN_ARGS):
            leftover.unlink(missing_ok=True)
        folder.commit()
    written = [folder.target / p.relative_to(folder.partial) for p in written]
    print(f"wrote {', '.join(str(p) for p in written)}")
    return 0


def evaluate(args: argparse.Namespace) -> int:
    model = Sequential.load(args.model)
    seed = 1 if model.seed is None else int(model.seed)
    X, Y, _ = load_labelled(args.data, seed=seed)
    if model.classes_:
        Y = encode_labels(Y, model.classes_)
    if args.data in BUILTIN_DATASETS:  # never score the examples it was trained on
        stratify = Y.shape[0] == 1 and np.issubdtype(Y.dtype, np.integer)
        _, _, X, Y = train_test_split(X, Y, TEST_SPLIT, seed=seed, stratify=stratify)
        print(
            f"scoring the test split of {args.data}: the {TEST_SPLIT:.0%} that "
            f"layerwise train --seed {seed} holds out"
        )
    X = as_images(X) if model.example_axis == 0 and X.ndim == 2 else X
    result = model.evaluate(X, Y)
    for key, value in result.items():
        print(f"{key}: {value:.6f}")
    return 0


def _class_name(model: Sequential, k: int) -> str:
    if model.classes_ and 0 <= k < len(model.classes_):
        return model.classes_[k]
    return str(k)


def _picture(model: Sequential, path: Path) -> tuple[np.ndarray, tuple[int, int]]:
    """(the picture as this model's input: a column (n_x, 1) or an image
    (1, n_H, n_W, 3), the picture's own (height, width))."""
    shape = model.input_dim
    if model.example_axis == 0:
        n_H, n_W, n_C = shape
        if n_H != n_W or n_C != 3:
            raise DataError(f"this model takes images {tuple(shape)}, not square RGB pictures")
        column, size = read_picture(path, num_px=n_H)
        return column.T.reshape(1, n_H, n_W, 3), size
    n_x = int(shape)
    num_px = int(round((n_x / 3) ** 0.5))
    if 3 * num_px * num_px != n_x:
        raise DataError(f"this model takes n_x = {n_x} inputs, not a square RGB picture")
    return read_picture(path, num_px=num_px)


def _detections(model: Sequential, path: Path, threshold: float, out: str | None) -> int:
    """A detector's boxes in the picture's own pixels, one line each (or a CSV)."""
    head = model.layers[-1]
    X, size = _picture(model, path)
    found = decode(model.predict_proba(X), head.classes, size, score_threshold=threshold)[0]
    rows = [
        (_class_name(model, int(c)), float(p), *(round(float(v), 1) for v in box))
        for box, p, c in zip(found.boxes, found.scores, found.classes)
    ]
    if out:
        lines = ["class,score,y1,x1,y2,x2", *(",".join(map(str, r)) for r in rows)]
        atomic_write_text(out, "\n".join(lines) + "\n")
        print(f"wrote {len(rows)} detections to {out}")
        return 0
    H, W = size
    print(f"{path.name}: {len(rows)} object(s) with p_c·c >= {threshold:g} ({H}×{W} pixels)")
    for name, p, y1, x1, y2, x2 in rows:
        print(f"  {name} {p:.3f} at (y1, x1, y2, x2) = ({y1:g}, {x1:g}, {y2:g}, {x2:g})")
    return 0


def predict(args: argparse.Namespace) -> int:
    model = Sequential.load(args.model)
    path = Path(args.data)
    if isinstance(model.layers[-1], YoloHead):
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            raise DataError(
                f"this model is a detector: give it a picture (.png, .jpg), not {path.name}"
            )
        return _detections(model, path, args.threshold, args.out)
    if path.suffix.lower() in IMAGE_SUFFIXES:
        A = model.predict_proba(_picture(model, path)[0])
        if A.shape[0] == 1:
            k, p = int(A[0, 0] > 0.5), float(A[0, 0] if A[0, 0] > 0.5 else 1 - A[0, 0])
        else:
            k = int(np.argmax(A[:, 0]))
            p = float(A[k, 0])
        print(f"{path.name}: {_class_name(model, k)} (probability {p:.4f})")
        return 0
    X, _ = _features(args.data, model)
    labels = model.predict(as_images(X) if model.example_axis == 0 and X.ndim == 2 else X)
    if model.classes_:
        values, column = [_class_name(model, int(k)) for k in np.ravel(labels)], "class"
    else:
        values, column = [repr(float(v)) for v in np.ravel(labels)], "prediction"
    if args.out:
        atomic_write_text(args.out, "\n".join([column, *values]) + "\n")
        print(f"wrote {len(values)} predictions ({column}) to {args.out}")
    else:
        for value in values:
            print(value)
    return 0


def _features(spec: str, model: Sequential) -> tuple[np.ndarray, np.ndarray | None]:
    """X from a data file. A CSV may lack the label column (then it has n[0] columns,
    else n[0] + 1 with the label last); an .npz may hold X without Y."""
    path = Path(spec)
    n_x = int(model.input_dim) if np.isscalar(model.input_dim) else None
    if path.suffix.lower() == ".csv" and path.is_file() and n_x is not None:
        X, Y = load_csv(path)  # the last column comes back as Y
        if X.shape[0] == n_x:
            return X, Y
        if X.shape[0] + 1 == n_x:  # no label column: the "label" is the last feature
            return check_X(np.vstack([X, Y])), None
        raise DataError(
            f"{path} has {X.shape[0] + 1} columns but this model takes n_x = {n_x} features: "
            f"expected {n_x} columns, or {n_x + 1} with the label last"
        )
    if path.suffix.lower() == ".npz" and path.is_file():
        return load_npz(path, require_y=False)  # headers checked before anything is read
    X, Y, _ = load_labelled(spec)
    return X, Y


def export_command(args: argparse.Namespace) -> int:
    model = Sequential.load(args.model)
    path = to_onnx(model, args.onnx)
    layout = "(m, n_x) rows" if model.example_axis == -1 else "NHWC images"
    print(f"wrote {path}: input {layout}, float32, ONNX opset {OPSET}")
    return 0


def import_command(args: argparse.Namespace) -> int:
    result = read_onnx(args.onnx)
    path = result.model.save(args.model)
    result.model.summary()
    for note in result.notes:
        print(f"note: {note}")
    print(f"wrote {path}")
    return 0


def gradcheck_command(args: argparse.Namespace) -> int:
    in_range(args.epsilon, "--epsilon", 0.0, low_open=True)
    rng = np.random.default_rng(args.seed)
    X = rng.standard_normal((args.features, args.examples))
    if args.output == "softmax":
        Y = rng.integers(0, 3, (1, args.examples))
        out = Dense(3, "softmax")
    elif args.output == "linear":
        Y = rng.standard_normal((1, args.examples))
        out = Dense(1, "linear")
    else:
        Y = rng.integers(0, 2, (1, args.examples))
        out = Dense(1, "sigmoid")
    model = Sequential(
        [*(Dense(n, args.activation) for n in args.layers), out],
        input_dim=args.features,
        seed=args.seed,
        dtype="float64",
    )
    difference = gradcheck(model, X, Y, epsilon=args.epsilon)
    ok = difference < args.threshold
    dims = [args.features, *args.layers, out.units]
    print(f"network {dims}, {args.activation} hidden, {args.output} output, m = {args.examples}")
    print(
        f"relative difference = {difference:.3e} (threshold {args.threshold:g}): "
        f"{'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


COMMANDS = {
    "train": train,
    "evaluate": evaluate,
    "predict": predict,
    "gradcheck": gradcheck_command,
    "export": export_command,
    "import": import_command,
}
