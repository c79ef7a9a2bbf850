"""layerwise.course.check on the course-2 and course-4 modules and the cat classifier.

Each broken variant is a correct learner file (``check_fixtures/good_<module>.py``, written
from the course's formulas) with one plausible slip edited in; the grader must fail
exactly the functions the slip breaks and name the slip.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from layerwise import cli
from layerwise.course import check as grader
from layerwise.course import (
    convolution,
    deep_application,
    gradient_checking,
    initialization,
    regularization,
)

FIXTURES = Path(__file__).parent / "check_fixtures"
NEW_MODULES = (
    "deep_application",
    "initialization",
    "regularization",
    "gradient_checking",
    "convolution",
)


def lines_of(text: str, function: str) -> str:
    """The FAIL/PASS line of ``function`` and its continuation lines."""
    lines = text.splitlines()
    starts = [
        i for i, line in enumerate(lines) if line.split()[1:2] in ([function + ":"], [function])
    ]
    assert starts, text
    block = [lines[starts[0]]]
    for line in lines[starts[0] + 1 :]:
        if not line.startswith("    "):
            break
        block.append(line)
    return "\n".join(block)


def broken(tmp_path: Path, module: str, edits: tuple) -> Path:
    """good_<module>.py with each (old, new) edit applied; every ``old`` must be there."""
    source = (FIXTURES / f"good_{module}.py").read_text()
    for old, new in edits:
        assert old in source, old
        source = source.replace(old, new)
    path = tmp_path / f"my_{module}.py"
    path.write_text(source)
    return path


@pytest.mark.parametrize(
    "module", [deep_application, initialization, regularization, gradient_checking, convolution]
)
def test_the_reference_modules_pass(module):
    out = io.StringIO()
    report = grader.check(module, out=out)
    assert report.module == module.__name__.rsplit(".", 1)[1]
    assert report.passed and not report.missing, out.getvalue()
    assert len(report.results) >= 5


@pytest.mark.parametrize("module", NEW_MODULES)
def test_a_correct_learner_file_passes_and_is_recognised(module):
    out = io.StringIO()
    report = grader.check(FIXTURES / f"good_{module}.py", out=out)
    assert report.module == module, out.getvalue()
    assert report.exit_code == 0 and report.passed, out.getvalue()


HE_INIT = "scale = np.sqrt(2.0 / layers_dims[l - 1])"
RANDOM_B = (
    '        parameters["b" + str(l)] = np.zeros((layers_dims[l], 1))\n    return parameters\n\n\n'
    "def initialize_parameters_he"
)
L2_COST = "lambd / (2 * m) * (np.sum"
KEEP = "    A1 = A1 / keep_prob\n", "    A2 = A2 / keep_prob\n"
DENOMINATOR = (
    "np.linalg.norm(grad) + np.linalg.norm(gradapprox)\n    return numerator / denominator"
)
CONV_WINDOW = (
    "            vert_start = stride * h\n            vert_end = vert_start + f\n"
    "            for w in range(n_W):\n                horiz_start = stride * w\n"
    "                horiz_end = horiz_start + f\n                for c in range(n_C):\n"
    "                    a_slice_prev"
)

VARIANTS = {
    # initialization
    "he with sqrt(1/n)": (
        "initialization",
        ((HE_INIT, HE_INIT.replace("2.0", "1.0")),),
        {
            "initialize_parameters_he": [
                "He initialisation scales by √(2/n[l-1]), not √(1/n[l-1])",
                "W1 is off by a constant factor 0.707107",
            ]
        },
    ),
    "zeros drawn from the generator": (
        "initialization",
        (
            (
                "np.zeros((layers_dims[l], layers_dims[l - 1]))",
                "np.random.randn(layers_dims[l], layers_dims[l - 1]) * 0",
            ),
        ),
        {
            "initialize_parameters_zeros": [
                "the values are right but the global random generator ends elsewhere"
            ]
        },
    ),
    "random with seed 1": (
        "initialization",
        (
            (
                "np.random.seed(3)  # noqa: NPY002 (the course seeds the global generator)",
                "np.random.seed(1)",
            ),
        ),
        {
            "initialize_parameters_random": [
                "the weights come from np.random.seed(1); the course seeds 3",
                "first difference at W1[0, 0]",
            ]
        },
    ),
    "random drawing the biases": (
        "initialization",
        (
            (
                RANDOM_B,
                RANDOM_B.replace(
                    "np.zeros((layers_dims[l], 1))", "np.random.randn(layers_dims[l], 1)"
                ),
            ),
        ),
        {
            "initialize_parameters_random": [
                "the biases were drawn from the generator, which shifts every later W"
            ]
        },
    ),
    "initialization backward without 1/m": (
        "initialization",
        (("dz3 = 1.0 / m * (a3 - Y)", "dz3 = a3 - Y"),),
        {
            "backward_propagation": [
                "dz3 is off by exactly a factor m = 5: did you forget the 1/m?",
                "dW3 is off by exactly a factor m = 5",
            ]
        },
    ),
    # regularization
    "L2 cost without 1/(2m)": (
        "regularization",
        ((L2_COST, "lambd * (np.sum"),),
        {
            "compute_cost_with_regularization": [
                "the L2 term is λ·(ΣW1² + ΣW2² + ΣW3²); it should be λ/(2m)"
            ]
        },
    ),
    "L2 cost with λ/m": (
        "regularization",
        ((L2_COST, "lambd / m * (np.sum"),),
        {"compute_cost_with_regularization": ["the L2 term is λ/m·(ΣW1² + ΣW2² + ΣW3²)"]},
    ),
    "L2 backward without (λ/m)·W2": (
        "regularization",
        (
            (
                "dW2 = 1.0 / m * np.dot(dZ2, A1.T) + lambd / m * W2",
                "dW2 = 1.0 / m * np.dot(dZ2, A1.T)",
            ),
        ),
        {
            "backward_propagation_with_regularization": [
                "dW2 lacks the L2 term: add (λ/m)·W2",
                "first difference at dW2[0, 0]",
            ]
        },
    ),
    "L2 backward with λ·W": (
        "regularization",
        (("+ lambd / m * W", "+ lambd * W"),),
        {
            "backward_propagation_with_regularization": [
                "dW1 adds λ·W1; the L2 term is (λ/m)·W1",
                "dW3 adds λ·W3",
            ]
        },
    ),
    "dropout without rescaling": (
        "regularization",
        tuple((line, "") for line in KEEP),
        {
            "forward_propagation_with_dropout": [
                "dropout without rescaling: after A = A * D, divide by keep_prob",
                "A1 is off by a constant factor 0.8 everywhere",
            ]
        },
    ),
    "dropout without reseeding": (
        "regularization",
        (("    np.random.seed(1)  # noqa: NPY002 (the course reseeds on every call)\n", ""),),
        {
            "forward_propagation_with_dropout": [
                "the masks do not come from np.random.seed(1)",
                "D2 has wrong values",
            ]
        },
    ),
    "dropout backward without rescaling": (
        "regularization",
        (("    dA2 = dA2 / keep_prob\n", ""), ("    dA1 = dA1 / keep_prob\n", "")),
        {
            "backward_propagation_with_dropout": [
                "dropout backward without rescaling: dA = dA * D / keep_prob"
            ]
        },
    ),
    # gradient_checking
    "difference over the norm of the sum": (
        "gradient_checking",
        (
            (
                DENOMINATOR,
                DENOMINATOR.replace("(grad) + np.linalg.norm(gradapprox)", "(grad + gradapprox)"),
            ),
        ),
        {
            "gradient_check_n": [
                "the difference divides by ‖grad + gradapprox‖₂, the norm of the sum",
                "(‖grad‖₂ + ‖gradapprox‖₂), the sum of two norms",
            ]
        },
    ),
    "difference over ‖grad‖ alone": (
        "gradient_checking",
        ((DENOMINATOR, DENOMINATOR.replace(" + np.linalg.norm(gradapprox)", "")),),
        {"gradient_check_n": ["the difference divides by ‖grad‖₂ alone"]},
    ),
    "the course's planted backward mistakes": (
        "gradient_checking",
        (
            ("dW2 = 1.0 / m * np.dot(dZ2, A1.T)", "dW2 = 1.0 / m * np.dot(dZ2, A1.T) * 2"),
            ("db1 = 1.0 / m * np.sum(dZ1", "db1 = 4.0 / m * np.sum(dZ1"),
        ),
        {
            "backward_propagation_n": [
                "the course's two planted mistakes: dW2 is doubled and db1 uses 4/m",
                "dW2 is off by a constant factor 2 everywhere",
                "db1 is off by a constant factor 4 everywhere",
            ]
        },
    ),
    "cost without 1/m": (
        "gradient_checking",
        (("cost = 1.0 / m * np.sum(log_probs)", "cost = np.sum(log_probs)"),),
        {
            "forward_propagation_n": [
                "cost is off by exactly a factor m = 3: did you forget the 1/m?"
            ],
            "gradient_check_n": ["difference has the wrong value: got"],
        },  # it calls the learner's forward pass
    ),
    "difference as an array": (
        "gradient_checking",
        (
            (
                "    difference = numerator / denominator\n",
                "    difference = np.asarray(numerator / denominator)\n",
            ),
        ),
        {
            "gradient_check": [
                "difference is a 0-d array; it should be a NumPy float64 scalar, never an array"
            ]
        },
    ),
    "theta flattened column by column": (
        "gradient_checking",
        (
            (
                "np.reshape(parameters[key], (-1, 1))",
                'np.reshape(parameters[key], (-1, 1), order="F")',
            ),
        ),
        {
            "dictionary_to_vector": ["theta has wrong values: first difference at theta[1, 0]"],
            "gradient_check_n": ["difference has the wrong value: got"],
        },
    ),
    # convolution
    "conv_forward without the bias": (
        "convolution",
        (
            (
                "Z[i, h, w, c] = conv_single_step(a_slice_prev, weights, biases)",
                "Z[i, h, w, c] = np.sum(a_slice_prev * weights)",
            ),
        ),
        {"conv_forward": ["Z lacks the bias", "first difference at Z[0, 0, 0, 0]"]},
    ),
    "conv_forward windows ignoring the stride": (
        "convolution",
        ((CONV_WINDOW, CONV_WINDOW.replace("stride * ", "")),),
        {
            "conv_forward": [
                "the windows do not move by the stride: window (h, w) starts at row "
                "vert_start = stride·h"
            ]
        },
    ),
    "conv_forward output transposed": (
        "convolution",
        (
            (
                "    cache = (A_prev, W, b, hparameters)\n    return Z, cache",
                "    cache = (A_prev, W, b, hparameters)\n"
                "    return Z.transpose(0, 2, 1, 3), cache",
            ),
        ),
        {"conv_forward": ["Z is (2, 4, 3, 8); it should be (m, n_H, n_W, n_C) = (2, 3, 4, 8)"]},
    ),
    "average pooling not spread over the window": (
        "convolution",
        (("    average = dz / (n_H * n_W)", "    average = dz"),),
        {
            "distribute_value": ["a is off by a constant factor 4 everywhere"],
            "pool_backward": ["average pooling must spread dA evenly", "[average]"],
        },
    ),
    "pool cache in the wrong order": (
        "convolution",
        (("    cache = (A_prev, hparameters)", "    cache = (hparameters, A_prev)"),),
        {
            "pool_forward": [
                "cache is in the wrong order: cache[0] holds hparameters, cache[1] holds A_prev; "
                "it should be (A_prev, hparameters) [max]"
            ]
        },
    ),
    "mask of 0/1 integers": (
        "convolution",
        (("    mask = x == np.max(x)", "    mask = (x == np.max(x)).astype(int)"),),
        {"create_mask_from_window": ["mask holds int values; the course's are bool"]},
    ),
    "max mask by >= of the mean": (
        "convolution",
        (("    mask = x == np.max(x)", "    mask = x >= np.mean(x)"),),
        # seed 1: x = [[1.62, -0.61, -0.53], [-1.07, 0.87, -2.30]], mean -0.34: x[1, 1] is
        # above the mean but not the maximum
        {
            "create_mask_from_window": [
                "mask has wrong values: first difference at mask[1, 1]: got 1, expected 0"
            ],
            "pool_backward": ["dA_prev has wrong values", "[max]"],
        },
    ),
    # deep_application
    "cat initialiser seeded 3": (
        "deep_application",
        (
            (
                "np.random.seed(1)  # noqa: NPY002 (the course seeds the global generator)",
                "np.random.seed(3)",
            ),
        ),
        {
            "initialize_parameters_deep": [
                "the weights come from np.random.seed(3); the course seeds 1"
            ]
        },
    ),
    "cat initialiser scaled by 0.01": (
        "deep_application",
        (
            (
                'parameters["W" + str(l)] = W / np.sqrt(layer_dims[l - 1])',
                'parameters["W" + str(l)] = W * 0.01',
            ),
        ),
        {
            "initialize_parameters_deep": [
                "W[l] = randn·0.01 is the step-by-step initialiser; the cat model "
                "seeds 1 and divides by √n[l-1]"
            ]
        },
    ),
    "cat initialiser not seeding": (
        "deep_application",
        (("    np.random.seed(1)  # noqa: NPY002 (the course seeds the global generator)\n", ""),),
        {"initialize_parameters_deep": ["the weights were drawn without np.random.seed(1) first"]},
    ),
    "boolean predictions": (
        "deep_application",
        (("p = np.zeros((1, m))", "p = np.zeros((1, m), dtype=bool)"),),
        {"predict": ["p holds bool values; the course's are float"]},
    ),
}


@pytest.mark.parametrize("name", list(VARIANTS))
def test_a_broken_variant_gets_its_diagnosis(tmp_path, name):
    module, edits, expected = VARIANTS[name]
    out = io.StringIO()
    report = grader.check(broken(tmp_path, module, edits), out=out)
    text = out.getvalue()
    assert report.module == module and report.exit_code == 1, text
    failed = {r.function for r in report.results if r.status == "FAIL"}
    assert failed == set(expected), text  # exactly the functions the slip breaks
    for function, fragments in expected.items():
        block = lines_of(text, function)
        assert block.startswith(f"FAIL {function}: ")
        for fragment in fragments:
            assert fragment in block, block


def test_a_right_seed_draws_no_seed_diagnosis(tmp_path):
    """The draw diagnosis speaks only when the draws differ: a wrong scale alone is a scale."""
    out = io.StringIO()
    grader.check(
        broken(tmp_path, "initialization", ((" * 10  # noqa", " * 100  # noqa"),)), out=out
    )
    block = lines_of(out.getvalue(), "initialize_parameters_random")
    assert "W1 is off by a constant factor 10 everywhere" in block
    assert "seed" not in block and "drawn" not in block


def test_the_command_on_a_new_module(tmp_path, capsys):
    path = broken(
        tmp_path, "convolution", (("    average = dz / (n_H * n_W)", "    average = dz"),)
    )
    assert cli.main(["check", str(path), "--module", "convolution"]) == 1
    assert "FAIL pool_backward: average pooling must spread dA evenly" in capsys.readouterr().out
    assert (
        cli.main(["check", str(FIXTURES / "good_convolution.py"), "--module", "regularization"])
        == 2
    )
    assert "defines none of the functions of regularization (it looks like convolution)" in (
        capsys.readouterr().err
    )


def test_prints_of_the_learner_stay_out_of_the_report(tmp_path):
    out = io.StringIO()
    report = grader.check(FIXTURES / "good_deep_application.py", out=out)
    assert report.passed and "Accuracy" not in out.getvalue()
