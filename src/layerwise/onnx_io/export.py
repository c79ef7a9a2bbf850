"""Export: a Sequential as an ONNX graph (float32, opset OPSET)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..atomic import atomic_write
from ..errors import ConfigError
from ..layers import (
    Activation,
    BatchNorm,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    Pool2D,
    Rescale,
    layer_name,
)
from ..network import Sequential
from ._common import (
    _ELEMENTWISE,
    _TO_NCHW,
    _TO_NHWC,
    INPUT,
    IR_VERSION,
    META_CLASSES,
    META_LAYOUT,
    OPSET,
    OUTPUT,
    _onnx,
    _version,
)


# =========================================================================== export
class _Graph:
    """Nodes and initialisers of the graph being written, with fresh tensor names."""

    def __init__(self, onnx) -> None:
        self.onnx = onnx
        self.nodes: list = []
        self.initializers: list = []
        self._count = 0

    def const(self, name: str, value) -> str:
        array = np.asarray(value, dtype=np.float32)
        self.initializers.append(self.onnx.numpy_helper.from_array(array, name))
        return name

    def node(self, op: str, inputs: list[str], **attrs) -> str:
        self._count += 1
        out = f"{op.lower()}_{self._count}"
        self.nodes.append(
            self.onnx.helper.make_node(op, inputs, [out], name=f"{op}_{self._count}", **attrs)
        )
        return out


@dataclass
class _Flow:
    """The tensor being built: its name and layout ("rows" (m, n), "nhwc", "nchw")."""

    x: str
    layout: str


def _to(g: _Graph, flow: _Flow, layout: str) -> None:
    """Transpose the tensor into ``layout`` ("nchw" or "nhwc") if it is not already."""
    if flow.layout == layout:
        return
    if flow.layout == "rows":
        raise ConfigError("to_onnx: an image layer follows a dense one (a Flatten is missing)")
    flow.x = g.node("Transpose", [flow.x], perm=_TO_NCHW if layout == "nchw" else _TO_NHWC)
    flow.layout = layout


def _activation(g: _Graph, act, flow: _Flow, where: str) -> None:
    name = act.name
    if name == "linear":
        return
    if name == "softmax":
        if flow.layout != "rows":
            raise ConfigError(f"to_onnx: {where} applies softmax to images; ONNX cannot follow")
        flow.x = g.node("Softmax", [flow.x], axis=1)
    elif name == "leaky_relu":
        flow.x = g.node("LeakyRelu", [flow.x], alpha=float(act.slope))
    elif name in _ELEMENTWISE:
        flow.x = g.node(_ELEMENTWISE[name], [flow.x])
    else:
        raise ConfigError(f"to_onnx: {where} has the activation {name!r}, which ONNX lacks")


def _rows(flow: _Flow, where: str) -> None:
    if flow.layout != "rows":
        raise ConfigError(f"to_onnx: {where} needs features (n, m); put a Flatten before it")


def _export_dense(g: _Graph, layer: Dense, flow: _Flow, where: str) -> None:
    _rows(flow, where)
    names = layer.param_names()
    inputs = [flow.x, g.const(names["W"], layer.params["W"])]
    if layer.use_bias:
        inputs.append(g.const(names["b"], layer.params["b"].reshape(-1)))
    flow.x = g.node("Gemm", inputs, transB=1)  # (m, n_prev) @ W^T + b = (W A + b)^T
    _activation(g, layer.activation, flow, where)


def _export_batchnorm(g: _Graph, layer: BatchNorm, flow: _Flow, where: str) -> None:
    _rows(flow, where)
    names = layer.param_names()
    l = layer.index
    inputs = [
        g.const(names["gamma"], layer.params["gamma"].reshape(-1)),
        g.const(names["beta"], layer.params["beta"].reshape(-1)),
        g.const(f"running_mean{l}", layer.state["running_mean"].reshape(-1)),
        g.const(f"running_var{l}", layer.state["running_var"].reshape(-1)),
    ]
    flow.x = g.node(
        "BatchNormalization",
        [flow.x, *inputs],
        epsilon=float(layer.epsilon),
        momentum=float(layer.momentum),
    )


def _export_conv(g: _Graph, layer: Conv2D, flow: _Flow, where: str) -> None:
    _to(g, flow, "nchw")
    names = layer.param_names()
    f, s, p = layer.kernel_size, layer.stride, layer.pad
    W = layer.params["W"].transpose(3, 2, 0, 1)  # (f, f, C_prev, C) -> (C, C_prev, f, f)
    inputs = [flow.x, g.const(names["W"], W), g.const(names["b"], layer.params["b"].reshape(-1))]
    flow.x = g.node(
        "Conv", inputs, kernel_shape=[f, f], strides=[s, s], pads=[p] * 4, dilations=[1, 1]
    )
    _activation(g, layer.activation, flow, where)


def _export_pool(g: _Graph, layer: Pool2D, flow: _Flow, where: str) -> None:
    _to(g, flow, "nchw")
    op = "MaxPool" if layer.mode == "max" else "AveragePool"
    f, s = layer.pool_size, layer.stride
    flow.x = g.node(op, [flow.x], kernel_shape=[f, f], strides=[s, s])


def _export_flatten(g: _Graph, layer: Flatten, flow: _Flow, where: str) -> None:
    _to(g, flow, "nhwc")  # layerwise flattens in (h, w, c) order
    flow.x = g.node("Flatten", [flow.x], axis=1)
    flow.layout = "rows"


def _export_rescale(g: _Graph, layer: Rescale, flow: _Flow, where: str) -> None:
    flow.x = g.node("Mul", [flow.x, g.const(f"factor_{len(g.nodes) + 1}", layer.factor)])


def _export_dropout(g: _Graph, layer: Dropout, flow: _Flow, where: str) -> None:
    # ONNX Dropout is the identity at inference; the ratio keeps keep_prob for import
    ratio = g.const(f"dropout_ratio_{len(g.nodes) + 1}", 1.0 - layer.keep_prob)
    flow.x = g.node("Dropout", [flow.x, ratio])


def _export_activation(g: _Graph, layer: Activation, flow: _Flow, where: str) -> None:
    _activation(g, layer.activation, flow, where)


_EXPORTERS = {
    Dense: _export_dense,
    BatchNorm: _export_batchnorm,
    Conv2D: _export_conv,
    Pool2D: _export_pool,
    Flatten: _export_flatten,
    Rescale: _export_rescale,
    Dropout: _export_dropout,
    Activation: _export_activation,
}


def _normalizer(g: _Graph, model: Sequential, flow: _Flow) -> None:
    """(X − mu) / sqrt(sigma2 + eps), the model's stored input standardisation."""
    norm = model.normalizer_
    if norm is None:
        return
    if flow.layout != "rows":
        raise ConfigError("to_onnx: the model standardises images, which layerwise never does")
    scale = np.sqrt(norm.sigma2_ + norm.eps).reshape(-1)
    flow.x = g.node("Sub", [flow.x, g.const("mu", norm.mu_.reshape(-1))])
    flow.x = g.node("Div", [flow.x, g.const("sigma", scale)])


