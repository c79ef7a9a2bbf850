"""Course 4, week 1: convolutional networks step by step.

Runs the assignment's checks in its order and prints them with its wording: zero_pad,
conv_single_step (Z = -6.999089450680221), conv_forward (Z (2, 3, 4, 8), mean
0.5511276474566768), pool_forward (max A[1, 1, 0] = [1.96710175 0.84616065 1.27375593]),
conv_backward, create_mask_from_window, distribute_value and pool_backward, each on the
course's np.random.seed(1) draws. Writes ``convolution.png``: a picture, zero-padded, then
convolved with the lectures' vertical-edge filter and max-pooled, all by the course's
functions.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ...atomic import atomic_write
from .. import convolution as course
from ._common import base_parser, output_dir

#: the lectures' 3×3 vertical-edge detector: bright on the left, dark on the right
VERTICAL_EDGE = np.array([[1.0, 0.0, -1.0], [1.0, 0.0, -1.0], [1.0, 0.0, -1.0]])


def print_steps() -> None:
    """The assignment's test cells, in order, with its seeds and print wording."""
    print("== zero_pad ==")
    np.random.seed(1)
    x = np.random.randn(4, 3, 3, 2)
    x_pad = course.zero_pad(x, 3)
    print("x.shape =\n", x.shape)
    print("x_pad.shape =\n", x_pad.shape)
    print("x[1,1] =\n", x[1, 1])
    print("x_pad[1,1] =\n", x_pad[1, 1])

    print("\n== conv_single_step ==")
    np.random.seed(1)
    a_slice_prev = np.random.randn(4, 4, 3)
    W = np.random.randn(4, 4, 3)
    b = np.random.randn(1, 1, 1)
    Z = course.conv_single_step(a_slice_prev, W, b)
    print("Z =", Z)

    print("\n== conv_forward ==")
    np.random.seed(1)
    A_prev = np.random.randn(2, 5, 7, 4)
    W = np.random.randn(3, 3, 4, 8)
    b = np.random.randn(1, 1, 1, 8)
    hparameters = {"pad": 1, "stride": 2}
    Z, cache_conv = course.conv_forward(A_prev, W, b, hparameters)
    print("Z.shape =", Z.shape)
    print("Z's mean =\n", np.mean(Z))
    print("Z[0,2,1] =\n", Z[0, 2, 1])
    print("cache_conv[0][1][2][3] =\n", cache_conv[0][1][2][3])

    print("\n== pool_forward ==")
    np.random.seed(1)
    A_prev = np.random.randn(2, 5, 5, 3)
    for stride, index in ((1, (1, 1)), (2, None)):
        hparameters = {"stride": stride, "f": 3}
        print(f"-- stride {stride}, f 3 --")
        for mode in ("max", "average"):
            A, _ = course.pool_forward(A_prev, hparameters, mode=mode)
            print(f"mode = {mode}")
            print("A.shape = " + str(A.shape))
            if index is not None:
                print("A[1, 1] =\n", A[index])
            elif mode == "max":
                print("A[0] =\n", A[0])
            else:
                print("A[1] =\n", A[1])

    print("\n== conv_backward ==")
    np.random.seed(1)
    A_prev = np.random.randn(10, 4, 4, 3)
    W = np.random.randn(2, 2, 3, 8)
    b = np.random.randn(1, 1, 1, 8)
    hparameters = {"pad": 2, "stride": 2}
    Z, cache_conv = course.conv_forward(A_prev, W, b, hparameters)
    dA, dW, db = course.conv_backward(Z, cache_conv)
    print("dA_mean =", np.mean(dA))
    print("dW_mean =", np.mean(dW))
    print("db_mean =", np.mean(db))

    print("\n== create_mask_from_window ==")
    np.random.seed(1)
    x = np.random.randn(2, 3)
    mask = course.create_mask_from_window(x)
    print("x = ", x)
    print("mask = ", mask)

    print("\n== distribute_value ==")
    a = course.distribute_value(2, (2, 2))
    print("distributed value =", a)

    print("\n== pool_backward ==")
    np.random.seed(1)
    A_prev = np.random.randn(5, 5, 3, 2)
    hparameters = {"stride": 1, "f": 2}
    A, cache = course.pool_forward(A_prev, hparameters)
    dA = np.random.randn(5, 4, 2, 2)
    for k, mode in enumerate(("max", "average"), start=1):
        dA_prev = course.pool_backward(dA, cache, mode=mode)
        print(f"mode = {mode}")
        print("mean of dA = ", np.mean(dA))
        print(f"dA_prev{k}[1,1] = ", dA_prev[1, 1])


