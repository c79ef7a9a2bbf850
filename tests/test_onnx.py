"""ONNX export and import (layerwise.onnx_io): every layer and activation against
onnxruntime, trained digits / CNN / cat models, round trips, PyTorch graphs imported and
fine-tuned, refusals of what layerwise cannot represent, and the two commands."""

from __future__ import annotations

import contextlib
import io
import warnings

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from onnx import TensorProto, helper, numpy_helper  # noqa: E402

import layerwise as lw  # noqa: E402
from layerwise import onnx_io  # noqa: E402
from layerwise.cli import main  # noqa: E402
from layerwise.data import load_cat_files, load_dataset  # noqa: E402

TOL = 1e-5  # float32


def run_onnx(path, X) -> np.ndarray:
    """onnxruntime's output of the graph at ``path`` for the batch X (one example per row)."""
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: np.asarray(X, np.float32)})[0]


def export(model, tmp_path, name="model.onnx"):
    path = lw.to_onnx(model, tmp_path / name)
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto, full_check=True)
    assert proto.ir_version == onnx_io.IR_VERSION == 8
    assert [(o.domain, o.version) for o in proto.opset_import] == [("", onnx_io.OPSET)]
    return path


def assert_matches(model, X, path, tol=TOL) -> float:
    """ONNX (rows) against layerwise (columns, or NHWC): the worst absolute difference."""
    ours = model.predict_proba(X)
    rows = X.T if model.example_axis == -1 else X
    theirs = run_onnx(path, rows)
    expected = ours.T if ours.ndim == 2 else ours  # columns (n_y, m), or NHWC maps
    assert theirs.shape == expected.shape
    worst = float(np.max(np.abs(theirs - expected)))
    assert worst <= tol, worst
    return worst


def randomize(model, seed=0) -> None:
    """Non-trivial parameters and batch-norm statistics, so no term hides."""
    rng = np.random.default_rng(seed)
    model.set_parameters({k: rng.normal(0, 0.5, v.shape) for k, v in model.parameters.items()})
    for layer in model.layers:
        if isinstance(layer, lw.BatchNorm):
            n = layer.state["running_mean"].shape
            layer.state["running_mean"][...] = rng.normal(0, 1, n)
            layer.state["running_var"][...] = rng.uniform(0.2, 3, n)


ACTIVATIONS = [
    "sigmoid",
    "tanh",
    "relu",
    {"name": "leaky_relu", "slope": 0.2},
    "linear",
    "softmax",
]


@pytest.mark.parametrize("activation", ACTIVATIONS, ids=lambda a: str(a)[:20])
def test_every_activation_matches_onnxruntime(activation, tmp_path):
    model = lw.Sequential([lw.Dense(6, activation), lw.Dense(4, activation)], input_dim=5, seed=1)
    randomize(model)
    X = np.random.default_rng(1).normal(0, 2, (5, 40))
    assert_matches(model, X, export(model, tmp_path))


def dense_models():
    return {
        "dense": lw.Sequential([lw.Dense(7, "relu"), lw.Dense(3, "linear")], input_dim=5),
        "dense-no-bias": lw.Sequential([lw.Dense(4, "tanh", use_bias=False)], input_dim=5),
        "batchnorm": lw.Sequential(
            [
                lw.Dense(6, "linear", use_bias=False),
                lw.BatchNorm(epsilon=1e-3),
                lw.Activation({"name": "leaky_relu", "slope": 0.1}),
                lw.Dense(3, "linear", use_bias=False),
                lw.BatchNorm(),
                lw.Activation("softmax"),
            ],
            input_dim=5,
        ),
        "dropout": lw.Sequential(
            [lw.Dense(8, "relu"), lw.Dropout(0.6), lw.Dense(1, "sigmoid")], input_dim=5
        ),
    }


