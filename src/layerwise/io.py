"""The model file: one .npz of plain arrays plus a JSON entry, read without pickle.

Layout (``Sequential.save``/``Sequential.load`` write and read it; this module knows
nothing of models, only of an architecture dict and a flat state mapping):

    __layerwise__   0-d unicode array: JSON {"format", "version", "model": architecture,
                    "state": the state's JSON-able entries (generator states, the
                    optimiser's config, ...)}
    param/W1 ...    every array entry of ``state_dict()`` under its own key
                    (param/, state/<i>/, optimizer/, normalizer/; see ``layerwise.state``)

The file is written to a temporary name in the same folder and renamed, so a crash
never leaves half a model. Reading turns any problem into one ``ModelFileError``
sentence and never unpickles. Version 1 files (generator states under "rng", optimiser
config and loss at the top of the JSON) are read too.
"""

from __future__ import annotations

import json
import os
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .atomic import atomic_write
from .errors import ModelFileError

FORMAT = "layerwise-model"
VERSION = 2
META_KEY = "__layerwise__"


def write_model(path: str | os.PathLike, config: dict, state: dict[str, object]) -> Path:
    """Write ``config`` (the architecture) and ``state`` to ``path`` (".npz" added when
    missing), atomically; return the path."""
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    arrays = {k: v for k, v in state.items() if isinstance(v, np.ndarray)}
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "model": config,
        "state": {k: v for k, v in state.items() if k not in arrays},
    }
    arrays[META_KEY] = np.array(json.dumps(meta))
    return atomic_write(path, lambda fh: np.savez(fh, **arrays))


def read_model(path: str | os.PathLike) -> tuple[dict, dict[str, object]]:
    """(architecture, state) from a model file."""
    path = Path(path)
    arrays = _read(path)
    if META_KEY not in arrays:
        raise ModelFileError(f"{path} is an .npz file but not a layerwise model (no {META_KEY})")
    try:
        meta = json.loads(str(arrays.pop(META_KEY)))
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise ValueError("wrong format marker")
        version = int(meta.get("version", 0))
        config = meta["model"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelFileError(f"{path} has an unreadable architecture entry ({exc})") from None
    if version > VERSION:
        raise ModelFileError(f"{path} was written by a newer layerwise (format version {version})")
    extra = meta.get("state") if version >= 2 else _version1_entries(meta)
    if not isinstance(extra, dict) or not isinstance(config, dict):
        raise ModelFileError(f"{path} has an unreadable architecture entry")
    return config, {**arrays, **extra}


def _version1_entries(meta: dict) -> dict[str, object]:
    out: dict[str, object] = {}
    if meta.get("optimizer"):
        out["optimizer"] = meta["optimizer"]
    if meta.get("loss"):
        out["loss"] = meta["loss"]
    rng = meta.get("rng") or {}
    if isinstance(rng, dict):
        if "model" in rng:
            out["rng"] = rng["model"]
        for i, gen in (rng.get("layers") or {}).items():
            out[f"state/{i}/rng"] = gen
    return out


def _read(path: Path) -> dict[str, np.ndarray]:
    if not path.is_file():
        raise ModelFileError(f"no such model file: {path}")
    if not zipfile.is_zipfile(path):
        try:
            with open(path, "rb") as fh:
                magic = fh.read(2)
        except OSError as exc:
            raise ModelFileError(f"cannot read the model file {path} ({exc})") from None
        if magic == b"PK":  # a zip (.npz) that lost its end: an interrupted copy or download
            raise ModelFileError(f"{path} is a truncated or corrupt .npz file")
        raise ModelFileError(f"{path} is not a layerwise model (.npz) file")
    try:
        with np.load(path, allow_pickle=False) as data:
            return {k: data[k] for k in data.files}
    except ValueError as exc:
        if "pickle" in str(exc):
            raise ModelFileError(
                f"{path} holds pickled objects, which layerwise never loads (unsafe)"
            ) from None
        raise ModelFileError(f"{path} is corrupt or truncated ({exc})") from None
    except (OSError, zipfile.BadZipFile, zlib.error, EOFError, KeyError) as exc:
        raise ModelFileError(f"{path} is corrupt or truncated ({exc})") from None