def demo_picture(size: int = 24) -> np.ndarray:
    """A (1, size, size, 1) grey picture in [0, 1]: a bright square and a dark disc on a
    mid-grey ground, so that the zeros of the padding show as a black frame."""
    rows, cols = np.mgrid[0:size, 0:size]
    img = np.full((size, size), 0.55)
    img[size // 8 : size * 7 // 16, size // 8 : size * 7 // 16] = 1.0
    centre, radius = size * 11 // 16, size / 5  # a pixel centre: a symmetric disc
    img[(rows - centre) ** 2 + (cols - centre) ** 2 <= radius**2] = 0.1
    return img.reshape(1, size, size, 1)


def _pyplot():
    import matplotlib  # noqa: PLC0415 - matplotlib loads only when a plot is drawn

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt  # noqa: PLC0415 - after choosing the Agg backend

    return plt


def write_figure(path: str | os.PathLike, pad: int = 1, f_pool: int = 2) -> Path:
    """The picture, zero_pad(pad), conv_forward with VERTICAL_EDGE (stride 1, the same pad:
    "same" size) and pool_forward (max, f = stride = f_pool), side by side; written atomically.

    The outermost columns of the convolution respond to the padding itself: the grey
    picture meets the zeros there, a vertical edge the padding adds."""
    x = demo_picture()
    x_pad = course.zero_pad(x, pad)
    W = VERTICAL_EDGE.reshape(3, 3, 1, 1)
    b = np.zeros((1, 1, 1, 1))
    Z, _ = course.conv_forward(x, W, b, {"stride": 1, "pad": pad})
    A, _ = course.pool_forward(Z, {"stride": f_pool, "f": f_pool}, mode="max")

    plt = _pyplot()
    fig, axes = plt.subplots(1, 4, figsize=(13, 3.7), layout="constrained")
    n = x.shape[1]
    axes[0].imshow(x[0, :, :, 0], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    axes[0].set_title(f"x\n{x.shape[1:3]}")
    axes[1].imshow(x_pad[0, :, :, 0], cmap="gray", vmin=0, vmax=1, interpolation="nearest")
    axes[1].add_patch(
        plt.Rectangle((pad - 0.5, pad - 0.5), n, n, fill=False, ec="tab:orange", ls="--", lw=1.2)
    )
    axes[1].set_title(f"zero_pad(x, {pad})\n{x_pad.shape[1:3]}")
    limit = float(np.abs(Z).max()) or 1.0
    for ax, img, title in (
        (axes[2], Z[0, :, :, 0], f"conv_forward: vertical edges, s = 1, pad {pad}\n{Z.shape[1:3]}"),
        (axes[3], A[0, :, :, 0], f"pool_forward: max, f = s = {f_pool}\n{A.shape[1:3]}"),
    ):
        shown = ax.imshow(img, cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest")
        ax.set_title(title)
    fig.colorbar(shown, ax=axes[2:], shrink=0.8, label="Z (the filter's response)")
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("Course 4 week 1: padding, convolution, pooling (the course's functions)")
    try:
        return atomic_write(path, lambda fh: fig.savefig(fh, dpi=110, format="png"))
    finally:
        plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = base_parser("convolution", __doc__.splitlines()[0])
    args = parser.parse_args(argv)
    out = output_dir(args)
    print_steps()
    png = write_figure(out / "convolution.png")
    print(f"\nwrote {png}")
    return 0
