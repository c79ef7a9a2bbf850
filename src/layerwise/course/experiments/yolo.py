"""Course 4, week 3: YOLO from scratch, a grid detector trained end to end in NumPy.

Generates seeded synthetic scenes (``layerwise.data.make_shapes``: squares, circles and
triangles on noisy backgrounds, 48 × 48 by default), encodes them as YOLO targets on an
S × S grid with B anchor boxes (``layerwise.yolo.encode_targets``), trains a fully
convolutional detector (conv/pool backbone, 1×1 conv head, ``YoloHead``) with
``YoloLoss`` and Adam, then decodes the held-out scenes (corners → ``yolo_filter_boxes`` →
per-class non-max suppression) and prints mAP@0.5 overall and per class, with and without
non-max suppression (``layerwise.metrics.mean_average_precision``, COCO's 101-point AP).
Writes ``detections.png`` (test scenes with the predicted boxes, class names and scores,
and the true boxes), ``learning_curve.png`` (train and dev cost, dev mAP per epoch),
``detector.npz`` and ``metrics.json`` into ``--out``.
"""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path

import numpy as np

from ... import yolo
from ...atomic import atomic_write, atomic_write_text
from ...callbacks import Callback
from ...data.shapes import SHAPE_CLASSES, make_shapes
from ...io import write_model
from ...metrics import mean_average_precision
from ...network import Sequential
from ...optimizers import Adam
from ...schedules import ExponentialDecay
from ._common import base_parser, output_dir

#: anchor boxes (p_w, p_h), fractions of the image: shapes are 0.15 ... 0.4 of it, and a
#: box goes to the small anchor below about 0.26, to the large one above
ANCHORS = ((0.2, 0.2), (0.33, 0.33))
#: p_c · c needed for a box to count in the mAP (low: AP rewards recall) and to be drawn
SCORE_THRESHOLD = 0.05
SHOW_THRESHOLD = yolo.SHOW_THRESHOLD
PRED_COLOUR, TRUE_COLOUR = "#ff2bd6", "#39ff14"


def _int_list(text: str) -> tuple[int, ...]:
    return tuple(int(v) for v in text.split(","))


def build_parser():
    parser = base_parser("yolo", __doc__.splitlines()[0])
    add = parser.add_argument
    add("--seed", type=int, default=1, help="seeds the data and the model (default: %(default)s)")
    add("--train", type=int, default=8000, help="training scenes (default: %(default)s)")
    add("--test", type=int, default=500, help="held-out scenes (default: %(default)s)")
    add("--dev", type=int, default=200, help="dev scenes for the curves (default: %(default)s)")
    add("--image-size", type=int, default=48, help="n_H = n_W (default: %(default)s)")
    add("--epochs", type=int, default=8, help="passes over the train set (default: %(default)s)")
    add("--batch-size", type=int, default=32, help="mini-batch size (default: %(default)s)")
    add("--learning-rate", type=float, default=3e-3, help="Adam's alpha0 (default: %(default)s)")
    add("--decay", type=float, default=0.8, help="alpha0 · decay^epoch (default: %(default)s)")
    add(
        "--filters",
        type=_int_list,
        default=(16, 16, 32, 64),
        help="3×3 conv filters, a 2×2 max-pool after each but the last (default: 16,16,32,64)",
    )
    add(
        "--cross-entropy",
        action="store_true",
        help="cross-entropy for objectness and classes (default: YOLO v1's squared error)",
    )
    add("--quiet", action="store_true", help="no cost line per epoch")
    return parser


class _DevMAP(Callback):
    """Records the dev set's mAP@0.5 (with NMS) after every epoch."""

    def __init__(self, X, truth, image_shape) -> None:
        self.X, self.truth, self.image_shape = X, truth, image_shape
        self.values: list[float] = []

    def on_epoch_end(self, epoch: int, logs: dict) -> None:
        found = yolo.decode(
            self.model.predict_proba(self.X), len(SHAPE_CLASSES), self.image_shape,
            score_threshold=SCORE_THRESHOLD,
        )  # fmt: skip
        self.values.append(mean_average_precision(found, self.truth, 0.5).mean)
        logs["val_mAP"] = self.values[-1]


