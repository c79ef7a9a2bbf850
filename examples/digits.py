"""A softmax network on scikit-learn's 8x8 digits: mini-batch Adam, dropout, early stopping.

Needs the sklearn extra (pip install 'layerwise[sklearn]'). Prints the test accuracy
(at least 0.97) and writes runs/digits-example/learning_curve.png.
"""

from __future__ import annotations

import layerwise as lw
from layerwise import plots
from layerwise.data import load_dataset, train_dev_test_split


def main() -> int:
    X, Y = load_dataset("digits")  # X (64, 1797) in [0, 1], Y (1, 1797) class indices
    X_train, Y_train, X_dev, Y_dev, X_test, Y_test = train_dev_test_split(
        X, Y, (0.7, 0.1, 0.2), seed=1, stratify=True
    )
    model = lw.Sequential([lw.Dense(256, "relu"), lw.Dropout(0.8), lw.Dense(10, "softmax")], seed=1)
    history = model.fit(
        X_train,
        Y_train,
        epochs=300,
        optimizer=lw.Adam(learning_rate=0.001),
        batch_size=32,
        validation_data=(X_dev, Y_dev),
        print_every=20,
        callbacks=[lw.EarlyStopping("val_loss", patience=20, restore_best_weights=True)],
    )
    model.summary()
    for name, (Xs, Ys) in {
        "train": (X_train, Y_train),
        "dev": (X_dev, Y_dev),
        "test": (X_test, Y_test),
    }.items():
        print(f"{name} accuracy: {model.evaluate(Xs, Ys)['accuracy']:.4f}")
    curves = {"train": history.history["loss"], "dev": history.history["val_loss"]}
    print(
        "wrote",
        plots.learning_curves(curves, "runs/digits-example/learning_curve.png", xlabel="epoch"),
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
