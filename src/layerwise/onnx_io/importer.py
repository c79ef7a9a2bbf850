"""Import: a chain of ONNX nodes mapped onto layerwise layers."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..data.scaling import Standardizer
from ..errors import ConfigError, ModelFileError
from ..layers import (
    Activation,
    BatchNorm,
    Conv2D,
    Dense,
    Dropout,
    Flatten,
    Layer,
    Pool2D,
    Rescale,
)
from ..network import Sequential
from ._common import (
    _TO_NCHW,
    _TO_NHWC,
    META_CLASSES,
    META_LAYOUT,
    _f32,
    _onnx,
)


class OnnxImport(NamedTuple):
    """What ``read_onnx`` found: the model, the layout of the graph's input ("rows",
    "NCHW" or "NHWC") and notes for the user (e.g. how to feed NCHW images)."""

    model: Sequential
    input_layout: str
    notes: list[str]


@dataclass
class _Spec:
    """A layer to build: its class and arguments, then its values in layerwise's layout."""

    cls: type[Layer]
    kwargs: dict
    params: dict[str, np.ndarray] = field(default_factory=dict)
    state: dict[str, np.ndarray] = field(default_factory=dict)


#: operators that compute tensor shapes (the batch size is None in them)
_SHAPE_OPS = ("Shape", "Gather", "Unsqueeze", "Squeeze", "Concat", "Slice", "Cast", "Identity")


def _attrs(onnx, node) -> dict:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