def _one_blas_thread():
    """One BLAS thread while training: on a busy 2-core machine a multithreaded BLAS spins
    between the many small matrix products and runs several times slower (see
    docs/architecture.md). A no-op without threadpoolctl (the ``bench`` extra)."""
    try:
        from threadpoolctl import threadpool_limits  # noqa: PLC0415 - optional extra
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(1)


def _pyplot():
    import matplotlib  # noqa: PLC0415 - matplotlib loads only when a plot is drawn

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt  # noqa: PLC0415 - after choosing the Agg backend

    return plt


def _save(fig, path: Path) -> Path:
    try:
        return atomic_write(path, lambda fh: fig.savefig(fh, dpi=110, format="png"))
    finally:
        _pyplot().close(fig)


def write_detections(path, images, found, boxes, labels, classes=SHAPE_CLASSES, columns=4):
    """A grid of scenes: predicted boxes (magenta, with class name and score) and true
    boxes (green, dashed). Boxes are (y1, x1, y2, x2) pixels."""
    plt = _pyplot()
    from matplotlib import patheffects  # noqa: PLC0415 - loaded with matplotlib

    outline = [patheffects.withStroke(linewidth=3, foreground="black")]
    k = len(images)
    rows = -(-k // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(3.2 * columns, 3.35 * rows + 0.4))
    for ax in np.ravel(axes):
        ax.axis("off")
    for ax, img, det, tb, tl in zip(np.ravel(axes), images, found, boxes, labels):
        ax.imshow(img, interpolation="nearest")
        for y1, x1, y2, x2 in tb:  # imshow centres pixel (r, c) at (c, r): shift by 0.5
            ax.add_patch(
                plt.Rectangle(
                    (x1 - 0.5, y1 - 0.5), x2 - x1, y2 - y1, fill=False, ec=TRUE_COLOUR, lw=1.6,
                    ls="--", path_effects=outline,
                )
            )  # fmt: skip
        for (y1, x1, y2, x2), s, c in zip(det.boxes, det.scores, det.classes):
            ax.add_patch(
                plt.Rectangle(
                    (x1 - 0.5, y1 - 0.5), x2 - x1, y2 - y1, fill=False, ec=PRED_COLOUR, lw=1.6,
                    path_effects=outline,
                )
            )  # fmt: skip
            top = y1 >= 0.1 * img.shape[0]  # the label above the box, or inside at the top
            ax.text(
                x1 - 0.5, y1 - 1.0 if top else y1, f"{classes[int(c)]} {s:.2f}",
                color=PRED_COLOUR, fontsize=7.5, fontweight="bold",
                va="bottom" if top else "top", path_effects=outline,
            )  # fmt: skip
        names = ", ".join(classes[int(c)] for c in tl) or "nothing"
        ax.set_title(f"true: {names}", fontsize=8)
    fig.suptitle(
        f"Predicted boxes (magenta, p_c·c ≥ {SHOW_THRESHOLD}, after per-class NMS) and "
        "true boxes (green, dashed)",
        fontsize=10,
    )
    fig.tight_layout()
    return _save(fig, path)


def write_learning_curve(path, history, dev_map):
    plt = _pyplot()
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 3.8), layout="constrained")
    epochs = np.arange(1, len(history["loss"]) + 1)
    ax1.plot(epochs, history["loss"], label="train cost")
    if "val_loss" in history:
        ax1.plot(epochs, history["val_loss"], label="dev cost")
    ax1.set_xlabel("epoch")
    ax1.set_ylabel("YOLO loss J")
    ax1.set_title("Cost")
    ax1.legend()
    ax1.grid(alpha=0.3)
    ax2.plot(epochs, dev_map, marker="o", color="tab:green")
    ax2.set_xlabel("epoch")
    ax2.set_ylabel("mAP@0.5")
    ax2.set_ylim(0, 1)
    ax2.set_title("Dev mAP@0.5 (with NMS)")
    ax2.grid(alpha=0.3)
    return _save(fig, path)


