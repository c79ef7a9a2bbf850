"""layerwise.dask: prediction mapped over the blocks of a Dask array or DataFrame on a
LocalCluster of two worker processes equals the in-memory ``model.predict``."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

import layerwise as lw
from layerwise.errors import ShapeError

pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
import dask.array as da  # noqa: E402
import dask.dataframe as dd  # noqa: E402
import pandas as pd  # noqa: E402

from layerwise import dask as lw_dask  # noqa: E402

rng = np.random.default_rng(5)
X = rng.standard_normal((1500, 6))
Y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)  # 3 classes


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    )
    with cluster, distributed.Client(cluster) as c:
        yield c


def trained(layers, dtype="float64", normalize=False, Y_fit=Y):
    model = lw.Sequential(layers, seed=2, dtype=dtype, normalize=normalize)
    model.fit(X.T, Y_fit, epochs=5, batch_size=100, optimizer="adam", verbose=0)
    return model


def test_classifier_on_two_workers_equals_in_memory(client):
    model = trained([lw.Dense(8, "relu"), lw.Dense(3, "softmax")], normalize=True)
    X_dask = da.from_array(X, chunks=(200, 4))  # blocks split the features: rechunked
    labels = lw_dask.predict(model, X_dask)
    assert labels.shape == (1500,) and labels.chunks[0] == (200,) * 7 + (100,)
    np.testing.assert_array_equal(labels.compute(), model.predict(X.T)[0])
    proba = lw_dask.predict_proba(model, X_dask).compute()
    np.testing.assert_allclose(proba, model.predict_proba(X.T).T, rtol=1e-12, atol=1e-15)
    workers = client.run(lambda: __import__("os").getpid())
    assert len(set(workers.values())) == 2


def test_regression_and_float32(client):
    targets = np.vstack([X[:, 0] * 2 + X[:, 3], X[:, 1] - X[:, 2]])  # (2, m)
    model = trained([lw.Dense(8, "tanh"), lw.Dense(2, "linear")], "float32", Y_fit=targets)
    out = lw_dask.predict(model, da.from_array(X, chunks=(333, 6))).compute()
    assert out.shape == (1500, 2) and out.dtype == np.float32
    np.testing.assert_allclose(out, model.predict(X.T).T, rtol=1e-5, atol=1e-6)


def test_images(client):
    images = rng.random((120, 6, 6, 1))
    classes = (images[:, :3].mean(axis=(1, 2, 3)) > 0.5).astype(int)
    model = lw.Sequential([lw.Conv2D(2, 3), lw.Flatten(), lw.Dense(1, "sigmoid")], seed=1)
    model.fit(images, classes[None], epochs=3, batch_size=16, optimizer="adam", verbose=0)
    labels = lw_dask.predict(model, da.from_array(images, chunks=(50, 3, 6, 1))).compute()
    np.testing.assert_array_equal(labels, model.predict(images)[0])


def test_dataframe_keeps_its_index(client):
    model = trained([lw.Dense(8, "relu"), lw.Dense(3, "softmax")])
    frame = pd.DataFrame(X, columns=list("abcdef"), index=np.arange(1500) * 10 + 7)
    labels = lw_dask.predict(model, dd.from_pandas(frame, npartitions=3)).compute()
    np.testing.assert_array_equal(labels.index, frame.index)
    np.testing.assert_array_equal(labels.to_numpy(), model.predict(X.T)[0])
    proba = lw_dask.predict_proba(model, dd.from_pandas(frame, npartitions=3)).compute()
    np.testing.assert_allclose(proba.to_numpy(), model.predict_proba(X.T).T, rtol=1e-12)


def test_the_model_travels_as_config_and_arrays():
    model = trained([lw.Dense(8, "relu"), lw.Dense(3, "softmax")])
    shipped = lw_dask._Shipped(model)
    assert set(vars(shipped)) == {"config", "state", "n_y", "classifier", "token"}
    assert not any(k.startswith("optimizer") for k in shipped.state)
    copy = pickle.loads(pickle.dumps(shipped))  # what a worker receives
    np.testing.assert_array_equal(copy.block(X[:10], False), model.predict(X[:10].T)[0])


def test_wrong_shape_is_one_clear_error():
    model = trained([lw.Dense(8, "relu"), lw.Dense(3, "softmax")])
    with pytest.raises(ShapeError, match=r"\(m, n_x\), examples first"):
        lw_dask.predict(model, da.zeros((10, 6, 1)))
