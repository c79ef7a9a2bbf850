"""The model file: one .npz of plain arrays plus a JSON entry, read without pickle.

Layout (``Sequential.save``/``Sequential.load`` write and read it; this module knows
an architecture dict and a flat state mapping, and builds no model):

    __layerwise__   0-d unicode array: JSON {"format", "version", "model": architecture,
                    "state": the state's JSON-able entries (generator states, the
                    optimiser's config, ...)}
    param/W1 ...    every array entry of ``state_dict()`` under its own key
                    (param/, state/<i>/, optimizer/, normalizer/; see ``layerwise.state``)

The file is written to a temporary name in the same folder and renamed, so a crash
never leaves half a model. Reading goes through ``layerwise.npz`` (headers checked before
anything is allocated, never unpickling), reads the JSON entry first and checks every
array's header against the architecture before reading the arrays (``check_arrays``);
any problem is one ``ModelFileError`` sentence. Version 1 files (generator states under
"rng", optimiser config and loss at the top of the JSON) are read too.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .atomic import atomic_write
from .errors import LayerwiseError, ModelFileError
from .layers import Layer, layer_class
from .npz import ArrayHeader, NpzReader, open_npz

FORMAT = "layerwise-model"
VERSION = 2
META_KEY = "__layerwise__"
#: the longest JSON entry read (bytes of its unicode array)
MAX_META_BYTES = 64 << 20
#: the most values one example may have, at the input or at any layer's output
MAX_EXAMPLE_VALUES = 1 << 24
#: a layer's own extra state array (a frozen dropout mask, (n, m)) may hold up to this
#: many examples of the largest layer size
EXTRA_STATE_FACTOR = 4096


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
    """(architecture, state) from a model file.

    Nothing is read on trust: the JSON entry first, then every array's header is checked
    against the architecture it describes (names, shapes, real numbers, and sizes the
    architecture can use), and only then are the arrays read; floating-point arrays must
    be finite. Any problem is one ``ModelFileError`` sentence.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"no such model file: {path}")
    with open_npz(path, ModelFileError, what="a layerwise model (.npz) file") as npz:
        if META_KEY not in npz:
            raise ModelFileError(
                f"{path} is an .npz file but not a layerwise model (no {META_KEY})"
            )
        config, extra = _parse_meta(path, _read_meta(path, npz))
        headers = {name: npz.header(name) for name in npz.names if name != META_KEY}
        check_arrays(path, config, headers)
        arrays = {name: npz.read(name) for name in headers}
    for name, value in arrays.items():
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            raise ModelFileError(f"{path}: {name} holds NaN or inf")
    return config, {**arrays, **extra}


def _read_meta(path: Path, npz: NpzReader) -> object:
    head = npz.header(META_KEY)
    if head.dtype.kind != "U" or head.shape != () or head.nbytes > MAX_META_BYTES:
        raise ModelFileError(
            f"{path} has an unreadable architecture entry ({META_KEY} is "
            f"{head.describe()}, not one JSON text)"
        )
    try:
        return json.loads(str(npz.read(META_KEY)))
    except (ValueError, RecursionError) as exc:
        raise ModelFileError(f"{path} has an unreadable architecture entry ({exc})") from None


def _parse_meta(path: Path, meta: object) -> tuple[dict, dict[str, object]]:
    """(architecture, the state's JSON entries) from the parsed JSON entry."""
    try:
        if not isinstance(meta, dict) or meta.get("format") != FORMAT:
            raise ValueError("wrong format marker")
        version = int(meta.get("version", 0))
        config = meta["model"]
    except (ValueError, KeyError, TypeError, OverflowError) as exc:
        raise ModelFileError(f"{path} has an unreadable architecture entry ({exc})") from None
    if version > VERSION:
        raise ModelFileError(f"{path} was written by a newer layerwise (format version {version})")
    extra = meta.get("state") if version >= 2 else _version1_entries(meta)
    if not isinstance(extra, dict) or not isinstance(config, dict):
        raise ModelFileError(f"{path} has an unreadable architecture entry")
    _check_json_state(path, extra)
    return config, extra