def _print_table(results: dict) -> None:
    names = list(SHAPE_CLASSES)
    print(f"{'mAP@0.5':<16}{'all':>8}" + "".join(f"{n:>10}" for n in names))
    for label, r in results.items():
        per = "".join(f"{r.per_class.get(c, float('nan')):>10.3f}" for c in range(len(names)))
        print(f"{label:<16}{r.mean:>8.3f}{per}")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    out = output_dir(args)
    start = time.perf_counter()
    n, C = args.image_size, len(SHAPE_CLASSES)
    seeds = np.random.SeedSequence(args.seed).generate_state(4)
    train = make_shapes(args.train, image_size=n, seed=int(seeds[0]))
    dev = make_shapes(args.dev, image_size=n, seed=int(seeds[1]))
    test = make_shapes(args.test, image_size=n, seed=int(seeds[2]))
    model = Sequential(
        yolo.detector_layers(ANCHORS, C, args.filters), input_dim=(n, n, 3), seed=int(seeds[3])
    )
    model.classes_ = list(SHAPE_CLASSES)  # saved with the detector: predict names them
    S = model.layers[-1].output_shape[0]

    def targets(scenes):
        return yolo.encode_targets(
            scenes.boxes, scenes.labels, S=S, anchors=ANCHORS, classes=C, image_shape=(n, n),
            return_dropped=True,
        )  # fmt: skip

    Y_train, dropped = targets(train)
    Y_dev, _ = targets(dev)
    objects = sum(len(b) for b in train.boxes)
    print(
        f"{args.train} training scenes ({objects} objects; {dropped} left out: no free slot), "
        f"{args.dev} dev, {args.test} test; {n}×{n} pixels, grid S = {S}, B = {len(ANCHORS)} "
        f"anchors {ANCHORS}, C = {C} ({', '.join(SHAPE_CLASSES)})"
    )
    model.summary()
    if args.cross_entropy:
        loss = yolo.YoloLoss(C, objectness="bce", classes_loss="ce")
    else:
        loss = yolo.YoloLoss(C)
    dev_map = _DevMAP(dev.images, list(zip(dev.boxes, dev.labels)), (n, n))
    t0 = time.perf_counter()
    with _one_blas_thread():
        history = model.fit(
            train.images, Y_train, epochs=args.epochs, batch_size=args.batch_size,
            optimizer=Adam(learning_rate=args.learning_rate),
            decay=ExponentialDecay(args.decay) if args.decay != 1 else None, loss=loss,
            validation_data=(dev.images, Y_dev), callbacks=[dev_map],
            verbose=0 if args.quiet else 2, print_every=1,
        )  # fmt: skip
        train_seconds = time.perf_counter() - t0
        A = model.predict_proba(test.images)
    truth = list(zip(test.boxes, test.labels))
    results, found = {}, {}
    for label, nms in (("with NMS", True), ("without NMS", False)):
        found[label] = yolo.decode(A, C, (n, n), score_threshold=SCORE_THRESHOLD, nms=nms)
        results[label] = mean_average_precision(found[label], truth, 0.5, classes=C)
    print(f"\ntrained in {train_seconds:.0f} s; {args.test} held-out scenes:")
    _print_table(results)
    shown = [
        yolo.Detections(d.boxes[d.scores >= SHOW_THRESHOLD], d.scores[d.scores >= SHOW_THRESHOLD],
                        d.classes[d.scores >= SHOW_THRESHOLD])
        for d in found["with NMS"][:16]
    ]  # fmt: skip
    paths = [
        write_detections(out / "detections.png", test.images[:16], shown, test.boxes, test.labels),
        write_learning_curve(out / "learning_curve.png", history.history, dev_map.values),
        # the weights and architecture only: the model file format restores a loss by its
        # name from the built-in ones, which YoloLoss is not among
        write_model(out / "detector.npz", model.get_config(), model.state_dict(training=False)),
    ]
    summary = {
        "seed": args.seed,
        "train_seconds": round(train_seconds, 1),
        "total_seconds": round(time.perf_counter() - start, 1),
        **{
            label.replace(" ", "_"): {
                "mAP@0.5": r.mean,
                "per_class": {SHAPE_CLASSES[c]: ap for c, ap in r.per_class.items()},
            }
            for label, r in results.items()
        },
    }
    text = json.dumps(summary, indent=2) + "\n"
    paths.append(atomic_write_text(out / "metrics.json", text))
    print(f"total {summary['total_seconds']:.0f} s; wrote " + ", ".join(map(str, paths)))
    return 0
