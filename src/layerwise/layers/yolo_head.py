"""YoloHead: turns a conv network's raw grid into YOLO predictions in the course's terms.

Course 4, week 3. The 1×1 conv head outputs raw numbers t (m, S, S, B·(5 + C)); for each
of the B anchor boxes of a cell, channels b·(5 + C) ... (b + 1)·(5 + C) − 1 hold

    p_c        = σ(t_0 + log(π / (1 − π)))     objectness ("is there an object?"), π the prior
    b_x, b_y   = σ(t_1), σ(t_2)                the box centre relative to its cell, in [0, 1]
    b_w, b_h   = p_w e^(t_3), p_h e^(t_4)      width and height as fractions of the image,
                                                (p_w, p_h) the anchor box (t clipped to ±8)
    c_1 ... c_C = softmax(t_5 ... t_(4+C))     the class probabilities

as the course's ``yolo_head`` computes them (sigmoid centres and confidence, exponential
sizes scaled by the anchors, softmax classes). The layer has no parameters.

The constant shift of p_c's logit makes every slot start at p_c = π (0.01 by default) when
t_0 ≈ 0, as RetinaNet's bias initialisation does: almost every slot is empty, and a
detector that starts at p_c = 0.5 spends its first steps learning that. With YOLO v1's
squared objectness error it never recovers: the many empty slots push every p_c towards
0, where the squared error's gradient through σ vanishes (measured: mAP 0 after 8 epochs
with π = 0.5, 0.91–0.93 with π = 0.01). The shift is equivalent to starting the 1×1 conv's
p_c bias at log(π/(1 − π)); ``objectness_prior=0.5`` removes it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..checks import in_range, positive_int
from ..errors import ConfigError, ShapeError
from .base import Array, Layer
from .registry import register_layer

#: |t| for b_w, b_h is clipped to this, so p_w e^t neither overflows nor reaches 0
T_CLIP = 8.0


@register_layer
class YoloHead(Layer):
    """(m, S, S, B·(5 + C)) raw -> (m, S, S, B·(5 + C)) as (p_c, b_x, b_y, b_w, b_h,
    c_1 ... c_C) per anchor box. ``anchors``: B pairs (p_w, p_h), fractions of the image;
    ``classes``: C; ``objectness_prior``: π, p_c when t_0 = 0. Backward applies each
    channel's derivative: σ' = A(1 − A) for p_c, b_x,
    b_y; A (and 0 where t was clipped) for b_w, b_h; softmax's Jacobian product for the
    classes."""

    example_axis = 0
    numbered = False

    def __init__(
        self, anchors: Sequence[Sequence[float]], classes: int, objectness_prior: float = 0.01
    ) -> None:
        super().__init__()
        anchors_arr = np.asarray(anchors, dtype=np.float64)
        if (
            anchors_arr.ndim != 2
            or anchors_arr.shape[1] != 2
            or anchors_arr.shape[0] < 1
            or not np.all(np.isfinite(anchors_arr))
            or np.any(anchors_arr <= 0)
        ):
            raise ConfigError(
                "YoloHead anchors must be B >= 1 pairs (p_w, p_h) of positive numbers, "
                f"got {anchors!r}"
            )
        self.anchors = anchors_arr
        self.classes = positive_int(classes, "YoloHead classes")
        self.objectness_prior = in_range(
            objectness_prior, "YoloHead objectness_prior", 0.0, 1.0, low_open=True
        )
        self._shift = float(np.log(self.objectness_prior / (1 - self.objectness_prior)))
        self._A: Array | None = None
        self._clipped: Array | None = None

    @property
    def B(self) -> int:
        return int(self.anchors.shape[0])

    def build(self, input_shape):
        depth = self.B * (5 + self.classes)
        if len(input_shape) != 3 or input_shape[2] != depth:
            raise ShapeError(
                f"YoloHead expects a grid (m, S, S, B·(5 + C)) = (m, S, S, {depth}) for B = "
                f"{self.B} anchors and C = {self.classes} classes, got examples of shape "
                f"{tuple(input_shape)}"
            )
        return input_shape

    def forward(self, A_prev: Array, training: bool = False) -> Array:
        """t (m, S, S, B·(5 + C)) -> A, the same shape (a new array)."""
        m, S1, S2, _ = A_prev.shape
        t = A_prev.reshape(m, S1, S2, self.B, 5 + self.classes)
        A = np.empty_like(t)
        with np.errstate(over="ignore"):  # σ's e^(−t) may overflow to inf: σ is then 0
            A[..., 0] = 1.0 / (1.0 + np.exp(-(t[..., 0] + A.dtype.type(self._shift))))
            A[..., 1:3] = 1.0 / (1.0 + np.exp(-t[..., 1:3]))
        tw = t[..., 3:5]
        clipped = np.abs(tw) > T_CLIP
        A[..., 3:5] = np.exp(np.clip(tw, -T_CLIP, T_CLIP)) * self.anchors.astype(A.dtype)
        z = t[..., 5:] - t[..., 5:].max(axis=-1, keepdims=True)
        e = np.exp(z)
        A[..., 5:] = e / e.sum(axis=-1, keepdims=True)
        if training:
            self._A, self._clipped = A, clipped
        return A.reshape(A_prev.shape)

    def backward(self, dA: Array) -> Array | None:
        """dA -> dt, the same shape."""
        if self._A is None:
            raise RuntimeError("backward called before a training forward pass")
        A = self._A
        d = dA.reshape(A.shape)
        dt = np.empty_like(d)
        dt[..., :3] = d[..., :3] * A[..., :3] * (1 - A[..., :3])
        dt[..., 3:5] = np.where(self._clipped, 0, d[..., 3:5] * A[..., 3:5])
        c, dc = A[..., 5:], d[..., 5:]
        dt[..., 5:] = c * (dc - np.sum(dc * c, axis=-1, keepdims=True))
        if not self.need_input_grad:
            return None
        return dt.reshape(dA.shape)

    def config(self) -> dict:
        return {
            "anchors": self.anchors.tolist(),
            "classes": self.classes,
            "objectness_prior": self.objectness_prior,
        }

    def describe(self) -> str:
        return f"YOLO B={self.B} C={self.classes}"