def image_models():
    return {
        "conv-valid": lw.Sequential([lw.Conv2D(4, 3)], input_dim=(9, 8, 2)),
        "conv-same": lw.Sequential(
            [lw.Conv2D(3, 5, padding="same", activation="tanh")], input_dim=(9, 8, 2)
        ),
        "conv-stride-pad": lw.Sequential(
            [lw.Conv2D(5, 3, stride=2, padding=2, activation="sigmoid")], input_dim=(9, 8, 2)
        ),
        "conv-1x1": lw.Sequential(
            [lw.Conv2D(3, 1, activation={"name": "leaky_relu", "slope": 0.3})],
            input_dim=(9, 8, 2),
        ),
        "maxpool": lw.Sequential([lw.Pool2D(2)], input_dim=(9, 8, 2)),
        "avgpool-stride": lw.Sequential(
            [lw.Pool2D(3, stride=2, mode="average")], input_dim=(9, 8, 2)
        ),
        "flatten": lw.Sequential([lw.Flatten(), lw.Dense(3, "softmax")], input_dim=(4, 3, 2)),
        "rescale": lw.Sequential(
            [lw.Rescale(1 / 16), lw.Conv2D(2, 3, activation="linear")], input_dim=(9, 8, 2)
        ),
        "cnn": lw.Sequential(
            [
                lw.Rescale(0.5),
                lw.Conv2D(4, 3, padding="same"),
                lw.Pool2D(2),
                lw.Conv2D(6, 3, padding=1, activation="tanh"),
                lw.Pool2D(2, mode="average"),
                lw.Flatten(),
                lw.Dense(5, "relu"),
                lw.Dropout(0.8),
                lw.Dense(3, "softmax"),
            ],
            input_dim=(9, 8, 2),
        ),
    }


@pytest.mark.parametrize("name", list(dense_models()))
def test_dense_layers_match_onnxruntime(name, tmp_path):
    model = dense_models()[name]
    randomize(model)
    X = np.random.default_rng(2).normal(0, 1.5, (5, 64))
    assert_matches(model, X, export(model, tmp_path))


@pytest.mark.parametrize("name", list(image_models()))
def test_image_layers_match_onnxruntime(name, tmp_path):
    model = image_models()[name]
    randomize(model)
    X = np.random.default_rng(3).normal(0, 1.5, (7, *model.input_dim))
    path = export(model, tmp_path)
    assert_matches(model, X, path)
    graph = onnx.load(str(path)).graph
    assert [d.dim_value or d.dim_param for d in graph.input[0].type.tensor_type.shape.dim] == [
        "m",
        *model.input_dim,
    ]


def test_the_stored_input_standardisation_is_exported(tmp_path):
    rng = np.random.default_rng(4)
    X = rng.normal(5, 3, (4, 200)) * np.array([[1], [10], [0.1], [100]])
    Y = (X[:1] > 5).astype(int)
    model = lw.Sequential([lw.Dense(5, "tanh"), lw.Dense(1, "sigmoid")], seed=1, normalize=True)
    model.fit(X, Y, epochs=20, verbose=0)
    path = export(model, tmp_path)
    assert [n.op_type for n in onnx.load(str(path)).graph.node][:2] == ["Sub", "Div"]
    assert_matches(model, X, path)


def test_a_float64_model_is_exported_as_float32(tmp_path):
    model = lw.Sequential(
        [lw.Dense(8, "relu"), lw.BatchNorm(), lw.Dense(2, "softmax")], input_dim=6, dtype="float64"
    )
    randomize(model)
    path = export(model, tmp_path)
    proto = onnx.load(str(path))
    assert proto.graph.input[0].type.tensor_type.elem_type == TensorProto.FLOAT
    assert {t.data_type for t in proto.graph.initializer} == {TensorProto.FLOAT}
    assert_matches(model, np.random.default_rng(5).normal(size=(6, 30)), path)


# --------------------------------------------------------------------------- trained models
@pytest.fixture(scope="module")
def digits():
    """scikit-learn's digits, X (64, 1797) in [0, 1], Y (1, 1797), loaded once."""
    pytest.importorskip("sklearn")
    return load_dataset("digits")


