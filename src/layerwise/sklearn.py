"""scikit-learn estimators over the engine: ``DenseClassifier`` and ``DenseRegressor``.

This is the one place that speaks scikit-learn's layout: X is (n_samples, n_features),
y is (n_samples,) (or (n_samples, n_targets) for regression). Inputs are validated once
here and transposed to the engine's X (n_x, m), Y (n_y, m); everything behind that edge
is an ordinary ``Sequential``, kept in ``model_``.

Needs the ``sklearn`` extra: ``pip install 'layerwise[sklearn]'``.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral, Real

import numpy as np

try:
    from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
    from sklearn.exceptions import NotFittedError as _SklearnNotFittedError
    from sklearn.model_selection import train_test_split
    from sklearn.utils import check_random_state
    from sklearn.utils.multiclass import type_of_target
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "layerwise.sklearn needs scikit-learn: pip install 'layerwise[sklearn]'"
    ) from exc

try:  # scikit-learn >= 1.6
    from sklearn.utils.validation import validate_data
except ImportError:  # pragma: no cover - older scikit-learn

    def validate_data(estimator, X="no_validation", y="no_validation", reset=True, **kwargs):
        return estimator._validate_data(X, y, reset=reset, **kwargs)


from . import checks
from .builders import hidden_layers
from .callbacks import EarlyStopping, History
from .errors import ConfigError, DataError, LayerwiseError
from .errors import NotFittedError as _NotFittedError
from .layers import Dense
from .network import Sequential

__all__ = ["DenseClassifier", "DenseRegressor"]

Array = np.ndarray


class EstimatorNotFittedError(_NotFittedError, _SklearnNotFittedError):
    """predict before fit: layerwise's NotFittedError that scikit-learn also recognises."""


def _plain(value):
    """A NumPy scalar as the Python value it holds (for messages: 0.5, not np.float64(0.5))."""
    return value.item() if isinstance(value, np.generic) else value


def _validated(estimator, X, y="no_validation", **kwargs):
    """scikit-learn's ``validate_data``, its refusals turned into one-line DataErrors.

    ``DataError`` is a ``ValueError``, so scikit-learn's own checks still see the error
    type they expect; scikit-learn's message is joined into one line, without the array it
    dumps and without its advice to use another estimator for NaN.
    """
    try:
        return validate_data(estimator, X, y, **kwargs)
    except ValueError as exc:
        if isinstance(exc, LayerwiseError):
            raise
        lines = [
            line.strip()
            for line in str(exc).splitlines()
            if line.strip() and not line.strip().startswith("array=") and "natively" not in line
        ]
        raise DataError(f"{type(estimator).__name__}: {' '.join(lines)}") from None


