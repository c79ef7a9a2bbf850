"""A model's state as one flat mapping, PyTorch ``state_dict`` style.

Keys (values are NumPy arrays, or JSON-able values where marked):

    param/W1, param/b1, ...     the parameters, by course name
    state/<i>/<key>             layer i's own state: batch-norm running statistics,
                                Dropout's generator ("rng", JSON), "frozen" (JSON), "mask"
    rng                         the model's generator (shuffling, initialisation; JSON)
    normalizer/mu, ...          the input standardisation fitted on the training set
    loss                        the loss's name (JSON)                       [training]
    optimizer                   the optimiser's config (JSON)                [training]
    optimizer/held/<slot>/theta, optimizer/t  its state arrays exactly as held, and
                                the step count                              [training]
    schedule                    the decay schedule's config (JSON)           [training]
    alpha0, epochs_trained      the schedule's base rate and the epochs run  [training]

``state_dict(model, training=False)`` leaves out the JSON entries and the [training]
ones: what inference needs (``EarlyStopping`` keeps that). Every saved file, copy,
checkpoint and restore goes through these two functions. This module uses a model only
through its interface; ``Sequential.state_dict`` is ``state_dict``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from .data.scaling import Standardizer
from .errors import ConfigError, ShapeError
from .losses import LOSSES, get_loss
from .optimizers import get_optimizer
from .schedules import get_schedule

if TYPE_CHECKING:  # pragma: no cover
    from .network import Sequential

TRAINING_KEYS = ("loss", "optimizer", "schedule", "alpha0", "epochs_trained")
#: the model attributes ``load_state_dict`` may set besides arrays
_ATTRIBUTES = ("normalizer_", "loss_", "optimizer_", "schedule_", "alpha0_", "epochs_trained_")


def state_dict(model: Sequential, training: bool = True) -> dict[str, object]:
    """A snapshot (copies) of everything the model's behaviour depends on."""
    model.require_built()
    out: dict[str, object] = {f"param/{k}": v.copy() for k, v in model.parameters.items()}
    for i, layer in enumerate(model.layers):
        out.update({f"state/{i}/{k}": v for k, v in layer.state_dict().items()})
    out["rng"] = model.rng.bit_generator.state
    if model.normalizer_ is not None:
        out.update({f"normalizer/{k}": v for k, v in model.normalizer_.to_dict().items()})
    if training:
        if model.loss_ is not None and model.loss_.name in LOSSES:
            out["loss"] = model.loss_.name  # a custom (autodiff) loss is the caller's to give
        if model.optimizer_ is not None:
            out["optimizer"] = model.optimizer_.config()
            out.update({f"optimizer/{k}": v for k, v in model.optimizer_.state_dict().items()})
        if model.schedule_ is not None:
            out["schedule"] = model.schedule_.config()
            out["alpha0"] = model.alpha0_
        out["epochs_trained"] = model.epochs_trained_
        return out
    return {k: v for k, v in out.items() if isinstance(v, np.ndarray)}


def load_state_dict(model: Sequential, state: Mapping[str, object], strict: bool = True) -> None:
    """Restore what ``state_dict`` returned. ``strict``: every parameter and layer-state
    entry must be present. Unknown keys, wrong shapes, and parameters that are complex or
    not finite in the model's dtype raise ShapeError; on any error the model is left as
    it was (all or nothing)."""
    model.require_built()
    if not isinstance(state, Mapping):
        raise ConfigError(f"a state is a dict {{key: value}}, got {type(state).__name__}")
    params, layers, rest = _split(model, state)
    if strict:
        _check_complete(model, params, layers)
    for name, value in params.items():
        value = np.asarray(value)
        if np.iscomplexobj(value) or not np.issubdtype(value.dtype, np.number):
            raise ShapeError(f"parameter {name} must hold real numbers, not {value.dtype}")
        with np.errstate(over="ignore"):
            finite = np.all(np.isfinite(value.astype(model.dtype)))
        if not finite:
            raise ShapeError(f"parameter {name} holds NaN or inf (in {model.dtype})")
    backup = state_dict(model)
    attributes = {k: getattr(model, k) for k in _ATTRIBUTES}
    try:
        _apply(model, params, layers, rest)
    except Exception:
        _apply(model, *_split(model, backup))
        for key, value in attributes.items():
            setattr(model, key, value)
        raise


def _apply(model: Sequential, params: dict, layers: dict, rest: dict) -> None:
    model.parameter_vector.assign(params)
    for i, part in layers.items():
        model.layers[i].load_state_dict(part)
    _load_rest(model, rest)


def _split(model: Sequential, state: Mapping[str, object]):
    params: dict[str, object] = {}
    layers: dict[int, dict[str, object]] = {}
    rest: dict[str, object] = {}
    for key, value in state.items():
        group, _, name = key.partition("/")
        if group == "param":
            if name not in model.parameter_vector.names:
                raise ShapeError(
                    f"the state has {key}, which this model lacks (it has "
                    f"{', '.join(model.parameter_vector.names) or 'no parameters'})"
                )
            params[name] = value
        elif group == "state":
            i, _, sub = name.partition("/")
            if not (i.isdigit() and int(i) < len(model.layers) and sub):
                raise ShapeError(f"state entry {key!r} names no layer of this model")
            layers.setdefault(int(i), {})[sub] = value
        elif group in ("normalizer", "optimizer") or key in ("rng", *TRAINING_KEYS):
            rest[key] = value
        else:
            raise ShapeError(f"unknown state entry {key!r}")
    return params, layers, rest


def _check_complete(model: Sequential, params: dict, layers: dict) -> None:
    missing = [f"param/{n}" for n in model.parameter_vector.names if n not in params]
    for i, layer in enumerate(model.layers):
        want = [k for k, v in layer.state_dict().items() if isinstance(v, np.ndarray)]
        missing += [f"state/{i}/{k}" for k in want if k not in layers.get(i, {})]
    if missing:
        raise ShapeError(f"the state lacks {', '.join(missing)}, which this model needs")


def _load_rest(model: Sequential, rest: dict[str, object]) -> None:
    if "rng" in rest:
        try:
            model.rng.bit_generator.state = rest["rng"]
        except (TypeError, ValueError, KeyError) as exc:
            raise ShapeError(f"unusable random-generator state ({exc})") from None
    norm = {k[len("normalizer/") :]: v for k, v in rest.items() if k.startswith("normalizer/")}
    if norm:
        model.normalizer_ = Standardizer.from_dict(norm)
    if "loss" in rest:
        model.loss_ = get_loss(rest["loss"])
    if "optimizer" in rest:
        opt = get_optimizer(rest["optimizer"])
        opt.load_state_dict(
            {k[len("optimizer/") :]: v for k, v in rest.items() if k.startswith("optimizer/")}
        )
        model.optimizer_ = opt
    if "schedule" in rest:
        model.schedule_ = get_schedule(rest["schedule"])
        model.alpha0_ = None if rest.get("alpha0") is None else float(rest["alpha0"])
    if "epochs_trained" in rest:
        model.epochs_trained_ = int(rest["epochs_trained"])