def onnx_model(model: Sequential):
    """The ``onnx.ModelProto`` of a built ``model`` (float32, opset ``OPSET``); raises
    ConfigError for a layer without an ONNX form (e.g. a user-registered one)."""
    onnx = _onnx()
    model.require_built()
    helper, FLOAT = onnx.helper, onnx.TensorProto.FLOAT
    example = tuple(int(d) for d in model.layers[0].input_shape)
    images = len(example) == 3
    g = _Graph(onnx)
    flow = _Flow(INPUT, "nhwc" if images else "rows")
    _normalizer(g, model, flow)
    if images and any(isinstance(layer, (Conv2D, Pool2D)) for layer in model.layers):
        _to(g, flow, "nchw")  # at the input: ONNX's Conv and pooling are NCHW
    for i, layer in enumerate(model.layers, start=1):
        export = _EXPORTERS.get(type(layer))
        if export is None:
            raise ConfigError(
                f"to_onnx: layer {i} ({layer_name(layer)}) has no ONNX form; exportable: "
                + ", ".join(cls.__name__ for cls in _EXPORTERS)
            )
        export(g, layer, flow, f"layer {i} ({type(layer).__name__})")
    if flow.layout == "nchw":
        _to(g, flow, "nhwc")  # outputs are in layerwise's layout, like the input
    out = tuple(int(d) for d in model.layers[-1].output_shape)
    if flow.x == INPUT:
        flow.x = g.node("Identity", [flow.x])
    for node in g.nodes:  # the last node writes the graph's output
        node.output[:] = [OUTPUT if o == flow.x else o for o in node.output]
    layout = (
        "NHWC images (m, n_H, n_W, n_C), as layerwise"
        if images
        else "(m, n_x): one example per row, the transpose of layerwise's (n_x, m)"
    )
    graph = helper.make_graph(
        g.nodes,
        "layerwise",
        [helper.make_tensor_value_info(INPUT, FLOAT, ["m", *example])],
        [helper.make_tensor_value_info(OUTPUT, FLOAT, ["m", *out])],
        initializer=g.initializers,
        doc_string=f"Input {INPUT}: {layout}. Output {OUTPUT}: (m, ...), one example per row.",
    )
    proto = helper.make_model(
        graph,
        producer_name="layerwise",
        producer_version=_version(),
        opset_imports=[helper.make_opsetid("", OPSET)],
        ir_version=IR_VERSION,
        doc_string="Exported by layerwise.onnx_io.to_onnx",
    )
    props = {META_LAYOUT: "NHWC" if images else "rows"}
    if model.classes_:
        props[META_CLASSES] = json.dumps(list(model.classes_))
    helper.set_model_props(proto, props)
    return proto


def to_onnx(model: Sequential, path: str | os.PathLike) -> Path:
    """Write ``model`` as an ONNX file (float32, opset 17, IR version 8), atomically, and
    return its path (".onnx" is added when the name has no suffix).

    The graph takes X (m, n_x), one example per row, and returns (m, n_y): the transpose
    of ``model.predict_proba``. Image models take and return NHWC like layerwise.
    Dropout is ONNX's Dropout (the identity at inference), BatchNorm uses its running
    statistics, and a stored input standardisation becomes Sub and Div nodes.
    """
    onnx = _onnx()
    proto = onnx_model(model)
    onnx.checker.check_model(proto, full_check=True)
    data = proto.SerializeToString()
    path = Path(path)
    if not path.suffix:
        path = path.with_suffix(".onnx")
    return atomic_write(path, lambda fh: fh.write(data))


# =========================================================================== import
