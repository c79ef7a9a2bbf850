"""What the two cat-classifier experiments (two-layer, deep) share: flags, data, run, report."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from ... import plots
from ...data.images import flatten_images, scale_pixels
from ...layers import Dense
from ...network import Sequential
from .. import deep_application as course
from ._common import add_data_dir, add_training_flags, base_parser, find_data_files, output_dir

CAT_FILES = ("train_catvnoncat.h5", "test_catvnoncat.h5")


def cat_parser(name: str, description: str) -> argparse.ArgumentParser:
    """The common flags plus --data-dir, --iterations, --learning-rate and --save."""
    parser = base_parser(name, description)
    add_data_dir(parser, "folder holding train_catvnoncat.h5 and test_catvnoncat.h5")
    add_training_flags(
        parser, iterations=2500, learning_rate=0.0075, iterations_help="gradient-descent iterations"
    )
    parser.add_argument(
        "--save",
        metavar="PATH",
        default=None,
        help="also save the trained network as a layerwise model file (.npz) at PATH",
    )
    return parser


def read_cat(data_dir: str | None) -> dict:
    """The cat data, silently: x (12288, m) float64 in [0, 1], y (1, m), the raw test
    pictures (m, 64, 64, 3) and the classes."""
    train_path, _ = find_data_files(CAT_FILES, "course1", data_dir)
    train_x_orig, train_y, test_x_orig, test_y, classes = course.load_data(train_path.parent)
    return {
        "train_x": scale_pixels(flatten_images(train_x_orig)),
        "train_y": train_y,
        "test_x": scale_pixels(flatten_images(test_x_orig)),
        "test_y": test_y,
        "test_x_orig": test_x_orig,
        "classes": classes,
    }


def load_cat(data_dir: str | None) -> dict:
    """``read_cat``, then print the shapes and the number of cats."""
    data = read_cat(data_dir)
    train_x, train_y, test_x, test_y = (data[k] for k in ("train_x", "train_y", "test_x", "test_y"))
    print(
        f"train_x: {train_x.shape}, test_x: {test_x.shape}; cats: {int(train_y.sum())} of "
        f"{train_y.shape[1]} training and {int(test_y.sum())} of {test_y.shape[1]} test pictures"
    )
    return data


def run_cat_model(
    name: str, description: str, train, layers_dims, title: str, argv: list[str] | None
) -> int:
    """The main of a cat experiment: parse the flags, load the cats, print a banner, run
    ``train`` (two_layer_model or L_layer_model) printing its costs, then ``report``."""
    args = cat_parser(name, description).parse_args(argv)
    data = load_cat(args.data_dir)
    out = output_dir(args)

    print(f"\n== {train.__name__}, layers_dims = {layers_dims} ==")
    parameters, costs = train(
        data["train_x"],
        data["train_y"],
        layers_dims,
        learning_rate=args.learning_rate,
        num_iterations=args.iterations,
        print_cost=True,
    )
    report(title, parameters, costs, data, args, out)
    return 0


def as_model(parameters: dict, classes: list[str] | None = None) -> Sequential:
    """The course's [LINEAR -> RELU] x (L-1) -> LINEAR -> SIGMOID parameters as a
    layerwise model (float64), so it can be saved, loaded and used by ``layerwise predict``."""
    L = len(parameters) // 2
    n_x = parameters["W1"].shape[1]
    layers = [Dense(parameters[f"W{l}"].shape[0], "relu") for l in range(1, L)]
    layers.append(Dense(parameters[f"W{L}"].shape[0], "sigmoid"))
    model = Sequential(layers, input_dim=n_x, dtype="float64").set_parameters(parameters)
    model.classes_ = classes
    return model


def _class_name(classes: np.ndarray, label: float) -> str:
    name = classes[int(label)]
    return name.decode("utf-8") if isinstance(name, bytes) else str(name)


def report(
    title: str,
    parameters: dict,
    costs: list,
    data: dict,
    args: argparse.Namespace,
    out: Path,
) -> dict:
    """Print the train/test accuracies, write learning_curve.png and mislabeled.png, and
    save the parameters if --save was given. Returns {"train": ..., "test": ...} fractions."""
    print("\nOn the training set:")
    p_train = course.predict(data["train_x"], data["train_y"], parameters)
    print("On the test set:")
    p_test = course.predict(data["test_x"], data["test_y"], parameters)
    accuracies = {
        "train": float(course.accuracy(p_train, data["train_y"])),
        "test": float(course.accuracy(p_test, data["test_y"])),
    }

    curve = plots.learning_curve(
        costs,
        out / "learning_curve.png",
        every=100,
        title=f"{title}: learning rate {args.learning_rate}",
        xlabel="iteration",
    )
    wrote = [curve]

    wrong = np.flatnonzero(p_test.ravel() != data["test_y"].ravel())
    if wrong.size:
        classes = data["classes"]
        titles = [
            f"#{i} pred: {_class_name(classes, p_test[0, i])} / "
            f"true: {_class_name(classes, data['test_y'][0, i])}"
            for i in wrong
        ]
        grid = plots.image_grid(
            data["test_x_orig"][wrong],
            titles,
            out / "mislabeled.png",
            columns=5,
        )
        print(f"{wrong.size} of {data['test_y'].shape[1]} test pictures mislabelled")
        wrote.append(grid)
    else:
        print("No test picture is mislabelled.")

    if args.save:
        model = as_model(parameters, [_class_name(data["classes"], k) for k in (0, 1)])
        saved = model.save(args.save)
        print(f"saved the model to {saved} (try: layerwise predict {saved} picture.jpg)")

    print(f"\ntrain accuracy {accuracies['train']!r}, test accuracy {accuracies['test']!r}")
    print("wrote " + " and ".join(str(p) for p in wrote))
    return accuracies
