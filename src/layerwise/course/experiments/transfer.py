"""Course 4: transfer learning on the 8x8 digits (transfer).

A CNN (the ``digits-cnn`` preset's design) is trained on every example of the digits
0–4; its convolutional base is then frozen and reused under a new softmax head for the
digits 5–9 (``Sequential.with_head``), trained on only --per-class labelled examples of
each (100 by default). The same network trained from scratch on those examples is the
baseline. Both are scored on every other example of the digits 5–9 (about 800, never
trained on). Prints one row per seed (the two accuracies, their difference, seconds) and
the medians, and writes ``held_out_accuracy.png`` (both curves per epoch, first seed).
Needs the digits (scikit-learn).
"""

from __future__ import annotations

import time
from statistics import median

import numpy as np

from ... import plots
from ...augment import RandomCrop
from ...builders import PRESETS, cnn_layers
from ...data import load_dataset
from ...errors import ConfigError
from ...layers import Dense, Flatten, Layer
from ...network import Sequential
from ._common import base_parser, output_dir
from .cnn import one_blas_thread, positive, seed_list

PRESET = PRESETS["digits-cnn"]
#: layers of the source network kept (frozen) under the new head: conv, pool, conv, so
#: the head sees the 4x4x64 maps. Keeping the last max-pool too (2x2x64) scored the new
#: digits a little lower: a 2x2 summary keeps less of where the strokes are.
KEEP = 3
SOURCE_CLASSES = (0, 1, 2, 3, 4)
TARGET_CLASSES = (5, 6, 7, 8, 9)
#: the fine-tuning recipe, the same for the transferred and the scratch network
FINE_TUNE = {"learning_rate": 0.003, "optimizer": "adam", "batch_size": 20}


def parser():
    p = base_parser("transfer", __doc__.splitlines()[0])
    p.add_argument(
        "--seeds", type=seed_list, default=[1, 2, 3], help="seeds, one run each (default: 1,2,3)"
    )
    p.add_argument(
        "--per-class",
        type=positive,
        default=20,
        help="labelled examples of each digit 5–9 (default: %(default)s)",
    )
    p.add_argument(
        "--source-epochs",
        type=positive,
        default=15,
        help="epochs on the digits 0–4 (default: %(default)s)",
    )
    p.add_argument(
        "--epochs",
        type=positive,
        default=100,
        help="epochs on the few labelled 5–9, for both networks (default: %(default)s)",
    )
    p.add_argument(
        "--source-limit",
        type=positive,
        default=None,
        metavar="M",
        help="train the source network on M examples of 0–4 only (a quick check)",
    )
    return p


def images(X: np.ndarray) -> np.ndarray:
    """Columns (64, m) -> images (m, 8, 8, 1), float32."""
    return np.ascontiguousarray(X.T.reshape(-1, 8, 8, 1), dtype=np.float32)


def split(seed: int, per_class: int, source_limit: int | None = None) -> dict:
    """{"source": (X, Y) every 0–4 (labels 0..4), "few": (X, Y) ``per_class`` drawn
    examples of each 5–9 (labels 0..4), "held_out": (X, Y) every other 5–9}."""
    X, Y = load_dataset("digits")
    y = Y[0]
    rng = np.random.default_rng(seed)
    few = []
    for c in TARGET_CLASSES:
        pool = np.flatnonzero(y == c)
        if per_class >= pool.size:
            raise ConfigError(
                f"--per-class {per_class} leaves nothing to score: digit {c} has "
                f"{pool.size} examples"
            )
        few.append(rng.choice(pool, per_class, replace=False))
    few = np.sort(np.concatenate(few))
    held = np.isin(y, TARGET_CLASSES)
    held[few] = False
    source = np.flatnonzero(np.isin(y, SOURCE_CLASSES))[:source_limit]
    shift = TARGET_CLASSES[0]
    return {
        "source": (images(X[:, source]), Y[:, source]),
        "few": (images(X[:, few]), Y[:, few] - shift),
        "held_out": (images(X[:, held]), Y[:, held] - shift),
    }


def base_layers() -> list[Layer]:
    """The digits-cnn preset's body (the digits are already in [0, 1]: no Rescale)."""
    return cnn_layers(PRESET["layers"], PRESET["dense"], 1.0, PRESET["keep_prob"])[1:]


def head() -> list[Layer]:
    """The new head: the 4x4x64 maps flattened into a softmax over the 5 new digits."""
    return [Flatten(), Dense(len(TARGET_CLASSES), "softmax")]


def source_network(seed: int) -> Sequential:
    """The CNN for the digits 0–4 (untrained)."""
    layers = [*base_layers(), Dense(len(SOURCE_CLASSES), "softmax")]
    return Sequential(layers, input_dim=(8, 8, 1), seed=seed)