def _check_json_state(path: Path, extra: dict) -> None:
    """Refuse JSON state entries that would fail outside a LayerwiseError when applied:
    counters that are not counts, a base rate that is not finite, generator states a
    generator refuses (an int too large overflows there)."""
    for key in ("epochs_trained", "checkpoint/epoch"):
        count = extra.get(key, 0)
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ModelFileError(f"{path} has an unusable training state ({key} {count!r})")
    alpha0 = extra.get("alpha0")
    if not (alpha0 is None or (isinstance(alpha0, (int, float)) and math.isfinite(alpha0))):
        raise ModelFileError(f"{path} has an unusable training state (alpha0 {alpha0!r})")
    for key, value in extra.items():
        if key == "rng" or (key.startswith("state/") and key.endswith("/rng")):
            try:  # the model's and each Dropout's generator: default_rng's kind
                np.random.default_rng().bit_generator.state = value
            except (TypeError, ValueError, KeyError, OverflowError) as exc:
                raise ModelFileError(
                    f"{path} has an unusable random-generator state in {key} ({exc})"
                ) from None


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
        layers = rng.get("layers") or {}
        for i, gen in layers.items() if isinstance(layers, dict) else ():
            out[f"state/{i}/rng"] = gen
    return out


# --------------------------------------------------------------------------- the arrays
@dataclass
class _Architecture:
    """What a model of the file's architecture holds, worked out without allocating it."""

    params: dict[str, tuple[int, ...]]  # "param/W1": shape
    states: dict[str, tuple[int, ...]]  # "state/<i>/<key>": shape
    own_state: set[int]  # layers that read state entries of their own (Dropout's mask)
    n_layers: int
    n_in: int  # values in one input example
    largest: int  # values in the largest example any layer sees or makes

    @property
    def n_params(self) -> int:
        return sum(math.prod(s) for s in self.params.values())

    @property
    def n_state(self) -> int:
        return sum(math.prod(s) for s in self.states.values())


def check_arrays(path: Path, config: dict, headers: dict[str, ArrayHeader]) -> None:
    """Raise ModelFileError unless the arrays ``headers`` declares are what a model of
    architecture ``config`` holds: every parameter and layer-state array with its exact
    shape, real numbers, nothing unknown, and sizes bounded by the architecture (the
    optimiser's arrays by the parameter count, the input standardisation by n[0]).

    The architecture is worked out layer by layer with ``Layer.setup`` (which declares
    parameters but allocates none), each layer's parameters checked against the file
    before the next layer is set up: a JSON entry claiming layers of 10^6 units over
    small arrays is refused before anything of that size exists.
    """
    for name, head in headers.items():
        if head.dtype.kind not in "biuf":
            kind = "complex numbers" if head.dtype.kind == "c" else f"{head.dtype} values"
            raise ModelFileError(
                f"{path}: {name} holds {kind}; a model's arrays hold real numeric values"
            )
    arch = _architecture(path, config, headers)
    total = 0
    extras = 0
    for name, head in headers.items():
        extras += _check_one(path, name, head, arch)
        total += head.size
    budget = 8 * (arch.n_params + arch.n_state + arch.n_in) + 1024 + extras
    if total > budget:
        raise ModelFileError(
            f"{path} declares {total:,} values in its arrays, more than a model of its "
            f"architecture holds (at most {budget:,})"
        )