class _DenseBase(BaseEstimator):
    """What both estimators share: parameters, checks, the network and the fit loop."""

    def __init__(
        self,
        hidden_layer_sizes: Sequence[int] = (64,),
        activation: str = "relu",
        optimizer: str = "adam",
        learning_rate: float = 0.001,
        batch_size: int | None = 32,
        epochs: int = 200,
        l2: float = 0.0,
        keep_prob: float = 1.0,
        batch_norm: bool = False,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        patience: int = 10,
        normalize: bool = True,
        random_state: int | np.random.RandomState | None = None,
        dtype: str = "float32",
        verbose: int = 0,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.l2 = l2
        self.keep_prob = keep_prob
        self.batch_norm = batch_norm
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.normalize = normalize
        self.random_state = random_state
        self.dtype = dtype
        self.verbose = verbose

    # ------------------------------------------------------------------ checks
    def _hidden_sizes(self) -> list[int]:
        sizes = self.hidden_layer_sizes
        if isinstance(sizes, Integral) and not isinstance(sizes, bool):
            sizes = (sizes,)
        try:
            sizes = list(sizes)
        except TypeError:
            sizes = None
        if sizes is None or not all(
            isinstance(n, Integral) and not isinstance(n, bool) and n >= 1 for n in sizes
        ):
            raise ConfigError(
                "hidden_layer_sizes must be a sequence of positive integers, e.g. (64,) or "
                f"(32, 16), got {self.hidden_layer_sizes!r}"
            )
        return [int(n) for n in sizes]

    def _check_params(self) -> None:
        """Raise ConfigError for arguments the engine does not check itself."""

        def real(name: str, low: float, high: float, low_open: bool, high_open: bool) -> None:
            value = getattr(self, name)
            ok = isinstance(value, Real) and not isinstance(value, bool)
            if ok:
                ok = (low < value if low_open else low <= value) and (
                    value < high if high_open else value <= high
                )
            if not ok:
                left, right = "(" if low_open else "[", ")" if high_open else "]"
                raise ConfigError(
                    f"{name} must be a number in {left}{low}, {high}{right}, got {value!r}"
                )

        real("learning_rate", 0.0, np.inf, True, True)
        real("l2", 0.0, np.inf, False, True)
        real("keep_prob", 0.0, 1.0, True, False)
        real("validation_fraction", 0.0, 1.0, True, True)
        for name, low in (("epochs", 1), ("patience", 0)):
            value = getattr(self, name)
            if not isinstance(value, Integral) or isinstance(value, bool) or value < low:
                raise ConfigError(f"{name} must be an integer >= {low}, got {value!r}")
        bs = self.batch_size
        if bs is not None and (not isinstance(bs, Integral) or isinstance(bs, bool) or bs < 1):
            raise ConfigError(f"batch_size must be a positive integer or None, got {bs!r}")

    def _seed(self) -> int | None:
        """The engine's seed: random_state itself for an int, one draw from a RandomState."""
        if self.random_state is None:
            return None
        if isinstance(self.random_state, Integral) and not isinstance(self.random_state, bool):
            return checks.seed(self.random_state, "random_state")
        if not isinstance(self.random_state, np.random.RandomState):
            raise ConfigError(
                "random_state must be None, an integer in [0, 2**32) or a "
                f"np.random.RandomState, got {self.random_state!r}"
            )
        return int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))

    # ------------------------------------------------------------------ training
    def _fit_engine(self, X: Array, Y: Array, units: int, out_act: str, stratify) -> None:
        """Build and train ``model_`` on X (m, n_x) and engine targets Y (n_y, m)."""
        self._check_params()
        sizes = self._hidden_sizes()
        seed = self._seed()
        layers = hidden_layers(
            sizes, self.activation, None, bool(self.batch_norm), float(self.keep_prob)
        )
        layers.append(Dense(units, out_act))
        model = Sequential(layers, seed=seed, dtype=self.dtype, normalize=bool(self.normalize))

        XT = X.T  # (n_x, m)
        validation, callbacks = None, []
        if self.early_stopping:
            split_seed = int(np.random.default_rng(seed).integers(np.iinfo(np.int32).max))
            idx = np.arange(X.shape[0])
            try:
                train_idx, dev_idx = train_test_split(
                    idx,
                    test_size=self.validation_fraction,
                    random_state=split_seed,
                    stratify=stratify,
                )
            except ValueError:  # a class too small to stratify: split without it
                train_idx, dev_idx = train_test_split(
                    idx, test_size=self.validation_fraction, random_state=split_seed
                )
            validation = (XT[:, dev_idx], Y[:, dev_idx])
            XT, Y = XT[:, train_idx], Y[:, train_idx]
            callbacks.append(
                EarlyStopping("val_loss", patience=int(self.patience), restore_best_weights=True)
            )
        history: History = model.fit(
            XT,
            Y,
            epochs=int(self.epochs),
            learning_rate=float(self.learning_rate),
            optimizer=self.optimizer,
            batch_size=None if self.batch_size is None else int(self.batch_size),
            l2=float(self.l2),
            validation_data=validation,
            callbacks=callbacks,
            verbose=int(self.verbose),
        )
        self.model_ = model
        self.history_ = history
        self.loss_curve_ = list(history.history["loss"])
        self.n_iter_ = len(history.epoch)

    def _engine_output(self, X) -> Array:
        """A[L]ᵀ, (n_samples, n_y), for X (n_samples, n_features)."""
        if not hasattr(self, "model_"):
            raise EstimatorNotFittedError(
                f"this {type(self).__name__} is not fitted yet: call fit(X, y) before predicting"
            )
        X = _validated(self, X, reset=False, dtype=(np.float64, np.float32))
        return self.model_.predict_proba(X.T).T


