"""Course 2, week 1: gradient checking, 1-D and on the three-layer network.

Checks J = θx at x = 2, θ = 4, then the three-layer network on a case drawn from
np.random.seed(1) (x (4, 3), y = [1, 1, 0], then W1 (5, 4), b1 (5, 1), W2 (3, 5), b2 (3, 1),
W3 (1, 3), b3 (1, 1), all randn), with the course's two planted mistakes (dW2 doubled,
db1 with 4/m: difference 0.2850931567761623) and without them (1.1890913024229996e-07).
Writes ``gradient_errors.png``: |grad - gradapprox| for each of the 47 parameters.
"""

from __future__ import annotations

import numpy as np

from ... import plots
from .. import gradient_checking as course
from ._common import base_parser, output_dir


def check_case() -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """(X (4, 3), Y (3,), parameters) drawn in the course's order after np.random.seed(1)."""
    np.random.seed(1)
    X = np.random.randn(4, 3)
    Y = np.array([1, 1, 0])
    parameters = {}
    for key, shape in course.COURSE_SHAPES:
        parameters[key] = np.random.randn(*shape)
    return X, Y, parameters


def numerical_gradient(X, Y, parameters, epsilon: float) -> np.ndarray:
    """The two-sided difference quotient of forward_propagation_n's cost, (47, 1)."""
    theta, _ = course.dictionary_to_vector(parameters)
    approx = np.zeros_like(theta)
    for i in range(theta.shape[0]):
        plus, minus = theta.copy(), theta.copy()
        plus[i] += epsilon
        minus[i] -= epsilon
        J_plus, _ = course.forward_propagation_n(X, Y, course.vector_to_dictionary(plus))
        J_minus, _ = course.forward_propagation_n(X, Y, course.vector_to_dictionary(minus))
        approx[i] = (J_plus - J_minus) / (2 * epsilon)
    return approx


def main(argv: list[str] | None = None) -> int:
    parser = base_parser("gradient-checking", __doc__.splitlines()[0])
    parser.add_argument(
        "--epsilon",
        type=float,
        default=1e-7,
        help="the shift ε of the two-sided difference (default: %(default)s)",
    )
    args = parser.parse_args(argv)
    out = output_dir(args)

    print("== 1-D: J = theta * x at x = 2, theta = 4 ==")
    course.gradient_check(2, 4, epsilon=args.epsilon, print_msg=True)

    X, Y, parameters = check_case()
    _, cache = course.forward_propagation_n(X, Y, parameters)
    approx = numerical_gradient(X, Y, parameters, args.epsilon)
    errors = {}
    for label, bugs in (("with the course's two mistakes", True), ("fixed", False)):
        print(f"\n== three-layer network, backward pass {label} ==")
        gradients = course.backward_propagation_n(X, Y, cache, with_course_bugs=bugs)
        course.gradient_check_n(parameters, gradients, X, Y, args.epsilon, print_msg=True)
        errors[label] = np.abs(course.gradients_to_vector(gradients) - approx).ravel()

    _, keys = course.dictionary_to_vector(parameters)
    first = {k: keys.index(k) for k in dict.fromkeys(keys)}
    layout = ", ".join(f"{k} from {i}" for k, i in first.items())
    png = plots.learning_curves(
        errors,
        out / "gradient_errors.png",
        title="|analytic - numerical gradient| per parameter of θ",
        xlabel=f"index in θ ({layout})",
        ylabel="absolute error",
    )
    print(f"\nwrote {png}")
    return 0
