"""The layer registry: the names ``Sequential.from_config`` (and so ``load`` and
``gradcheck``) can rebuild. Built-in layers register themselves; a user-defined layer
needs only ``@register_layer`` (and a ``config()`` that its constructor accepts)."""

from __future__ import annotations

from typing import TypeVar

from ..errors import ConfigError
from .base import Layer

LAYERS: dict[str, type[Layer]] = {}

L = TypeVar("L", bound=type[Layer])


def register_layer(cls: L | None = None, *, name: str | None = None):
    """Class decorator: ``@register_layer`` or ``@register_layer(name="MyLayer")``.

    The name (the class name by default) is what a saved model records. Registering a
    different class under a taken name raises ConfigError; re-registering the same class
    (a module imported twice) is allowed.
    """

    def register(klass: L) -> L:
        if not (isinstance(klass, type) and issubclass(klass, Layer)):
            raise ConfigError(f"register_layer takes a Layer subclass, got {klass!r}")
        key = name or klass.__name__
        old = LAYERS.get(key)
        if old is not None and old.__qualname__ + old.__module__ != (
            klass.__qualname__ + klass.__module__
        ):
            raise ConfigError(f"a layer named {key!r} is already registered ({old!r})")
        LAYERS[key] = klass
        return klass

    return register if cls is None else register(cls)


def layer_class(name: str) -> type[Layer]:
    """The registered class called ``name``."""
    cls = LAYERS.get(name) if isinstance(name, str) else None
    if cls is None:
        raise ConfigError(
            f"unknown layer type {name!r}; registered: {', '.join(sorted(LAYERS))} "
            "(decorate your own Layer subclass with layerwise.register_layer)"
        )
    return cls


def layer_name(layer: Layer) -> str:
    """The name ``type(layer)`` is registered under (for ``Sequential.get_config``)."""
    for key, cls in LAYERS.items():
        if cls is type(layer):
            return key
    raise ConfigError(
        f"{type(layer).__name__} is not a registered layer, so a model holding it cannot be "
        "saved, loaded or copied: decorate the class with @layerwise.register_layer"
    )
