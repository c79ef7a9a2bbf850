"""Sequential: runs its layers forward, then backward in reverse, and names their parameters."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np

from . import io, state
from .autodiff import CustomLoss
from .checks import seed as check_seed
from .data.labels import prepare_example_targets, prepare_targets
from .data.validation import check_finite, sum_is_finite
from .errors import (
    ConfigError,
    DataError,
    LayerwiseError,
    ModelFileError,
    NonFiniteOutputError,
    NotFittedError,
    ShapeError,
)
from .layers import Activation, Dense, Layer, ParameterVector, layer_class, layer_name
from .losses import Loss, default_loss, get_loss
from .metrics import accuracy_of
from .training import fit

Array = np.ndarray
DTYPES = ("float32", "float64")


class Sequential:
    """A stack of layers, A[0] = X -> A[1] -> ... -> A[L].

    ``layers``: Dense, Dropout, BatchNorm, Activation ... in order. ``input_dim`` is n[0]
    (or the shape of one example for image layers); when None it is taken from the first
    data the model sees. ``seed`` seeds every random draw (initialisation, dropout,
    shuffling) through ``np.random.default_rng``. ``dtype`` is "float32" (fast, the
    default) or "float64". ``normalize=True`` standardises inputs with the mean and
    variance of the training set, stored in the model and applied by predict.

    Parameters and gradients are exposed in the course's names: ``parameters["W1"]``,
    ``gradients["dW1"]``; Dense and Conv2D layers are numbered l = 1 ... L in order, and a
    BatchNorm's gamma/beta take the number of the layer before it. All of them live in
    one vector (``parameter_vector``). ``state_dict()`` / ``load_state_dict()`` and
    ``get_config()`` / ``from_config()`` are the model's whole state and architecture.
    """

    def __init__(
        self,
        layers: Sequence[Layer],
        input_dim: int | Sequence[int] | None = None,
        seed: int | None = None,
        dtype: str = "float32",
        normalize: bool = False,
    ) -> None:
        layers = list(layers)
        if not layers or not all(isinstance(layer, Layer) for layer in layers):
            raise ConfigError("Sequential needs a non-empty list of layers (Dense, Dropout, ...)")
        if str(dtype) not in DTYPES and getattr(dtype, "__name__", None) not in DTYPES:
            raise ConfigError(f"dtype must be 'float32' or 'float64', got {dtype!r}")
        if seed is not None:
            seed = check_seed(seed, "seed")
        self.layers = layers
        self.input_dim = input_dim
        self.seed = seed
        self.dtype = np.dtype(dtype)
        self.normalize = bool(normalize)
        self.normalizer_ = None
        self.classes_: list[str] | None = None
        self.loss_: Loss | None = None
        self.optimizer_ = None
        self.history_ = None
        self.schedule_ = None
        self.alpha0_: float | None = None
        self.epochs_trained_ = 0
        self.parameter_vector: ParameterVector | None = None
        self.built = False
        self.rng = np.random.default_rng(seed)
        if input_dim is not None:
            self.build(input_dim)

    # ------------------------------------------------------------------ structure
    @property
    def example_axis(self) -> int:
        """The axis of X that holds the examples: -1 for (n_x, m), 0 for images."""
        return self.layers[0].example_axis

    @property
    def output_activation(self) -> str:
        for layer in reversed(self.layers):
            act = getattr(layer, "activation", None)
            if act is not None:
                return act.name
        return "linear"

    def build(self, input_dim: int | Sequence[int]) -> Sequential:
        """Create every layer's parameters, as views of one vector, for examples of
        shape ``input_dim``; initialise them in layer order from the model's generator."""
        shape = (int(input_dim),) if np.isscalar(input_dim) else tuple(int(d) for d in input_dim)
        if any(d < 1 for d in shape):
            raise ShapeError(f"input_dim must be positive, got {input_dim!r}")
        self.input_dim = shape[0] if len(shape) == 1 else list(shape)
        l = 0
        for layer in self.layers:
            shape = layer.setup(shape, self.dtype)
            if layer.is_numbered:
                l += 1
            layer.index = max(l, 1)
        self.parameter_vector = ParameterVector(self.layers, self.dtype)
        for layer in self.layers:
            layer.initialize(self.rng)
        last = self.layers[-1]
        if isinstance(last, (Dense, Activation)):
            last.keep_logits = last.activation.name in ("sigmoid", "softmax")
        self.built = True
        return self

    @property
    def parameters(self) -> dict[str, Array]:
        """{"W1": ..., "b1": ..., ...}: the live arrays (write into them in place)."""
        self.require_built()
        return {name: self.parameter_vector[name] for name in self.parameter_vector.names}

    @property
    def gradients(self) -> dict[str, Array]:
        """{"dW1": ..., "db1": ...} from the last backward pass."""
        self.require_built()
        vec = self.parameter_vector
        return {"d" + name: vec.grad(name) for name in vec.names}

    def set_parameters(self, parameters: Mapping[str, Array]) -> Sequential:
        """Copy values into the model's parameters, by course name ({"W1": ..., "b1": ...}).

        Every name must exist and every shape match (W[l] (n[l], n[l-1]), b[l] (n[l], 1));
        names the dict leaves out keep their values. Values are cast to the model's dtype.
        """
        self.require_built()
        self.parameter_vector.assign(parameters)
        return self

    def named_parameters(self) -> list[tuple[str, Array, Array]]:
        """(course name, param, grad) triples, the form optimisers take."""
        self.require_built()
        vec = self.parameter_vector
        return [(name, vec[name], vec.grad(name)) for name in vec.names]

    def regularized_pairs(self) -> list[tuple[Array, Array]]:
        """(W, dW) views of the parameters L2 regularisation acts on (each layer's
        ``regularized`` keys: W for Dense and Conv2D)."""
        return [
            (layer.params[k], layer.grads[k])
            for layer in self.layers
            for k in layer.regularized
            if k in layer.params
        ]

    def require_built(self) -> None:
        if not self.built:
            raise NotFittedError(
                "the model has no parameters yet: give input_dim=n_x or call fit/build first"
            )

    # ------------------------------------------------------------------ passes
    def check_input(self, X: Array, *, finite_checked: bool = False) -> Array:
        """X as the model's dtype, checked against n[0] (or (n_H, n_W, n_C)) and for
        NaN/inf (unless ``finite_checked``); builds the model on first use."""
        X = np.asarray(X)
        if not np.issubdtype(X.dtype, np.number) and X.dtype != bool:
            raise ShapeError(f"X must be numeric, got dtype {X.dtype}")
        images = self.example_axis != -1
        if X.ndim != (4 if images else 2):
            layout = "images (m, n_H, n_W, n_C)" if images else "2-D (n_x, m)"
            raise ShapeError(f"X must be {layout}, got shape {X.shape}")
        example_shape = X.shape[1:] if images else X.shape[:-1]
        if not self.built:
            self.build(example_shape if len(example_shape) > 1 else example_shape[0])
        expected = tuple(self.layers[0].input_shape)
        if tuple(example_shape) != expected:
            if not images:
                raise ShapeError(
                    f"X has {X.shape[0]} rows but layer 1 expects n[0] = {expected[0]} "
                    "(X must be (n_x, m))"
                )
            raise ShapeError(
                f"X must be (m, n_H, n_W, n_C) = (m, {', '.join(map(str, expected))}), "
                f"got {X.shape}"
            )
        if not finite_checked:
            check_finite(X, "X")
        if self.normalizer_ is not None:
            X = self.normalizer_.transform(X)
        if X.dtype.kind != "f" or X.dtype.itemsize <= self.dtype.itemsize:
            return X.astype(self.dtype, copy=False)
        with np.errstate(over="ignore"):
            cast = X.astype(self.dtype)
        if not np.isfinite(cast).all():
            raise DataError(
                f"X holds values beyond {self.dtype}'s range (|x| <= "
                f"{np.finfo(self.dtype).max:.3g}): rescale X, or use dtype='float64'"
            )
        return cast

    def forward(self, X: Array, training: bool = False) -> Array:
        """A[L] for X (n[0], m) (already checked); keeps caches when ``training``."""
        A = X
        for layer in self.layers:
            A = layer.forward(A, training)
        return A

    def backward(self, dAL: Array, *, dZ_given: bool = False) -> None:
        """Back-propagate dJ/dA[L] (or dZ[L] with ``dZ_given``), filling every layer's grads."""
        lowest = self._lowest_trainable()
        d = dAL
        for i in range(len(self.layers) - 1, lowest - 1, -1):
            layer = self.layers[i]
            layer.need_input_grad = i > lowest
            d = (
                layer.backward(d, dZ_given=True)
                if dZ_given and i == len(self.layers) - 1
                else layer.backward(d)
            )

    def _lowest_trainable(self) -> int:
        """The index of the first layer with trainable parameters (the last layer when
        none has any): back-propagation stops there, since nothing below it learns, and
        that layer skips its dA_prev (a Rescale or Flatten before the first conv, a frozen
        base under a new head)."""
        for i, layer in enumerate(self.layers):
            if layer.trainable and layer.n_params:
                return i
        return len(self.layers) - 1

    def resolve_loss(self, loss: str | Loss | Callable | None) -> Loss:
        """The Loss for ``loss``: None pairs one with the output activation; a name or a
        Loss as ``get_loss``; a function fn(A_L, Y) -> J written with layerwise.autodiff
        operations becomes a ``CustomLoss`` (its gradient by reverse mode)."""
        if loss is None:
            return default_loss(self.output_activation)
        if callable(loss) and not isinstance(loss, (str, Loss, type)):
            return CustomLoss(loss)
        return get_loss(loss)

    def has_fused_output_delta(self, loss: Loss) -> bool:
        """True when dZ[L] = (A[L] - Y)/m applies (sigmoid+BCE, softmax+CCE, linear+MSE):
        the last layer (a Dense or an Activation) applies the loss's paired activation."""
        last = self.layers[-1]
        return isinstance(last, (Dense, Activation)) and loss.fused_with == last.activation.name

    @property
    def output_axis(self) -> int:
        """The axis of A[L] that holds the examples: -1 for (n_y, m), 0 for outputs such
        as a conv grid (m, n_H, n_W, n_C)."""
        return self.layers[-1].output_axis

    def targets(self, Y: Array, m: int) -> Array:
        """Y as the output layer needs it, in the model's dtype: (1, m) 0/1 or one-hot
        (C, m) for classifiers (class indices accepted), the values (n_y, m) for other
        column outputs, and (m, *output shape) for outputs whose examples come first."""
        out = self.layers[-1].output_shape
        if self.output_axis == 0:
            Y = prepare_example_targets(Y, out, m)
        else:
            Y = prepare_targets(Y, out[0], self.output_activation, m)
        return Y.astype(self.dtype)

    def output_logits(self) -> Array | None:
        """Z[L] of the last forward pass when the output layer keeps it (a sigmoid or
        softmax Dense/Activation output), else None."""
        return getattr(self.layers[-1], "logits", None)

    def cost(self, A: Array, Y: Array, loss: Loss, Z: Array | None = None) -> float:
        """J of the output A[L] (and its logits Z[L] when known: then exact, from
        log-sum-exp, for BCE after sigmoid and CCE after softmax)."""
        if (
            Z is not None
            and loss.fused_with in ("sigmoid", "softmax")
            and (loss.fused_with == self.output_activation)
        ):
            return loss.cost_from_logits(Z, Y)
        return loss.cost(A, Y)

    # ------------------------------------------------------------------ training
    fit = fit  # layerwise.training.fit, with its signature and documentation

    # ------------------------------------------------------------------ inference
    def predict_proba(self, X: Array, batch_size: int = 16384) -> Array:
        """A[L] for X (n_x, m), computed in chunks of ``batch_size`` examples (slices,
        so no copy of X is made)."""
        return self._outputs(X, batch_size)[0]

    def _outputs(self, X: Array, batch_size: int = 16384) -> tuple[Array, Array | None]:
        """(A[L], Z[L] or None) for X, by chunks of ``batch_size`` examples."""
        self.require_built()
        X = self.check_input(X)
        m, axis = X.shape[self.example_axis], self.example_axis
        parts, logits = [], []
        with np.errstate(over="ignore", invalid="ignore"):  # an overflow is refused below
            for i in range(0, m, batch_size):
                chunk = (
                    X
                    if m <= batch_size
                    else (X[..., i : i + batch_size] if axis == -1 else X[i : i + batch_size])
                )
                parts.append(self.forward(chunk))
                logits.append(self.output_logits())
                self._check_finite(parts[-1], logits[-1])
        if len(parts) == 1:
            return parts[0], logits[0]
        Z = None if logits[0] is None else np.concatenate(logits, axis=-1)
        return np.concatenate(parts, axis=self.output_axis), Z

    def _check_finite(self, A: Array, Z: Array | None) -> None:
        """Refuse an overflowed forward pass rather than return inf or NaN (under the
        caller's errstate). A finite sum proves every entry finite in one pass; only an
        infinite or NaN sum (which finite entries can also give) looks entry by entry."""
        if sum_is_finite(A) and (Z is None or sum_is_finite(Z)):
            return
        bad = ~np.isfinite(A) if Z is None else ~(np.isfinite(A) & np.isfinite(Z))
        if not bad.any():
            return
        examples = np.moveaxis(bad, self.output_axis, 0).reshape(bad.shape[self.output_axis], -1)
        raise NonFiniteOutputError(
            f"the forward pass overflowed {self.dtype} for {int(examples.any(axis=1).sum())} "
            f"of {examples.shape[0]} examples (A[L] or Z[L] is inf or NaN): this input is too "
            "large for these weights; scale X as in training, retrain with a smaller "
            "learning rate, or use dtype='float64'"
        )

    def predict(self, X: Array) -> Array:
        """Labels (1, m): A > 0.5 for a sigmoid output, argmax over classes for softmax,
        the values A[L] themselves for other outputs."""
        A = self.predict_proba(X)
        act = self.output_activation
        if act == "sigmoid" and A.shape[0] == 1:
            return (A > 0.5).astype(np.int64)
        if act == "softmax" or (act == "sigmoid" and A.shape[0] > 1):
            return np.argmax(A, axis=0).reshape(1, -1)
        return A

    def evaluate(self, X: Array, Y: Array, loss: str | Loss | None = None) -> dict[str, float]:
        """{"loss": J, "accuracy": fraction correct} (accuracy for classifiers only)."""
        A, Z = self._outputs(X)
        loss_obj = self.resolve_loss(loss if loss is not None else self.loss_)
        Yt = self.targets(Y, A.shape[self.output_axis]).astype(A.dtype, copy=False)
        with np.errstate(over="ignore", invalid="ignore"):
            out = {"loss": self.cost(A, Yt, loss_obj, Z)}
        if not np.isfinite(out["loss"]):
            raise NonFiniteOutputError(
                f"the cost overflowed ({out['loss']}) though A[L] is finite: the outputs are too "
                "far from Y for this dtype; scale X and Y as in training"
            )
        acc = accuracy_of(A, Yt, self.output_activation) if self.output_axis == -1 else None
        if acc is not None:
            out["accuracy"] = acc
        return out

    # ------------------------------------------------------------------ reporting, files
    def summary(self, print_fn=print) -> str:
        """A table of layers: type, activation, n[l], shapes of W[l] and b[l], parameter count."""
        self.require_built()
        rows = [("layer", "type", "activation", "n[l]", "params shapes", "# params")]
        rows.append(("0", "Input", "", str(self.input_dim), "", "0"))
        for i, layer in enumerate(self.layers, start=1):
            shapes = ", ".join(
                f"{name} {layer.params[k].shape}" for k, name in layer.param_names().items()
            )
            n = layer.output_shape[0] if len(layer.output_shape) == 1 else layer.output_shape
            rows.append(
                (
                    str(i),
                    type(layer).__name__,
                    layer.describe(),
                    str(n),
                    shapes,
                    f"{layer.n_params:,}" + ("" if layer.trainable else " (frozen)"),
                )
            )
        total = sum(layer.n_params for layer in self.layers)
        frozen = sum(layer.n_params for layer in self.layers if not layer.trainable)
        widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
        line = "-" * (sum(widths) + 2 * (len(widths) - 1))
        fmt = "  ".join(f"{{:<{w}}}" for w in widths)
        text = [fmt.format(*rows[0]), line] + [fmt.format(*r) for r in rows[1:]]
        text += [line, f"Total parameters: {total:,}   dtype: {self.dtype}"]
        if frozen:
            text.append(f"Trainable: {total - frozen:,}   frozen: {frozen:,}")
        out = "\n".join(text)
        if print_fn is not None:
            print_fn(out)
        return out

    # ------------------------------------------------------------------ state boundary
    def get_config(self) -> dict:
        """The architecture, JSON-serialisable: ``Sequential.from_config`` rebuilds it."""
        return {
            "input_dim": self.input_dim,
            "dtype": str(self.dtype),
            "seed": self.seed,
            "normalize": self.normalize,
            "classes": self.classes_,
            "layers": [
                {"type": layer_name(lay), "config": lay.config()}
                | ({} if lay.trainable else {"trainable": False})
                for lay in self.layers
            ],
        }

    @classmethod
    def from_config(cls, config: Mapping) -> Sequential:
        """A new model (built when ``input_dim`` is known, with fresh parameters) from
        ``get_config()``; layer types are looked up in the layer registry."""
        if not isinstance(config, Mapping) or not isinstance(config.get("layers"), list):
            raise ConfigError("a model config is a dict with a 'layers' list")
        layers = []
        for spec in config["layers"]:
            if not isinstance(spec, Mapping) or not isinstance(spec.get("config", {}), Mapping):
                raise ConfigError(f"a layer config is {{'type': ..., 'config': {{...}}}}: {spec!r}")
            layer = layer_class(spec.get("type")).from_config(dict(spec.get("config", {})))
            layer.trainable = bool(spec.get("trainable", True))
            layers.append(layer)
        model = cls(
            layers,
            input_dim=config.get("input_dim"),
            seed=config.get("seed"),
            dtype=config.get("dtype", "float32"),
            normalize=config.get("normalize", False),
        )
        model.classes_ = config.get("classes")
        return model

    def with_head(
        self, head: Sequence[Layer], keep: int | None = None, *, freeze: bool = True, seed=None
    ) -> Sequential:
        """Transfer learning: a new model made of copies of this model's first ``keep``
        layers (all but the last by default), with their trained parameters and state,
        frozen unless ``freeze=False``, followed by the new (untrained) ``head`` layers."""
        self.require_built()
        keep = len(self.layers) - 1 if keep is None else int(keep)
        if not 1 <= keep <= len(self.layers):
            raise ConfigError(f"keep must be 1 ... {len(self.layers)} layers, got {keep}")
        base = [dict(spec) for spec in self.get_config()["layers"][:keep]]
        layers = [layer_class(spec["type"]).from_config(dict(spec["config"])) for spec in base]
        model = Sequential(
            [*layers, *head],
            input_dim=self.input_dim,
            seed=self.seed if seed is None else seed,
            dtype=str(self.dtype),
            normalize=self.normalize,
        )
        mine = self.state_dict(training=False)
        names = {n for layer in layers for n in layer.param_names().values()}
        model.load_state_dict(
            {k: v for k, v in mine.items() if k[len("param/") :] in names}
            | {
                k: v
                for k, v in mine.items()
                if k.startswith("state/") and int(k.split("/")[1]) < keep
            }
            | {k: v for k, v in mine.items() if k.startswith("normalizer/")},
            strict=False,
        )
        for layer in layers:
            layer.trainable = not freeze
        return model

    state_dict = state.state_dict
    load_state_dict = state.load_state_dict

    def save(self, path: str | os.PathLike) -> Path:
        """Write the model (architecture and ``state_dict()``) to one .npz file,
        atomically, and return its path (".npz" is added when missing)."""
        return io.write_model(path, self.get_config(), self.state_dict())

    @classmethod
    def load(cls, path: str | os.PathLike) -> Sequential:
        """The model saved at ``path``; any problem is one ModelFileError sentence."""
        config, saved = io.read_model(path)
        try:
            model = cls.from_config(config)
        except (LayerwiseError, KeyError, TypeError, ValueError) as exc:
            raise ModelFileError(f"{path} has an unreadable architecture entry ({exc})") from None
        if not model.built:
            raise ModelFileError(f"{path} does not record the input size n[0]")
        try:
            model.load_state_dict(saved)
        except (LayerwiseError, KeyError, TypeError, ValueError) as exc:
            raise ModelFileError(f"{path}: {exc}") from None
        return model

    def __repr__(self) -> str:
        inner = ", ".join(repr(lay) for lay in self.layers)
        return f"Sequential([{inner}], input_dim={self.input_dim!r}, dtype='{self.dtype}')"