def train_source(model: Sequential, X: np.ndarray, Y: np.ndarray, epochs: int):
    """Train on the digits 0–4 with the preset's optimiser, shifting each picture by up
    to one pixel (so the features do not depend on exact places)."""
    return model.fit(
        X,
        Y,
        epochs=epochs,
        learning_rate=PRESET["lr"],
        optimizer=PRESET["optimizer"],
        batch_size=PRESET["batch_size"],
        augment=RandomCrop(1),
        verbose=0,
    )


def transfer_network(source: Sequential) -> Sequential:
    """The source's first KEEP layers, frozen, under a new ``head()``."""
    return source.with_head(head(), keep=KEEP)


def scratch_network(seed: int) -> Sequential:
    """The same network as ``transfer_network``'s, freshly initialised and all trainable."""
    return Sequential([*base_layers()[:KEEP], *head()], input_dim=(8, 8, 1), seed=seed)


def fine_tune(model: Sequential, few: tuple, held_out: tuple, epochs: int):
    """Train on the few labelled 5–9 (the same recipe for both networks), scoring the
    held-out 5–9 after each epoch (val_accuracy; it never steers the training)."""
    return model.fit(*few, epochs=epochs, validation_data=held_out, verbose=0, **FINE_TUNE)


def run(seed: int, args) -> dict:
    """One seed: the source network, then the transferred and the scratch networks."""
    data = split(seed, args.per_class, args.source_limit)
    held = data["held_out"]
    seconds = []
    with one_blas_thread():
        start = time.perf_counter()
        source = source_network(seed)
        train_source(source, *data["source"], args.source_epochs)
        seconds.append(time.perf_counter() - start)

        start = time.perf_counter()
        transfer = transfer_network(source)
        kept = {n for layer in transfer.layers[:KEEP] for n in layer.param_names().values()}
        before = {n: transfer.parameters[n].copy() for n in kept}
        h_transfer = fine_tune(transfer, data["few"], held, args.epochs)
        seconds.append(time.perf_counter() - start)

        start = time.perf_counter()
        scratch = scratch_network(seed)
        h_scratch = fine_tune(scratch, data["few"], held, args.epochs)
        seconds.append(time.perf_counter() - start)
    return {
        "seed": seed,
        "source_accuracy": source.evaluate(*data["source"])["accuracy"],
        "transfer": transfer.evaluate(*held)["accuracy"],
        "scratch": scratch.evaluate(*held)["accuracy"],
        "frozen_unchanged": all(np.array_equal(transfer.parameters[n], before[n]) for n in kept),
        "curves": {
            "transfer (frozen 0–4 base)": h_transfer.history["val_accuracy"],
            "from scratch": h_scratch.history["val_accuracy"],
        },
        "seconds": seconds,
        "model": transfer,
    }


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    out = output_dir(args)
    sizes = {
        k: v[1].shape[1] for k, v in split(args.seeds[0], args.per_class, args.source_limit).items()
    }
    print(
        f"source: {sizes['source']} digits 0–4, {args.source_epochs} epochs; then "
        f"{sizes['few']} labelled 5–9 ({args.per_class} per digit), {args.epochs} epochs; "
        f"scored on the {sizes['held_out']} other 5–9"
    )
    print("\nThe transferred network (the scratch one is the same, all trainable):")
    transfer_network(source_network(0)).summary()
    print(
        f"\n{'seed':>4}  {'0–4 train':>9}  {'transfer':>8}  {'scratch':>8}  {'gain':>7}  "
        f"{'seconds (source, transfer, scratch)':>35}"
    )
    rows = []
    for seed in args.seeds:
        r = run(seed, args)
        rows.append(r)
        secs = ", ".join(f"{s:.1f}" for s in r["seconds"])
        print(
            f"{seed:>4}  {r['source_accuracy']:>9.4f}  {r['transfer']:>8.4f}  "
            f"{r['scratch']:>8.4f}  {r['transfer'] - r['scratch']:>+7.4f}  {secs:>35}",
            flush=True,
        )
    med_t, med_s = median(r["transfer"] for r in rows), median(r["scratch"] for r in rows)
    print(
        f"\nmedian held-out accuracy on 5–9: transfer {med_t:.4f}, from scratch {med_s:.4f} "
        f"({len(rows)} seed(s))"
    )
    unchanged = all(r["frozen_unchanged"] for r in rows)
    print(f"frozen layers unchanged by the fine-tuning: {'yes' if unchanged else 'NO'}")
    png = plots.learning_curves(
        rows[0]["curves"],
        out / "held_out_accuracy.png",
        title=f"Digits 5–9, {args.per_class} labelled per digit (seed {rows[0]['seed']})",
        xlabel="epoch",
        ylabel="held-out accuracy",
    )
    print(f"wrote {png}")
    return 0
