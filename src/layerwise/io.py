"""Saving and loading models: one .npz, arrays plus a JSON architecture entry.

Layout of the file (all plain arrays, read with ``allow_pickle=False``):

    __layerwise__          0-d unicode array: JSON {"format", "version", "model", "optimizer", ...}
    param/W1, param/b1 ... the parameters, course names
    state/<l>/<key>        non-trained layer arrays (batch-norm running statistics)
    optimizer/<slot>/<name>, optimizer/t   the optimiser's state, so training resumes
    normalizer/<key>       input standardisation fitted on the training set

The JSON entry also records the state of the model's random generator (shuffling) and of
each layer's own generator (dropout masks), so that training resumed after ``load`` draws
the same numbers as training that never stopped.

The file is written to a temporary name in the same folder and renamed, so a crash
never leaves half a model. Loading checks every array against the architecture and
turns any problem into one ``ModelFileError`` sentence.
"""

from __future__ import annotations

import json
import os
import tempfile
import zipfile
import zlib
from pathlib import Path

import numpy as np

from .errors import ConfigError, ModelFileError
from .layers import LAYERS
from .network import Sequential
from .optimizers import get_optimizer

FORMAT = "layerwise-model"
VERSION = 1
META_KEY = "__layerwise__"


def model_from_config(config: dict) -> Sequential:
    """A new Sequential (built when input_dim is known) from ``Sequential.config()``."""
    layers = []
    for spec in config["layers"]:
        cls = LAYERS.get(spec["type"])
        if cls is None:
            raise ConfigError(f"unknown layer type {spec['type']!r}")
        layers.append(cls(**spec.get("config", {})))
    model = Sequential(
        layers,
        input_dim=config.get("input_dim"),
        seed=config.get("seed"),
        dtype=config.get("dtype", "float32"),
        normalize=config.get("normalize", False),
    )
    model.classes_ = config.get("classes")
    return model


def _arrays(model: Sequential) -> dict[str, np.ndarray]:
    arrays = {f"param/{k}": v for k, v in model.parameters.items()}
    for i, layer in enumerate(model.layers):
        arrays.update({f"state/{i}/{k}": v for k, v in layer.state.items()})
    if model.optimizer_ is not None:
        arrays.update({f"optimizer/{k}": v for k, v in model.optimizer_.get_state().items()})
    if model.normalizer_ is not None:
        arrays.update({f"normalizer/{k}": v for k, v in model.normalizer_.to_dict().items()})
    return arrays


def _layer_rngs(model: Sequential) -> dict[str, np.random.Generator]:
    """The layers' own generators (Dropout's mask stream), keyed by layer position."""
    return {
        str(i): gen
        for i, layer in enumerate(model.layers)
        if isinstance(gen := getattr(layer, "_rng", None), np.random.Generator)
    }


def _rng_states(model: Sequential) -> dict:
    return {
        "model": model.rng.bit_generator.state,
        "layers": {i: gen.bit_generator.state for i, gen in _layer_rngs(model).items()},
    }


def _restore_rngs(model: Sequential, states: dict, path: Path) -> None:
    try:
        model.rng.bit_generator.state = states["model"]
        gens = _layer_rngs(model)
        for i, state in states.get("layers", {}).items():
            gens[i].bit_generator.state = state
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(f"{path} has an unreadable random-generator state ({exc})") from None


def save(model: Sequential, path: str | os.PathLike) -> Path:
    """Write ``model`` to ``path`` (".npz" is added if missing), atomically."""
    model._require_built()
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    meta = {
        "format": FORMAT,
        "version": VERSION,
        "model": model.config(),
        "optimizer": None if model.optimizer_ is None else model.optimizer_.config(),
        "loss": None if model.loss_ is None else model.loss_.name,
        "rng": _rng_states(model),
    }
    arrays = _arrays(model)
    arrays[META_KEY] = np.array(json.dumps(meta))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


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


def load(path: str | os.PathLike) -> Sequential:
    """The model saved at ``path``; raises ModelFileError with one sentence on any problem."""
    path = Path(path)
    arrays = _read(path)
    if META_KEY not in arrays:
        raise ModelFileError(f"{path} is an .npz file but not a layerwise model (no {META_KEY})")
    try:
        meta = json.loads(str(arrays.pop(META_KEY)))
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise ValueError("wrong format marker")
        if int(meta.get("version", 0)) > VERSION:
            raise ModelFileError(
                f"{path} was written by a newer layerwise (format version {meta['version']})"
            )
        model = model_from_config(meta["model"])
    except ModelFileError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError, ConfigError) as exc:
        raise ModelFileError(f"{path} has an unreadable architecture entry ({exc})") from None
    if not model.built:
        raise ModelFileError(f"{path} does not record the input size n[0]")
    _fill(model, arrays, path, meta)
    if meta.get("rng"):
        _restore_rngs(model, meta["rng"], path)
    return model


def _assign(target: np.ndarray, value: np.ndarray, what: str, path: Path) -> None:
    if value.shape != target.shape:
        raise ModelFileError(
            f"{path}: {what} has shape {value.shape} but the architecture needs {target.shape}"
        )
    if not np.issubdtype(value.dtype, np.number):
        raise ModelFileError(f"{path}: {what} is not numeric ({value.dtype})")
    target[...] = value


def _fill(model: Sequential, arrays: dict, path: Path, meta: dict) -> None:
    expected = _arrays(model)
    params = {k: v for k, v in expected.items() if k.startswith(("param/", "state/"))}
    missing = sorted(set(params) - set(arrays))
    if missing:
        raise ModelFileError(f"{path} lacks the arrays {', '.join(missing)} its architecture needs")
    for key, target in params.items():
        _assign(target, arrays[key], key[key.index("/") + 1 :], path)
    extra = sorted(k for k in arrays if k.startswith(("param/", "state/")) and k not in params)
    if extra:
        raise ModelFileError(f"{path} has arrays {', '.join(extra)} its architecture lacks")
    if meta.get("optimizer"):
        try:
            opt = get_optimizer(meta["optimizer"])
        except (ConfigError, TypeError) as exc:
            raise ModelFileError(f"{path} has an unreadable optimizer entry ({exc})") from None
        opt.set_state(
            {k[len("optimizer/") :]: v for k, v in arrays.items() if k.startswith("optimizer/")}
        )
        model.optimizer_ = opt
    if meta.get("loss"):
        from .losses import get_loss

        model.loss_ = get_loss(meta["loss"])
    norm = {k[len("normalizer/") :]: v for k, v in arrays.items() if k.startswith("normalizer/")}
    if norm:
        from .data.scaling import Standardizer

        try:
            model.normalizer_ = Standardizer.from_dict(norm)
        except (ValueError, KeyError, TypeError) as exc:
            raise ModelFileError(f"{path} has an unreadable normalizer ({exc})") from None