def _architecture(path: Path, config: dict, headers: dict[str, ArrayHeader]) -> _Architecture:
    def unreadable(detail: object) -> ModelFileError:
        return ModelFileError(f"{path} has an unreadable architecture entry ({detail})")

    try:
        dtype = np.dtype(config.get("dtype", "float32"))
        if str(dtype) not in ("float32", "float64"):
            raise ValueError(f"dtype {config.get('dtype')!r}")
        input_dim = config.get("input_dim")
        if input_dim is None:
            raise ModelFileError(f"{path} does not record the input size n[0]")
        shape = (int(input_dim),) if np.isscalar(input_dim) else tuple(int(d) for d in input_dim)
        if not shape or any(d < 1 for d in shape):
            raise ValueError(f"input_dim {input_dim!r}")
        specs = config.get("layers")
        if not isinstance(specs, list) or not specs:
            raise ValueError("no list of layers")
        layers = []
        for spec in specs:
            if not isinstance(spec, dict) or not isinstance(spec.get("config", {}), dict):
                raise ValueError(f"a layer is {spec!r}")
            layers.append(layer_class(spec.get("type")).from_config(dict(spec.get("config", {}))))
    except ModelFileError:
        raise
    except _CONFIG_ERRORS as exc:
        raise unreadable(exc) from None
    arch = _Architecture({}, {}, set(), len(layers), math.prod(shape), math.prod(shape))
    number = 0
    for i, layer in enumerate(layers):
        _check_example(path, shape, f"the input of layer {i + 1} ({type(layer).__name__})")
        try:
            shape = layer.setup(shape, dtype)
        except _CONFIG_ERRORS as exc:
            raise unreadable(f"layer {i + 1}: {exc}") from None
        number += bool(layer.is_numbered)
        layer.index = max(number, 1)  # the course numbers, as Sequential.build gives them
        names = layer.param_names()
        for key, want in layer.declared_params().items():
            arch.params[f"param/{names[key]}"] = want
            _check_shape(path, f"param/{names[key]}", want, headers)
        for key, value in layer.state.items():
            arch.states[f"state/{i}/{key}"] = value.shape
            _check_shape(path, f"state/{i}/{key}", value.shape, headers)
        if type(layer).load_state_dict is not Layer.load_state_dict:
            arch.own_state.add(i)
        arch.largest = max(arch.largest, math.prod(shape))
    _check_example(path, shape, "the output of the last layer")
    return arch


#: what building a layer from a damaged JSON entry can raise
_CONFIG_ERRORS = (
    LayerwiseError,
    ArithmeticError,
    LookupError,
    TypeError,
    ValueError,
    AttributeError,
    RecursionError,
)


def _check_example(path: Path, shape: tuple[int, ...], where: str) -> None:
    if math.prod(shape) > MAX_EXAMPLE_VALUES:
        raise ModelFileError(
            f"{path} declares examples of {'×'.join(map(str, shape))} values for {where}, "
            f"more than the limit of {MAX_EXAMPLE_VALUES:,} values per example"
        )


def _check_shape(
    path: Path, name: str, want: tuple[int, ...], headers: dict[str, ArrayHeader]
) -> None:
    head = headers.get(name)
    if head is None:
        raise ModelFileError(f"{path} lacks {name}, which its architecture needs")
    if head.shape != tuple(want):
        raise ModelFileError(
            f"{path}: {name} has shape {head.shape} but its architecture's "
            f"{name.rpartition('/')[2]} is {tuple(want)}"
        )


def _check_one(
    path: Path, name: str, head: ArrayHeader, arch: _Architecture, key: str | None = None
) -> int:
    """Raise unless array ``name`` is one a model of ``arch`` can hold (``key``: the name
    it stands for inside a checkpoint's snapshot); return its size when it is a layer's
    own extra state (a frozen dropout mask), else 0."""
    key = name if key is None else key
    group, _, rest = key.partition("/")
    bound = None
    if key in arch.params or key in arch.states:
        want = arch.params.get(key, arch.states.get(key))
        if head.shape != tuple(want):
            raise ModelFileError(
                f"{path}: {name} has shape {head.shape} but its architecture's "
                f"{key.rpartition('/')[2]} is {tuple(want)}"
            )
        return 0
    if group == "state":
        i, _, sub = rest.partition("/")
        if i.isdigit() and int(i) < arch.n_layers and sub and int(i) in arch.own_state:
            bound = EXTRA_STATE_FACTOR * arch.largest
    elif group == "normalizer" and rest:
        bound = arch.n_in
    elif group == "optimizer" and rest and key == name:
        bound = max(arch.n_params, 1)
    elif group == "checkpoint" and key == name and rest.startswith("best/"):
        j, _, inner = rest[len("best/") :].partition("/")
        if j.isdigit() and inner.partition("/")[0] in ("param", "state", "normalizer"):
            return _check_one(path, name, head, arch, inner)
    if bound is None:
        raise ModelFileError(
            f"{path} holds an array {name} that its architecture does not have "
            "(refused without reading it)"
        )
    if head.size > bound:
        raise ModelFileError(
            f"{path}: {name} declares {head.size:,} values, more than its architecture "
            f"can use ({bound:,})"
        )
    return head.size if group == "state" else 0