class _Importer:
    """Walks the graph's nodes in order, following one chain of tensors from the input
    to the output, and turns each node into a layer spec (or a layout change)."""

    def __init__(self, onnx, proto, path) -> None:
        self.onnx, self.path = onnx, path
        graph = proto.graph
        self.opset = next((o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")), 0)
        self.consts: dict[str, np.ndarray] = {
            t.name: onnx.numpy_helper.to_array(t) for t in graph.initializer
        }
        self.sym: dict[str, np.ndarray] = {}  # shape tensors (object arrays, None = batch)
        inputs = [i for i in graph.input if i.name not in self.consts]
        if len(inputs) != 1 or len(graph.output) != 1:
            raise ConfigError(
                f"{path}: the graph has {len(inputs)} inputs and {len(graph.output)} outputs; "
                "a layerwise model has one of each"
            )
        self.output = graph.output[0].name
        self.cur = inputs[0].name
        self.dtype = self._dtype(inputs[0])
        dims = self._dims(inputs[0])
        self.dims = tuple(dims[1:])  # the current tensor's dims, batch left out
        self.layout = {2: "rows", 4: "unknown4"}.get(len(dims))
        if self.layout is None:
            raise ConfigError(
                f"{path}: the input has shape {dims}; layerwise takes (m, n_x) rows or 4-D images"
            )
        self.input_layout = "rows" if self.layout == "rows" else ""
        self.example = self.dims if self.layout == "rows" else None
        self.specs: list[_Spec] = []
        self.fresh = False  # the last spec is a linear Dense/Conv2D that made the tensor
        self.perm: np.ndarray | None = None  # pending (c, h, w) -> (h, w, c) feature order
        self.norm: dict[str, np.ndarray] = {}
        props = {p.key: p.value for p in proto.metadata_props}
        if self.layout == "unknown4" and props.get(META_LAYOUT) == "NHWC":
            self.decide("NHWC")  # written by to_onnx: NHWC images, as layerwise

    # ------------------------------------------------------------------ graph input
    def _dtype(self, value_info) -> str:
        elem = value_info.type.tensor_type.elem_type
        T = self.onnx.TensorProto
        if elem == T.FLOAT:
            return "float32"
        if elem == T.DOUBLE:
            return "float64"
        name = T.DataType.Name(elem) if elem in T.DataType.values() else str(elem)
        raise ConfigError(f"{self.path}: the input is {name}; layerwise takes float32 or float64")

    def _dims(self, value_info) -> list:
        shape = value_info.type.tensor_type.shape
        dims = [d.dim_value if d.HasField("dim_value") else None for d in shape.dim]
        if len(dims) in (2, 4) and any(d is None or d < 1 for d in dims[1:]):
            raise ConfigError(
                f"{self.path}: the input's shape {['?' if d is None else d for d in dims]} "
                "must be fixed but for the batch axis"
            )
        return dims

    def refuse(self, node, why: str) -> ConfigError:
        name = f" (node {node.name!r})" if node.name else ""
        return ConfigError(f"{self.path}: ONNX operator {node.op_type}{name}: {why}")

    # ------------------------------------------------------------------ layouts
    def decide(self, layout: str) -> None:
        """The 4-D input's layout, fixed by the first operator that cares."""
        if self.layout != "unknown4":
            return
        d1, d2, d3 = self.dims
        if layout == "NHWC":  # a Transpose to NCHW follows the input
            self.example, self.layout = (d1, d2, d3), "nhwc"
        else:
            self.example, self.layout = (d2, d3, d1), "nchw"
        self.input_layout = layout

    def need(self, node, layout: str) -> None:
        self.decide("NCHW")
        if self.layout != layout:
            raise self.refuse(
                node, f"expects {layout.upper()} data, the tensor here is {self.layout.upper()}"
            )

    # ------------------------------------------------------------------ the walk
    def run(self, graph) -> None:
        for node in graph.node:
            if node.domain not in ("", "ai.onnx"):
                raise self.refuse(node, f"domain {node.domain!r} has no layerwise layer")
            if self._fold(node):
                continue
            data = [i for i in node.input if i and i not in self.consts and i not in self.sym]
            if node.op_type == "Shape" and data == [self.cur]:
                self.sym[node.output[0]] = np.array([None, *self.onnx_dims()], dtype=object)
                continue
            if data != [self.cur]:
                raise self.refuse(node, self._off_chain(data))
            handler = _HANDLERS.get(node.op_type)
            if handler is None:
                raise self.refuse(
                    node, "has no layerwise layer; importable: " + ", ".join(sorted(_HANDLERS))
                )
            handler(self, node, _attrs(self.onnx, node))
            self.cur = node.output[0]
        if self.cur != self.output:
            raise ConfigError(
                f"{self.path}: the graph output {self.output!r} is not the end "
                "of the chain from its input"
            )
        if self.perm is not None:
            raise ConfigError(
                f"{self.path}: the graph ends with NCHW features flattened in (c, h, w) "
                "order; layerwise flattens in (h, w, c) order (add a Gemm after the Flatten)"
            )
        self.decide("NCHW")

    def _off_chain(self, data: list[str]) -> str:
        if not data:
            return "computes on constants only; fold them when exporting"
        if len(data) > 1:
            return (
                "joins two computed tensors (a branch or a residual connection); layerwise "
                "follows one chain from input to output"
            )
        return (
            f"reads {data[0]!r}, not the end of the chain so far ({self.cur!r}): the graph "
            "branches, which layerwise cannot follow"
        )

    def onnx_dims(self) -> tuple:
        self.decide("NCHW")
        return self.dims

    def _fold(self, node) -> bool:
        """Constants and shape computations: evaluated here, never layers."""
        op, ins = node.op_type, [i for i in node.input if i]
        if op == "Constant":
            self.consts[node.output[0]] = self._constant(node)
            return True
        if op in ("Identity", "Cast") and ins and ins[0] in self.consts:
            self.consts[node.output[0]] = self.consts[ins[0]]
            return True
        if op in _SHAPE_OPS and ins and all(i in self.sym or i in self.consts for i in ins):
            if not any(i in self.sym for i in ins):
                raise self.refuse(node, "computes on constants; fold them when exporting")
            self.sym[node.output[0]] = self._shape_op(node, ins)
            return True
        return False

    def _constant(self, node) -> np.ndarray:
        attrs = _attrs(self.onnx, node)
        if "value" in attrs:
            return self.onnx.numpy_helper.to_array(attrs["value"])
        for key in ("value_float", "value_floats", "value_int", "value_ints"):
            if key in attrs:
                return np.array(attrs[key])
        raise self.refuse(node, "holds a kind of constant layerwise cannot read")

    def _shape_op(self, node, ins: list[str]) -> np.ndarray:
        op, a = node.op_type, _attrs(self.onnx, node)
        vals = [self.sym[i] if i in self.sym else self.consts[i].astype(object) for i in ins]
        x = vals[0]
        if op in ("Identity", "Cast"):
            return x
        if op == "Gather" and a.get("axis", 0) == 0:
            return np.take(x, vals[1].astype(np.int64))
        if op == "Concat":
            return np.concatenate([np.atleast_1d(v) for v in vals])
        if op in ("Unsqueeze", "Squeeze"):
            axes = a.get("axes", vals[1] if len(vals) > 1 else None)
            if op == "Squeeze":
                return x.reshape([d for d in x.shape if d != 1])
            out = x
            for axis in sorted(int(v) for v in np.ravel(axes)):
                out = np.expand_dims(out, axis)
            return out
        if op == "Slice" and len(vals) >= 3:
            return x[int(vals[1][0]) : int(vals[2][0])]
        raise self.refuse(node, "is a shape computation layerwise cannot follow")

    def const(self, node, i: int, what: str, *, optional: bool = False):
        name = node.input[i] if i < len(node.input) else ""
        if not name:
            if optional:
                return None
            raise self.refuse(node, f"lacks its {what}")
        if name not in self.consts:
            raise self.refuse(node, f"its {what} is computed in the graph, not a constant")
        return self.consts[name]

    def add(self, spec: _Spec, fresh: bool = False) -> None:
        self.specs.append(spec)
        self.fresh = fresh

    # ------------------------------------------------------------------ building
    def model(self, proto, seed) -> Sequential:
        if not self.specs:
            raise ConfigError(f"{self.path}: the graph holds no layer layerwise can build")
        layers = [spec.cls(**spec.kwargs) for spec in self.specs]
        example = [int(d) for d in self.example]
        model = Sequential(
            layers,
            input_dim=example[0] if len(example) == 1 else example,
            seed=seed,
            dtype=self.dtype,
            normalize=bool(self.norm),
        )
        state: dict[str, np.ndarray] = {}
        for i, (layer, spec) in enumerate(zip(layers, self.specs)):
            names = layer.param_names()
            state.update({f"param/{names[k]}": v for k, v in spec.params.items()})
            state.update({f"state/{i}/{k}": v for k, v in spec.state.items()})
        model.load_state_dict(state)
        if self.norm:
            mu = self.norm.get("mu", np.zeros(example[0]))
            scale = self.norm.get("scale", np.ones(example[0]))
            model.normalizer_ = Standardizer.from_dict(
                {
                    "mu": np.broadcast_to(mu, (example[0],)).reshape(-1, 1),
                    "sigma2": np.broadcast_to(scale, (example[0],)).reshape(-1, 1) ** 2,
                    "eps": 0.0,
                }
            )
        props = {p.key: p.value for p in proto.metadata_props}
        if META_CLASSES in props:
            try:
                model.classes_ = [str(c) for c in json.loads(props[META_CLASSES])]
            except (ValueError, TypeError):
                pass
        return model


# --------------------------------------------------------------------------- handlers
def _vector(imp: _Importer, node, value, n: int, what: str) -> np.ndarray:
    value = np.asarray(value, dtype=np.float64)
    if value.size not in (1, n) or value.ndim > 2 or (value.ndim == 2 and value.shape[0] != 1):
        raise imp.refuse(node, f"its {what} has shape {value.shape}, expected ({n},)")
    return np.broadcast_to(value.reshape(-1), (n,)).copy()


def _features(imp: _Importer, node) -> int:
    if imp.layout != "rows":
        raise imp.refuse(node, "expects features (m, n); put a Flatten before it")
    return int(imp.dims[0])


def _dense(imp: _Importer, node, W: np.ndarray, b: np.ndarray | None) -> None:
    """A Dense of W (n, n_prev) and b; a pending NCHW flatten order is undone in W."""
    n_prev = _features(imp, node)
    if W.ndim != 2 or W.shape[1] != n_prev:
        raise imp.refuse(node, f"its weights {W.shape} do not take {n_prev} features")
    if imp.perm is not None:
        W = W[:, imp.perm]
        imp.perm = None
    params = {"W": W}
    if b is not None:
        params["b"] = _vector(imp, node, b, W.shape[0], "bias").reshape(-1, 1)
    kwargs = {"units": W.shape[0], "activation": "linear", "use_bias": b is not None}
    imp.add(_Spec(Dense, kwargs, params), fresh=True)
    imp.dims = (W.shape[0],)


def _gemm(imp: _Importer, node, a: dict) -> None:
    if a.get("transA", 0):
        raise imp.refuse(node, "transA=1 transposes the batch; layerwise cannot follow")
    B = np.asarray(imp.const(node, 1, "weights B"), dtype=np.float64)
    C = imp.const(node, 2, "bias C", optional=True)
    if B.ndim != 2:
        raise imp.refuse(node, f"its weights have shape {B.shape}, not 2-D")
    W = (B if a.get("transB", 0) else B.T) * a.get("alpha", 1.0)
    b = None if C is None else np.asarray(C, dtype=np.float64) * a.get("beta", 1.0)
    _dense(imp, node, W, b)


def _matmul(imp: _Importer, node, a: dict) -> None:
    B = np.asarray(imp.const(node, 1, "weights"), dtype=np.float64)
    if B.ndim != 2 or node.input[0] != imp.cur:
        raise imp.refuse(node, "multiplies other than (m, n_prev) @ (n_prev, n)")
    _dense(imp, node, B.T, None)


def _operand(imp: _Importer, node) -> np.ndarray:
    other = [i for i in node.input if i != imp.cur]
    if len(other) != 1 or other[0] not in imp.consts:
        raise imp.refuse(node, "combines two computed tensors")
    return np.asarray(imp.consts[other[0]], dtype=np.float64)


def _add(imp: _Importer, node, a: dict) -> None:
    value = _operand(imp, node)
    last = imp.specs[-1] if imp.specs else None
    if imp.fresh and last.cls is Dense and not last.kwargs["use_bias"]:
        last.params["b"] = _vector(imp, node, value, last.kwargs["units"], "bias").reshape(-1, 1)
        last.kwargs["use_bias"] = True  # MatMul + Add: one Dense
        return
    if not imp.specs and imp.layout == "rows" and "mu" not in imp.norm and "scale" not in imp.norm:
        imp.norm["mu"] = -_vector(imp, node, value, imp.dims[0], "offset")
        return
    raise imp.refuse(node, "adds other than a Dense's bias (after MatMul) or an input offset")


def _sub(imp: _Importer, node, a: dict) -> None:
    if node.input[0] != imp.cur:
        raise imp.refuse(node, "subtracts the tensor from a constant")
    value = _operand(imp, node)
    if not imp.specs and imp.layout == "rows" and "mu" not in imp.norm and "scale" not in imp.norm:
        imp.norm["mu"] = _vector(imp, node, value, imp.dims[0], "mean")
        return
    raise imp.refuse(node, "subtracts other than the input's mean (a standardisation)")


def _scale(imp: _Importer, node, factor: np.ndarray) -> None:
    """x · factor: the input standardisation's 1/sqrt(sigma2 + eps), or a Rescale."""
    if not imp.specs and imp.layout == "rows" and "scale" not in imp.norm:
        scale = 1.0 / _vector(imp, node, factor, imp.dims[0], "scale")
        if not np.all(np.isfinite(scale) & (scale > 0)):
            raise imp.refuse(node, "divides the input by a value that is not positive")
        imp.norm["scale"] = scale
        return
    if factor.size != 1 or imp.layout == "rows":
        raise imp.refuse(
            node, "scales other than the input (standardisation) or images by one number (Rescale)"
        )
    value = float(factor.reshape(()))
    if not value > 0:
        raise imp.refuse(node, f"scales images by {value}; Rescale takes a factor > 0")
    imp.add(_Spec(Rescale, {"factor": value}))


def _mul(imp: _Importer, node, a: dict) -> None:
    _scale(imp, node, _operand(imp, node))


def _div(imp: _Importer, node, a: dict) -> None:
    if node.input[0] != imp.cur:
        raise imp.refuse(node, "divides a constant by the tensor")
    with np.errstate(divide="ignore"):
        _scale(imp, node, 1.0 / _operand(imp, node))


def _act(imp: _Importer, node, name: str, **kwargs) -> None:
    """An activation: merged into the linear Dense/Conv2D just before it, else a layer."""
    last = imp.specs[-1] if imp.specs else None
    spec = {"name": name, **kwargs}
    if imp.fresh and last.cls in (Dense, Conv2D) and not (last.cls is Conv2D and name == "softmax"):
        last.kwargs["activation"] = spec
        imp.fresh = False
        return
    imp.add(_Spec(Activation, {"activation": spec}))


def _elementwise(name: str):
    def handle(imp: _Importer, node, a: dict) -> None:
        _act(imp, node, name)

    return handle


def _leaky_relu(imp: _Importer, node, a: dict) -> None:
    slope = _f32(a.get("alpha", 0.01))
    if not 0.0 <= slope <= 1.0:
        raise imp.refuse(node, f"alpha = {slope}; layerwise's leaky_relu takes 0 <= slope <= 1")
    _act(imp, node, "leaky_relu", slope=slope)


def _softmax(imp: _Importer, node, a: dict) -> None:
    _features(imp, node)
    if a.get("axis", -1 if imp.opset >= 13 else 1) not in (1, -1):
        raise imp.refuse(node, f"axis = {a['axis']}; layerwise's softmax is over the classes")
    _act(imp, node, "softmax")


def _batchnorm(imp: _Importer, node, a: dict) -> None:
    values = [
        np.asarray(imp.const(node, i, what), dtype=np.float64)
        for i, what in ((1, "scale"), (2, "bias"), (3, "mean"), (4, "variance"))
    ]
    eps = _f32(a.get("epsilon", 1e-5))
    if imp.layout == "rows":
        n = imp.dims[0]
        gamma, beta, mean, var = (_vector(imp, node, v, n, "statistics") for v in values)
        if imp.perm is not None:  # features still in (c, h, w) order
            gamma, beta, mean, var = (v[imp.perm] for v in (gamma, beta, mean, var))
        col = {"gamma": gamma, "beta": beta, "running_mean": mean, "running_var": var}
        col = {k: v.reshape(-1, 1) for k, v in col.items()}
        kwargs = {"momentum": _f32(a.get("momentum", 0.9)), "epsilon": eps}
        imp.add(
            _Spec(
                BatchNorm,
                kwargs,
                {k: col[k] for k in ("gamma", "beta")},
                {k: col[k] for k in ("running_mean", "running_var")},
            )
        )
        return
    imp.need(node, "nchw")
    last = imp.specs[-1] if imp.specs else None
    if not (imp.fresh and last.cls is Conv2D and last.kwargs["activation"] == "linear"):
        raise imp.refuse(
            node,
            "normalises images other than right after a Conv; layerwise folds it into that Conv",
        )
    gamma, beta, mean, var = (_vector(imp, node, v, imp.dims[0], "statistics") for v in values)
    k = gamma / np.sqrt(var + eps)  # inference form, folded into the Conv's W and b
    last.params["W"] = last.params["W"] * k
    last.params["b"] = (last.params["b"] - mean) * k + beta


def _conv(imp: _Importer, node, a: dict) -> None:
    imp.need(node, "nchw")
    W = np.asarray(imp.const(node, 1, "weights"), dtype=np.float64)
    B = imp.const(node, 2, "bias", optional=True)
    C_prev, H, W_in = imp.dims
    if W.ndim != 4 or W.shape[1] != C_prev or W.shape[2] != W.shape[3]:
        raise imp.refuse(
            node,
            f"weights {W.shape}: layerwise takes square kernels "
            f"(n_C, {C_prev}, f, f) and group = 1",
        )
    if a.get("group", 1) != 1 or any(d != 1 for d in a.get("dilations", [1, 1])):
        raise imp.refuse(node, "has groups or dilations, which layerwise's Conv2D lacks")
    f = W.shape[2]
    s = _square(imp, node, a.get("strides", [1, 1]), "strides")
    p = _padding(imp, node, a, f, s)
    b = np.zeros(W.shape[0]) if B is None else _vector(imp, node, B, W.shape[0], "bias")
    kwargs = {
        "filters": W.shape[0],
        "kernel_size": f,
        "stride": s,
        "padding": "valid" if p == 0 else ("same" if 2 * p + 1 == f else p),
        "activation": "linear",
    }
    params = {"W": W.transpose(2, 3, 1, 0), "b": b.reshape(1, 1, 1, -1)}
    imp.add(_Spec(Conv2D, kwargs, params), fresh=True)
    imp.dims = (W.shape[0], (H + 2 * p - f) // s + 1, (W_in + 2 * p - f) // s + 1)


def _square(imp: _Importer, node, values, what: str) -> int:
    values = [int(v) for v in values]
    if len(values) != 2 or values[0] != values[1]:
        raise imp.refuse(node, f"{what} {values}: layerwise takes the same along height and width")
    return values[0]


def _padding(imp: _Importer, node, a: dict, f: int, s: int) -> int:
    auto = a.get("auto_pad", b"NOTSET")
    auto = auto.decode() if isinstance(auto, bytes) else str(auto)
    if auto == "VALID":
        return 0
    if auto in ("SAME_UPPER", "SAME_LOWER"):
        if s != 1 or f % 2 == 0:
            raise imp.refuse(node, f"{auto} with stride {s} and kernel {f} pads unevenly")
        return (f - 1) // 2
    pads = [int(v) for v in a.get("pads", [0, 0, 0, 0])]
    if len(set(pads)) != 1:
        raise imp.refuse(node, f"pads {pads}: layerwise pads every side alike")
    return pads[0]


def _pool(mode: str):
    def handle(imp: _Importer, node, a: dict) -> None:
        imp.need(node, "nchw")
        f = _square(imp, node, a.get("kernel_shape", []), "kernel_shape")
        s = _square(imp, node, a.get("strides", [1, 1]), "strides")
        C, H, W = imp.dims
        if any(int(p) for p in a.get("pads", [])) or a.get("auto_pad", b"NOTSET") not in (
            b"NOTSET",
            b"VALID",
            "NOTSET",
            "VALID",
        ):
            raise imp.refuse(node, "pads its input; layerwise's Pool2D does not pad")
        if any(d != 1 for d in a.get("dilations", [1, 1])):
            raise imp.refuse(node, "has dilations, which layerwise's Pool2D lacks")
        if a.get("ceil_mode", 0) and ((H - f) % s or (W - f) % s):
            raise imp.refuse(node, "ceil_mode=1 adds a partial window; layerwise rounds down")
        imp.add(_Spec(Pool2D, {"pool_size": f, "stride": s, "mode": mode}))
        imp.dims = (C, (H - f) // s + 1, (W - f) // s + 1)

    return handle


def _global_pool(mode: str):
    def handle(imp: _Importer, node, a: dict) -> None:
        imp.need(node, "nchw")
        C, H, W = imp.dims
        if H != W:
            raise imp.refuse(node, f"pools a {H}x{W} map; layerwise's Pool2D windows are square")
        imp.add(_Spec(Pool2D, {"pool_size": H, "mode": mode}))
        imp.dims = (C, 1, 1)

    return handle


def _flatten_here(imp: _Importer, node) -> None:
    imp.decide("NCHW")
    if imp.layout == "rows":
        return  # (m, n) is flat already
    if imp.layout == "nchw":
        C, H, W = imp.dims  # ONNX flattens (c, h, w); layerwise (h, w, c): W's columns move
        imp.perm = np.arange(C * H * W).reshape(C, H, W).transpose(1, 2, 0).reshape(-1)
    imp.add(_Spec(Flatten, {}))
    imp.dims = (int(np.prod(imp.dims)),)
    imp.layout = "rows"


def _flatten(imp: _Importer, node, a: dict) -> None:
    if a.get("axis", 1) != 1:
        raise imp.refuse(node, f"axis = {a['axis']}; layerwise flattens each example (axis 1)")
    _flatten_here(imp, node)


def _reshape(imp: _Importer, node, a: dict) -> None:
    shape_in = node.input[1] if len(node.input) > 1 else ""
    target = imp.sym.get(shape_in)
    if target is None:
        target = np.asarray(imp.const(node, 1, "shape")).astype(object)
    target = list(np.ravel(target))
    n = int(np.prod(imp.onnx_dims()))
    first, second = (target + [None, None])[:2] if len(target) == 2 else (0, 0)
    batch_ok = (
        first is None
        or (first == 0 and not a.get("allowzero", 0))
        or (isinstance(first, (int, np.integer)) and first > 0)
    )
    if len(target) == 2 and ((batch_ok and second in (-1, n)) or (first == -1 and second == n)):
        _flatten_here(imp, node)
        return
    shown = ["m" if t is None else int(t) for t in target]
    raise imp.refuse(node, f"reshapes to {shown}; layerwise follows only a flattening (m, -1)")


def _transpose(imp: _Importer, node, a: dict) -> None:
    perm = [int(p) for p in a.get("perm", [])]
    if imp.layout == "unknown4" and perm == _TO_NCHW:
        imp.decide("NHWC")
    elif imp.layout == "unknown4":
        imp.decide("NCHW")
    if imp.layout == "nhwc" and perm == _TO_NCHW:
        H, W, C = imp.dims
        imp.layout, imp.dims = "nchw", (C, H, W)
    elif imp.layout == "nchw" and perm == _TO_NHWC:
        C, H, W = imp.dims
        imp.layout, imp.dims = "nhwc", (H, W, C)
    else:
        raise imp.refuse(node, f"perm {perm} is not an NHWC <-> NCHW layout change")


def _dropout(imp: _Importer, node, a: dict) -> None:
    ratio = imp.const(node, 1, "ratio", optional=True)
    ratio = _f32(a.get("ratio", 0.5) if ratio is None else np.asarray(ratio).reshape(()))
    if not 0.0 <= ratio < 1.0:
        raise imp.refuse(node, f"ratio = {ratio}; layerwise keeps 1 - ratio > 0 of the units")
    if ratio > 0:
        imp.add(_Spec(Dropout, {"keep_prob": 1.0 - ratio}))


def _identity(imp: _Importer, node, a: dict) -> None:
    pass


_HANDLERS = {
    "Gemm": _gemm,
    "MatMul": _matmul,
    "Add": _add,
    "Sub": _sub,
    "Mul": _mul,
    "Div": _div,
    "Relu": _elementwise("relu"),
    "Sigmoid": _elementwise("sigmoid"),
    "Tanh": _elementwise("tanh"),
    "LeakyRelu": _leaky_relu,
    "Softmax": _softmax,
    "BatchNormalization": _batchnorm,
    "Conv": _conv,
    "MaxPool": _pool("max"),
    "AveragePool": _pool("average"),
    "GlobalMaxPool": _global_pool("max"),
    "GlobalAveragePool": _global_pool("average"),
    "Flatten": _flatten,
    "Reshape": _reshape,
    "Transpose": _transpose,
    "Dropout": _dropout,
    "Identity": _identity,
}


def _load(onnx, path: Path):
    if not path.is_file():
        raise ModelFileError(f"{path} does not exist or is not a file")
    try:
        proto = onnx.load(str(path))
    except Exception as exc:  # protobuf's DecodeError, onnx's own errors, OSError
        text = " ".join(str(exc).split()) or type(exc).__name__
        raise ModelFileError(f"{path} is not a readable ONNX model ({text})") from None
    if not proto.HasField("graph") or not proto.graph.node:
        raise ModelFileError(f"{path} is not an ONNX model (it holds no graph)")
    try:
        onnx.checker.check_model(proto)
    except Exception as exc:  # onnx.checker.ValidationError and its relatives
        text = " ".join(str(exc).split()).split(" ==> Context")[0]
        raise ModelFileError(f"{path} is not a valid ONNX model: {text}") from None
    return proto


def read_onnx(path: str | os.PathLike, *, seed: int | None = None) -> OnnxImport:
    """``from_onnx``'s model, with the layout of the graph's input and notes for the user."""
    onnx = _onnx()
    path = Path(path)
    proto = _load(onnx, path)
    importer = _Importer(onnx, proto, path)
    importer.run(proto.graph)
    model = importer.model(proto, seed)
    notes = []
    if importer.input_layout == "NCHW":
        shape = ", ".join(str(d) for d in model.layers[0].input_shape)
        notes.append(
            "the ONNX graph takes NCHW images; this model takes NHWC (m, "
            f"{shape}): feed it X_nchw.transpose(0, 2, 3, 1)"
        )
    elif importer.input_layout == "rows":
        notes.append(
            "the ONNX graph takes rows (m, n_x); this model takes columns (n_x, m): "
            "feed it X_rows.T (predict_proba returns (n_y, m))"
        )
    return OnnxImport(model, importer.input_layout, notes)


def from_onnx(path: str | os.PathLike, *, seed: int | None = None) -> Sequential:
    """A layerwise ``Sequential`` from an ONNX file whose graph is one chain of supported
    operators (Gemm or MatMul+Add, Relu/LeakyRelu/Sigmoid/Tanh/Softmax,
    BatchNormalization, Conv, MaxPool/AveragePool, Flatten/Reshape, Dropout/Identity and
    layout Transposes). Anything else raises one ConfigError sentence naming the
    operator; an unreadable file raises ModelFileError.

    The model takes layerwise's layouts: X (n_x, m) for a graph on rows (m, n_x), and
    NHWC images even when the graph's input is NCHW (feed X_nchw.transpose(0, 2, 3, 1)).
    Its parameters are trainable (``fit`` fine-tunes them); ``seed`` seeds its generator
    (dropout masks, shuffling).
    """
    return read_onnx(path, seed=seed).model
