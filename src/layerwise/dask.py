"""Prediction over a Dask array or DataFrame (the ``dask`` extra): the model is mapped
over the blocks, so a data set that no one machine holds is scored on any Dask cluster.

Examples come first, as on disk: rows (m, n_x) (a DataFrame's rows), or images
(m, n_H, n_W, n_C). The array is rechunked so that each block holds whole examples
(every feature), then each block is predicted on its own and the results keep the
blocks' chunks along m.

The model travels to the workers as its state, ``get_config()`` (plain JSON) and the
arrays of ``state_dict()`` that prediction needs (parameters, layer state, the
normaliser; not the optimiser's moments); each worker process rebuilds it once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import ConfigError, ShapeError
from .network import Sequential

if TYPE_CHECKING:  # pragma: no cover
    import dask.array as da

__all__ = ["predict", "predict_proba"]

_INFERENCE_KEYS = ("param/", "state/", "normalizer/")
_MODELS: dict[str, Sequential] = {}  # rebuilt models, per worker process


def predict(model: Sequential, X: Any) -> Any:
    """``model.predict`` over a Dask array X (m, n_x) (or images (m, n_H, n_W, n_C)):
    a Dask array of labels (m,) for a classifier, of values (m, n_y) otherwise. A Dask
    DataFrame of rows gives a Series (classifier) or a DataFrame, on the same index."""
    return _mapped(model, X, proba=False)


def predict_proba(model: Sequential, X: Any) -> Any:
    """A[L] over a Dask array X (m, n_x) (or images): a Dask array (m, n_y); a Dask
    DataFrame gives a DataFrame of n_y columns on the same index."""
    return _mapped(model, X, proba=True)


class _Shipped:
    """What a worker needs to rebuild the model: its config and inference arrays."""

    def __init__(self, model: Sequential) -> None:
        model.require_built()
        if model.output_axis != -1:
            raise ConfigError("layerwise.dask predicts (n_y, m) outputs, not per-example grids")
        self.config = model.get_config()
        state = model.state_dict()
        self.state = {k: v for k, v in state.items() if k.startswith(_INFERENCE_KEYS)}
        self.n_y = int(model.layers[-1].output_shape[0])
        self.classifier = model.predict(_zeros(model)).dtype.kind == "i"
        self.token = _token(self.config, self.state)

    def model(self) -> Sequential:
        model = _MODELS.get(self.token)
        if model is None:
            model = Sequential.from_config(self.config)
            model.load_state_dict(self.state)
            _MODELS[self.token] = model
        return model

    def block(self, X: np.ndarray, proba: bool) -> np.ndarray:
        """Rows (b, ...) of examples -> labels (b,) or outputs (b, n_y)."""
        model = self.model()
        X_in = X if model.example_axis == 0 else X.T
        out = model.predict_proba(X_in) if proba else model.predict(X_in)
        return out[0] if self.classifier and not proba else out.T


def _mapped(model: Sequential, X: Any, proba: bool) -> Any:
    shipped = _Shipped(model)
    if _is_dataframe(X):
        return _over_frame(shipped, X, proba)
    X = _as_dask_array(X)
    n_in = len(model.layers[0].input_shape)
    if X.ndim != 1 + n_in:
        layout = "(m, n_x)" if n_in == 1 else "(m, n_H, n_W, n_C)"
        raise ShapeError(f"X must be {layout}, examples first; got a Dask array of {X.shape}")
    X = X.rechunk({i: -1 for i in range(1, X.ndim)})  # whole examples in each block
    labels = shipped.classifier and not proba
    kind = np.int64 if labels else np.dtype(model.dtype)
    if labels:
        return X.map_blocks(shipped.block, proba, drop_axis=list(range(1, X.ndim)), dtype=kind)
    return X.map_blocks(
        shipped.block,
        proba,
        drop_axis=list(range(2, X.ndim)),
        chunks=(X.chunks[0], (shipped.n_y,)),
        dtype=kind,
    )


def _over_frame(shipped: _Shipped, frame, proba: bool):
    import pandas as pd  # noqa: PLC0415 - the dask extra's dataframe part

    labels = shipped.classifier and not proba
    columns = [f"y{i}" for i in range(shipped.n_y)]
    dtype = shipped.config.get("dtype", "float32")

    def part(rows: pd.DataFrame):
        out = shipped.block(rows.to_numpy(dtype=dtype), proba)
        if labels:
            return pd.Series(out, index=rows.index, name="prediction")
        return pd.DataFrame(out, index=rows.index, columns=columns)

    meta = (
        pd.Series([], dtype=np.int64, name="prediction")
        if labels
        else pd.DataFrame({c: np.array([], dtype) for c in columns})
    )
    return frame.map_partitions(part, meta=meta)


def _as_dask_array(X: Any) -> da.Array:
    import dask.array as da  # noqa: PLC0415 - the dask extra

    return X if isinstance(X, da.Array) else da.asarray(X)


def _is_dataframe(X: Any) -> bool:
    try:
        import dask.dataframe as dd  # noqa: PLC0415 - the dask extra (pandas)
    except ImportError:
        return False
    return isinstance(X, dd.DataFrame)


def _zeros(model: Sequential) -> np.ndarray:
    shape = model.layers[0].input_shape
    return np.zeros((1, *shape) if model.example_axis == 0 else (*shape, 1), model.dtype)


def _token(config: dict, state: dict) -> str:
    from dask.base import tokenize  # noqa: PLC0415 - the dask extra

    return tokenize(config, sorted(state.items()))