class DenseClassifier(ClassifierMixin, _DenseBase):
    """A dense network classifier with scikit-learn's interface.

    Hidden layers Dense(n, activation) [with BatchNorm, Dropout(keep_prob)] for each n in
    ``hidden_layer_sizes``; the output is one sigmoid unit for two classes, C softmax units
    for C >= 3. Labels may be any values: they are mapped to indices through ``classes_``.
    ``batch_size=None`` trains full batch; ``early_stopping`` holds out
    ``validation_fraction`` of the data (stratified) and keeps the weights of the best
    ``val_loss``. ``normalize`` standardises the inputs inside the model.

    Fitted attributes: ``model_`` (the Sequential), ``history_`` (its History),
    ``loss_curve_`` (training cost per epoch), ``n_iter_`` (epochs run), ``classes_``
    (n_classes,), ``n_features_in_``.
    """

    def fit(self, X, y) -> DenseClassifier:
        """Train on X (n_samples, n_features) and labels y (n_samples,)."""
        X, y = _validated(self, X, y, dtype=(np.float64, np.float32))
        kind = type_of_target(y)
        if kind not in ("binary", "multiclass"):
            raise DataError(
                f"DenseClassifier needs class labels in y (Unknown label type: {kind}, e.g. "
                f"{_plain(y.flat[0])!r}); for real targets use DenseRegressor"
            )
        classes, y_idx = np.unique(y, return_inverse=True)
        if classes.size < 2:
            only = _plain(classes[0])
            raise DataError(f"DenseClassifier needs at least 2 classes in y, got 1 class: {only!r}")
        m, C = y_idx.size, classes.size
        if C == 2:
            Y = y_idx.reshape(1, m).astype(np.float64)
            units, out_act = 1, "sigmoid"
        else:
            Y = np.zeros((C, m))
            Y[y_idx, np.arange(m)] = 1.0
            units, out_act = C, "softmax"
        self.classes_ = classes
        self._fit_engine(X, Y, units, out_act, stratify=y_idx)
        return self

    def predict_proba(self, X) -> Array:
        """Class probabilities (n_samples, n_classes), columns in the order of ``classes_``."""
        A = self._engine_output(X).astype(np.float64)
        if A.shape[1] == 1:
            return np.hstack([1.0 - A, A])
        return A

    def predict(self, X) -> Array:
        """Labels (n_samples,) taken from ``classes_``."""
        A = self._engine_output(X)
        if A.shape[1] == 1:
            idx = (A[:, 0] > 0.5).astype(np.int64)
        else:
            idx = np.argmax(A, axis=1)
        return self.classes_[idx]

    def predict_log_proba(self, X) -> Array:
        """log of :meth:`predict_proba`, (n_samples, n_classes)."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))


class DenseRegressor(RegressorMixin, _DenseBase):
    """A dense network regressor with scikit-learn's interface.

    Same hidden layers as :class:`DenseClassifier`; the output is n_targets linear units
    trained on the mean squared error. y may be (n_samples,) or (n_samples, n_targets);
    ``predict`` returns the same number of dimensions.

    Fitted attributes: ``model_``, ``history_``, ``loss_curve_``, ``n_iter_``,
    ``n_outputs_``, ``n_features_in_``.
    """

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def fit(self, X, y) -> DenseRegressor:
        """Train on X (n_samples, n_features) and targets y (n_samples,) or
        (n_samples, n_targets)."""
        if np.asarray(y).dtype.kind in "USV":
            raise DataError(
                "DenseRegressor needs numeric targets y, got text such as "
                f"{_plain(np.asarray(y).flat[0])!r}; for class labels use DenseClassifier"
            )
        X, y = _validated(
            self, X, y, dtype=(np.float64, np.float32), multi_output=True, y_numeric=True
        )
        y = np.asarray(y, dtype=np.float64)
        self._y_1d = y.ndim == 1
        Y = y.reshape(-1, 1).T if y.ndim == 1 else y.T  # (n_y, m)
        self.n_outputs_ = Y.shape[0]
        self._fit_engine(X, Y, self.n_outputs_, "linear", stratify=None)
        return self

    def predict(self, X) -> Array:
        """Predictions (n_samples,) for a 1-D y at fit, else (n_samples, n_targets)."""
        A = self._engine_output(X).astype(np.float64)
        return A[:, 0] if self._y_1d else A
