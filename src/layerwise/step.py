"""One training step's arithmetic, shared by ``fit`` and ``gradcheck``.

For a batch X{t} (m_t examples) of a training set of m examples:

    A[L] = forward(X{t});   J{t} = loss(A[L], Y{t}) + lambda/(2 m) sum_l ||W[l]||^2
    dZ[L] = (A[L] - Y{t}) / m_t  for the fused pairs (sigmoid + BCE, softmax + CCE,
            linear + MSE), else dJ/dA[L] back through g'
    backward;   dW[l] += (lambda / m) W[l]

m is the whole training set's size, so each batch's gradient is an unbiased estimate
of the full cost's gradient and lambda means the same whatever the batch size (for a
full batch this is the course's formula).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from .losses import Loss
from .metrics import accuracy_of

if TYPE_CHECKING:  # pragma: no cover
    from .network import Sequential

Array = np.ndarray


@dataclass
class Objective:
    """The cost a model is trained on: ``loss`` plus L2 with ``l2`` = lambda over a
    training set of ``m`` examples. Build it with ``Objective.of(model, loss, l2, m)``."""

    loss: Loss
    l2: float
    m: int
    output_activation: str
    #: whether dZ[L] = (A[L] - Y) / m_t is used (the loss pairs with the output layer)
    fused_delta: bool
    #: whether J is computed from Z[L] (the output layer keeps its logits)
    from_logits: bool = False
    #: whether A[L] is (n_y, m) columns (then a classifier's accuracy is reported)
    columns: bool = True
    #: (W, dW) pairs L2 acts on: views into the model's parameter and gradient vectors
    regularized: list[tuple[Array, Array]] = field(default_factory=list)

    @classmethod
    def of(cls, model: Sequential, loss: Loss, l2: float, m: int) -> Objective:
        return cls(
            loss=loss,
            l2=float(l2),
            m=int(m),
            output_activation=model.output_activation,
            fused_delta=model.has_fused_output_delta(loss),
            from_logits=model.has_fused_output_delta(loss) and loss.fused_with != "linear",
            columns=model.output_axis == -1,
            regularized=model.regularized_pairs(),
        )

    def cost(self, AL: Array, Y: Array, ZL: Array | None = None) -> float:
        """J{t} = loss(A[L], Y) + lambda/(2 m) sum ||W||^2; from the logits Z[L] (exact)
        when they are given and the loss pairs with the output activation."""
        J = self.loss.cost_from_logits(ZL, Y) if self.from_logits else self.loss.cost(AL, Y)
        if self.l2:
            J += self.l2 / (2 * self.m) * sum(float(np.sum(W * W)) for W, _ in self.regularized)
        return J


def cost(model: Sequential, X: Array, Y: Array, objective: Objective) -> float:
    """J of a training-mode forward pass on (X, Y) (already checked, model dtype)."""
    AL = model.forward(X, training=True)
    return objective.cost(AL, Y, model.output_logits())


def forward_backward(
    model: Sequential, X: Array, Y: Array, objective: Objective
) -> tuple[float, float | None]:
    """Forward, cost, backward (with the L2 gradient) for one batch; the model's grads
    then hold dJ/dθ. Returns (J{t}, the batch's accuracy or None for regression)."""
    AL = model.forward(X, training=True)
    J = objective.cost(AL, Y, model.output_logits())
    acc = accuracy_of(AL, Y, objective.output_activation) if objective.columns else None
    if objective.fused_delta:  # A[L] is not needed any more: dZ[L] is written over it
        model.backward(objective.loss.output_delta(AL, Y, out=AL), dZ_given=True)
    else:
        model.backward(objective.loss.gradient(AL, Y))
    if objective.l2:
        k = objective.l2 / objective.m
        for W, dW in objective.regularized:
            dW += k * W
    return J, acc
