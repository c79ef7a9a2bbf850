"""Data sets, files, splits, labels and scaling, all in (features, examples) layout.

X is (n_x, m) with one example per column; Y is (n_y, m): (1, m) for binary labels or
class indices, (C, m) for one-hot.
"""

from .blocks import Blocks
from .files import (
    BUILTIN_DATASETS,
    load_csv,
    load_dataset,
    load_npz,
    open_rows,
    save_csv,
    save_npz,
)
from .images import (
    flatten_images,
    load_cat_files,
    load_h5,
    load_picture,
    read_picture,
    scale_pixels,
    unflatten,
)
from .labels import as_targets, class_indices, one_hot, prepare_targets
from .planar import make_flower
from .scaling import Standardizer
from .shapes import Scenes, make_shapes
from .split import train_dev_test_split, train_test_split
from .validation import check_X, check_XY

__all__ = [
    "BUILTIN_DATASETS",
    "Blocks",
    "Scenes",
    "Standardizer",
    "as_targets",
    "check_X",
    "check_XY",
    "class_indices",
    "flatten_images",
    "load_cat_files",
    "load_csv",
    "load_dataset",
    "load_h5",
    "load_npz",
    "load_picture",
    "read_picture",
    "make_flower",
    "make_shapes",
    "one_hot",
    "open_rows",
    "prepare_targets",
    "save_csv",
    "save_npz",
    "scale_pixels",
    "train_dev_test_split",
    "train_test_split",
    "unflatten",
]