def test_a_trained_digits_model_matches_onnxruntime(digits, tmp_path, one_blas_thread):
    X, Y = digits
    model = lw.Sequential(
        [
            lw.Dense(32, "linear", use_bias=False),
            lw.BatchNorm(),
            lw.Activation("relu"),
            lw.Dropout(0.9),
            lw.Dense(10, "softmax"),
        ],
        seed=1,
        normalize=True,
    )
    history = model.fit(X, Y, epochs=8, batch_size=64, optimizer="adam", verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    path = export(model, tmp_path)
    assert_matches(model, X, path)
    assert np.array_equal(run_onnx(path, X.T).argmax(axis=1), model.predict(X)[0])


def test_a_trained_small_cnn_matches_onnxruntime(digits, tmp_path, one_blas_thread):
    X, Y = digits
    images = np.ascontiguousarray(X.T.reshape(-1, 8, 8, 1)[:600])
    model = lw.Sequential(
        [
            lw.Conv2D(6, 3, padding="same"),
            lw.Pool2D(2),
            lw.Conv2D(8, 3, activation="tanh"),
            lw.Flatten(),
            lw.Dense(10, "softmax"),
        ],
        seed=2,
    )
    history = model.fit(images, Y[:, :600], epochs=4, batch_size=32, optimizer="adam", verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    path = export(model, tmp_path)
    assert_matches(model, images, path)


def test_the_course_cat_model_matches_onnxruntime(course1_dir, tmp_path, one_blas_thread):
    train_x, train_y, *_ = load_cat_files(course1_dir)
    X = train_x.reshape(train_x.shape[0], -1).T / 255.0
    model = lw.Sequential(
        [lw.Dense(20, "relu"), lw.Dense(7, "relu"), lw.Dense(5, "relu"), lw.Dense(1, "sigmoid")],
        seed=1,
    )
    history = model.fit(X, train_y, epochs=10, learning_rate=0.0075, optimizer="gd", verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert_matches(model, X, export(model, tmp_path))


# --------------------------------------------------------------------------- round trips
def same_layers(a, b) -> bool:
    """The same layers, a Conv2D's padding compared as p ("same" is p = (f - 1)/2)."""

    def specs(model):
        out = []
        for spec, layer in zip(model.get_config()["layers"], model.layers):
            if isinstance(layer, lw.Conv2D):
                spec = {**spec, "config": {**spec["config"], "padding": layer.pad}}
            out.append(spec)
        return out

    return specs(a) == specs(b)


@pytest.mark.parametrize(
    "name", ["batchnorm", "dropout", "cnn", "flatten", "rescale", "conv-stride-pad", "conv-same"]
)
def test_export_then_import_gives_the_same_model(name, tmp_path):
    model = {**dense_models(), **image_models()}[name]
    randomize(model)
    model.classes_ = ["a", "b", "c"] if name == "cnn" else None
    back = lw.from_onnx(export(model, tmp_path))
    assert same_layers(back, model)
    assert back.input_dim == model.input_dim and back.classes_ == model.classes_
    shape = (model.input_dim, 20) if np.isscalar(model.input_dim) else (20, *model.input_dim)
    X = np.random.default_rng(6).normal(size=shape)
    np.testing.assert_allclose(back.predict_proba(X), model.predict_proba(X), atol=1e-6)


def test_an_imported_standardisation_is_the_models_own(tmp_path):
    rng = np.random.default_rng(7)
    X = rng.normal(3, 2, (3, 100))
    model = lw.Sequential([lw.Dense(2, "softmax")], seed=0, normalize=True)
    model.fit(X, (X[:1] > 3).astype(int), epochs=3, verbose=0)
    back = lw.from_onnx(export(model, tmp_path))
    assert back.normalize and back.normalizer_ is not None
    np.testing.assert_allclose(back.predict_proba(X), model.predict_proba(X), atol=1e-6)
    copy = lw.load(back.save(tmp_path / "copy.npz"))
    np.testing.assert_allclose(copy.predict_proba(X), model.predict_proba(X), atol=1e-6)


# --------------------------------------------------------------------------- hand-made graphs
def save_graph(path, nodes, inputs, output, initializers, opset=17):
    graph = helper.make_graph(
        nodes,
        "g",
        inputs,
        [helper.make_tensor_value_info(output, TensorProto.FLOAT, ["m", None])],
        initializer=[
            numpy_helper.from_array(np.asarray(v, np.float32), k) for k, v in initializers.items()
        ],
    )
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], ir_version=8)
    onnx.save(proto, str(path))
    return path


def rows_input(n):
    return helper.make_tensor_value_info("x", TensorProto.FLOAT, ["m", n])


def test_matmul_add_and_a_standardisation_are_imported(tmp_path):
    rng = np.random.default_rng(8)
    values = {
        "mu": rng.normal(size=4),
        "sd": rng.uniform(0.5, 2, 4),
        "B": rng.normal(size=(4, 3)),
        "c": rng.normal(size=3),
    }
    nodes = [
        helper.make_node("Sub", ["x", "mu"], ["s"]),
        helper.make_node("Div", ["s", "sd"], ["d"]),
        helper.make_node("MatMul", ["d", "B"], ["z"]),
        helper.make_node("Add", ["c", "z"], ["zb"]),
        helper.make_node("Sigmoid", ["zb"], ["y"]),
    ]
    path = save_graph(tmp_path / "g.onnx", nodes, [rows_input(4)], "y", values)
    model = lw.from_onnx(path)
    assert [type(layer).__name__ for layer in model.layers] == ["Dense"]
    assert model.layers[0].activation.name == "sigmoid" and model.normalizer_ is not None
    X = rng.normal(size=(4, 25))
    np.testing.assert_allclose(model.predict_proba(X).T, run_onnx(path, X.T), atol=TOL)


def nchw_input(c, h, w):
    return helper.make_tensor_value_info("x", TensorProto.FLOAT, ["m", c, h, w])


def test_a_batchnorm_after_a_conv_is_folded_into_it(tmp_path):
    rng = np.random.default_rng(9)
    values = {
        "W": rng.normal(size=(4, 2, 3, 3)),
        "b": rng.normal(size=4),
        "g": rng.uniform(0.5, 2, 4),
        "be": rng.normal(size=4),
        "mean": rng.normal(size=4),
        "var": rng.uniform(0.5, 2, 4),
        "shape": [-1, 4 * 3 * 3],
        "G": rng.normal(0, 0.1, size=(2, 36)),
    }
    nodes = [
        helper.make_node("Conv", ["x", "W", "b"], ["c"], pads=[1, 1, 1, 1]),
        helper.make_node("BatchNormalization", ["c", "g", "be", "mean", "var"], ["n"]),
        helper.make_node("Relu", ["n"], ["r"]),
        helper.make_node("MaxPool", ["r"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Reshape", ["p", "shape_i"], ["f"]),
        helper.make_node("Gemm", ["f", "G"], ["y"], transB=1),
    ]
    values_i = {k: v for k, v in values.items() if k != "shape"}
    graph = helper.make_graph(
        nodes,
        "g",
        [nchw_input(2, 7, 6)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["m", 2])],
        initializer=[
            numpy_helper.from_array(np.asarray(v, np.float32), k) for k, v in values_i.items()
        ]
        + [numpy_helper.from_array(np.array([-1, 36], np.int64), "shape_i")],
    )
    path = tmp_path / "bn.onnx"
    onnx.save(
        helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8), path
    )
    result = onnx_io.read_onnx(path)
    assert result.input_layout == "NCHW" and "transpose(0, 2, 3, 1)" in result.notes[0]
    names = [type(layer).__name__ for layer in result.model.layers]
    assert names == ["Conv2D", "Pool2D", "Flatten", "Dense"]
    X = rng.normal(size=(5, 2, 7, 6))
    ours = result.model.predict_proba(X.transpose(0, 2, 3, 1))
    np.testing.assert_allclose(ours.T, run_onnx(path, X), atol=TOL)


@pytest.mark.parametrize(
    "op, inputs, attrs, words",
    [
        ("Cos", ["x"], {}, "Cos"),
        ("Softplus", ["x"], {}, "Softplus"),
        ("Add", ["x", "x"], {}, "Add"),
        ("Conv", ["x", "Wr"], {}, "square kernels"),
        ("Conv", ["x", "W"], {"group": 1, "dilations": [2, 2]}, "dilations"),
        ("MaxPool", ["x"], {"kernel_shape": [2, 2], "pads": [1, 1, 1, 1]}, "pad"),
        ("Transpose", ["x"], {"perm": [0, 1, 3, 2]}, "perm"),
    ],
)
def test_unsupported_operators_are_refused_in_one_sentence(op, inputs, attrs, words, tmp_path):
    values = {"W": np.ones((2, 2, 3, 3)), "Wr": np.ones((2, 2, 3, 1))}
    path = save_graph(
        tmp_path / "bad.onnx",
        [helper.make_node(op, inputs, ["y"], name="the_node", **attrs)],
        [nchw_input(2, 6, 6)],
        "y",
        values,
    )
    with pytest.raises(lw.ConfigError) as err:
        lw.from_onnx(path)
    message = str(err.value)
    assert "\n" not in message and f"ONNX operator {op}" in message and words in message


def test_files_that_are_not_onnx_are_refused(tmp_path):
    with pytest.raises(lw.ModelFileError, match="does not exist"):
        lw.from_onnx(tmp_path / "missing.onnx")
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"\x08\x07this is not a protobuf \xff\xfe")
    with pytest.raises(lw.ModelFileError):
        lw.from_onnx(bad)
    empty = tmp_path / "empty.onnx"
    empty.write_bytes(b"")
    with pytest.raises(lw.ModelFileError, match="no graph"):
        lw.from_onnx(empty)


