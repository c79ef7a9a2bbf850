"""What export and import share: the ONNX versions, names, layouts and the lazy import."""

from __future__ import annotations

from importlib import metadata

from ..errors import ConfigError

#: The operator set and IR version of every exported graph (ONNX 1.12's pair, which
#: onnxruntime 1.12 and later load).
OPSET = 17
IR_VERSION = 8

INPUT = "X"
OUTPUT = "Y_hat"
#: metadata_props keys written by ``to_onnx`` and read back by ``from_onnx``
META_CLASSES = "layerwise.classes"
META_LAYOUT = "layerwise.input_layout"

_ELEMENTWISE = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "Relu", "leaky_relu": "LeakyRelu"}
_TO_NCHW = [0, 3, 1, 2]
_TO_NHWC = [0, 2, 3, 1]


def _onnx():
    try:
        import onnx  # noqa: PLC0415 - optional onnx extra
        import onnx.checker  # noqa: PLC0415 - optional onnx extra
        import onnx.numpy_helper  # noqa: PLC0415 - optional onnx extra
    except ImportError:
        raise ConfigError(
            "ONNX export and import need the onnx package: pip install 'layerwise[onnx]'"
        ) from None
    return onnx


def _version() -> str:
    try:
        return metadata.version("layerwise")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree
        return "unknown"


def _f32(value) -> float:
    """An ONNX float attribute (float32) as the decimal it was written from: 0.9, not
    0.8999999761581421."""
    return float(f"{float(value):.7g}")
