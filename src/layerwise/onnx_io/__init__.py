"""ONNX export and import: ``to_onnx(model, path)`` and ``from_onnx(path) -> Sequential``.

Layouts (docs/onnx.md has the whole operator table):

- Dense models: layerwise's X is (n_x, m), one example per column; the ONNX graph takes
  the conventional batch (m, n_x), one example per row, and returns (m, n_y): the
  transpose of ``predict_proba``'s (n_y, m).
- Image models: the ONNX graph takes the same NHWC batch (m, n_H, n_W, n_C) as layerwise,
  transposes it to NCHW at the input for ONNX's Conv and pooling, and back to NHWC
  before a Flatten, so the flattened features are in layerwise's (h, w, c) order.
- Every exported graph is float32 (opset ``OPSET``, IR version ``IR_VERSION``); a
  float64 model's parameters are rounded to float32.

Import maps a chain of ONNX nodes onto layerwise layers and refuses anything else with
one ``ConfigError`` sentence naming the operator. A graph whose 4-D input is NCHW (as
PyTorch exports) becomes a model that takes NHWC: feed it ``X_nchw.transpose(0, 2, 3, 1)``.
The ``onnx`` package (the ``onnx`` extra) is imported only when these functions run.
"""

from ._common import IR_VERSION, META_CLASSES, META_LAYOUT, OPSET
from .export import onnx_model, to_onnx
from .importer import OnnxImport, from_onnx, read_onnx

__all__ = [
    "IR_VERSION",
    "META_CLASSES",
    "META_LAYOUT",
    "OPSET",
    "OnnxImport",
    "from_onnx",
    "onnx_model",
    "read_onnx",
    "to_onnx",
]