def test_layers_without_an_onnx_form_are_refused(tmp_path):
    @lw.register_layer(name="OnnxTestSquare")
    class Square(lw.Layer):
        def forward(self, A_prev, training=False):
            return A_prev * A_prev

        def backward(self, dA):
            return dA

    model = lw.Sequential([lw.Dense(3, "relu"), Square()], input_dim=2)
    with pytest.raises(lw.ConfigError, match="layer 2 .OnnxTestSquare. has no ONNX form"):
        lw.to_onnx(model, tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()
    with pytest.raises(lw.NotFittedError):
        lw.to_onnx(lw.Sequential([lw.Dense(2)]), tmp_path / "m.onnx")


# --------------------------------------------------------------------------- PyTorch
@pytest.fixture
def torch():
    """PyTorch on one thread: on a busy 2-core machine its thread pool spins and trains
    these small networks 40x slower. The number of threads is put back afterwards."""
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield torch
    torch.set_num_threads(threads)


def torch_export(torch, net, example, path, dynamo):
    kwargs = (
        {"dynamic_shapes": ({0: torch.export.Dim("batch")},)}
        if dynamo
        else {"dynamic_axes": {"x": {0: "m"}}}
    )
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        torch.onnx.export(net, (example,), str(path), input_names=["x"], dynamo=dynamo, **kwargs)
    return path


def torch_train(torch, net, X, y, steps=40):
    torch.manual_seed(0)
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(X), y)
        loss.backward()
        opt.step()
    return torch.nn.Sequential(net, torch.nn.Softmax(dim=1)).eval()


def exporters():
    out = [pytest.param(False, id="torchscript")]
    try:
        import onnxscript  # noqa: F401

        out.append(pytest.param(True, id="dynamo"))
    except ImportError:
        out.append(
            pytest.param(
                True,
                id="dynamo",
                marks=pytest.mark.skip(reason="torch's dynamo exporter needs onnxscript"),
            )
        )
    return out


def fine_tune_lowers_the_cost(model, X, Y):
    before = model.evaluate(X, Y)["loss"]
    model.fit(X, Y, epochs=4, batch_size=64, optimizer="adam", learning_rate=0.001, verbose=0)
    after = model.evaluate(X, Y)["loss"]
    assert after < before, (before, after)


@pytest.mark.parametrize("dynamo", exporters())
def test_a_pytorch_mlp_is_imported_and_fine_tuned(dynamo, digits, torch, tmp_path):
    X, Y = digits
    Xt = torch.tensor(X.T, dtype=torch.float32)
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Linear(64, 32),
        torch.nn.ReLU(),
        torch.nn.BatchNorm1d(32),
        torch.nn.Dropout(0.2),
        torch.nn.Linear(32, 16),
        torch.nn.Tanh(),
        torch.nn.Linear(16, 10),
    )
    full = torch_train(torch, net, Xt, torch.tensor(Y[0]))
    path = torch_export(torch, full, Xt[:4], tmp_path / "mlp.onnx", dynamo)
    result = onnx_io.read_onnx(path, seed=0)
    model = result.model
    assert result.input_layout == "rows" and model.output_activation == "softmax"
    with torch.no_grad():
        expected = full(Xt).numpy()
    np.testing.assert_allclose(model.predict_proba(X).T, expected, atol=TOL)
    fine_tune_lowers_the_cost(model, X, Y)


@pytest.mark.parametrize("dynamo", exporters())
def test_a_pytorch_cnn_is_imported_and_fine_tuned(dynamo, digits, torch, tmp_path):
    X, Y = digits
    X_nchw = X.T.reshape(-1, 1, 8, 8).astype(np.float32)
    Xt = torch.tensor(X_nchw)
    torch.manual_seed(0)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(1, 6, 3, padding=1),
        torch.nn.BatchNorm2d(6),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(6, 8, 3, padding=1),
        torch.nn.LeakyReLU(0.1),
        torch.nn.AvgPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(8 * 2 * 2, 10),
    )
    full = torch_train(torch, net, Xt, torch.tensor(Y[0]), steps=30)
    path = torch_export(torch, full, Xt[:4], tmp_path / "cnn.onnx", dynamo)
    result = onnx_io.read_onnx(path, seed=0)
    model = result.model
    assert result.input_layout == "NCHW" and model.input_dim == [8, 8, 1]
    with torch.no_grad():
        expected = full(Xt).numpy()
    X_nhwc = X_nchw.transpose(0, 2, 3, 1)
    np.testing.assert_allclose(model.predict_proba(X_nhwc).T, expected, atol=TOL)
    fine_tune_lowers_the_cost(model, X_nhwc, Y)


def test_a_pytorch_view_flattening_is_followed(torch, tmp_path):
    """x.view(x.size(0), -1) exports as Shape -> Gather -> Unsqueeze -> Concat -> Reshape."""

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(3, 4, 3, stride=2)
            self.fc = torch.nn.Linear(4 * 3 * 3, 2)

        def forward(self, x):
            x = torch.sigmoid(self.conv(x))
            return self.fc(x.view(x.size(0), -1))

    torch.manual_seed(1)
    net = Net().eval()
    X = torch.randn(6, 3, 7, 7)
    path = torch_export(torch, net, X[:2], tmp_path / "view.onnx", dynamo=False)
    model = lw.from_onnx(path)
    with torch.no_grad():
        expected = net(X).numpy()
    got = model.predict_proba(X.numpy().transpose(0, 2, 3, 1)).T
    np.testing.assert_allclose(got, expected, atol=TOL)


# --------------------------------------------------------------------------- the commands
def one_line_error(capsys, code) -> str:
    captured = capsys.readouterr()
    assert code == 2
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("layerwise: error: "), captured.err
    assert "Traceback" not in captured.err + captured.out
    return lines[0]


def test_export_and_import_commands(tmp_path, capsys):
    model = image_models()["cnn"]
    randomize(model)
    model.save(tmp_path / "model.npz")
    assert main(["export", str(tmp_path / "model.npz"), str(tmp_path / "model.onnx")]) == 0
    assert "model.onnx" in capsys.readouterr().out
    assert main(["import", str(tmp_path / "model.onnx"), str(tmp_path / "back.npz")]) == 0
    out = capsys.readouterr().out
    assert "Total parameters" in out and "back.npz" in out
    back = lw.load(tmp_path / "back.npz")
    X = np.random.default_rng(10).normal(size=(4, *model.input_dim))
    np.testing.assert_allclose(back.predict_proba(X), model.predict_proba(X), atol=1e-6)
    np.testing.assert_allclose(
        run_onnx(tmp_path / "model.onnx", X), model.predict_proba(X).T, atol=TOL
    )


def test_commands_refuse_bad_files_in_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"\x00\x01 not onnx")
    code = main(["import", str(bad), str(tmp_path / "m.npz")])
    assert "bad.onnx" in one_line_error(capsys, code)
    code = main(["import", str(tmp_path / "nothing.onnx"), str(tmp_path / "m.npz")])
    one_line_error(capsys, code)
    unsupported = save_graph(
        tmp_path / "cos.onnx", [helper.make_node("Cos", ["x"], ["y"])], [rows_input(3)], "y", {}
    )
    code = main(["import", str(unsupported), str(tmp_path / "m.npz")])
    assert "Cos" in one_line_error(capsys, code)
    assert not (tmp_path / "m.npz").exists()
    code = main(["export", str(bad), str(tmp_path / "m.onnx")])
    one_line_error(capsys, code)
