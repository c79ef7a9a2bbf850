"""layerwise.course.check: the grader of a learner's own implementation."""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest

from layerwise import cli
from layerwise.course import check as grader
from layerwise.course import deep, logistic, optimization, shallow

FIXTURES = Path(__file__).parent / "check_fixtures"


def grade(name: str, **kwargs) -> tuple[grader.Report, str]:
    out = io.StringIO()
    report = grader.check(FIXTURES / name, out=out, timeout=kwargs.pop("timeout", 5.0), **kwargs)
    return report, out.getvalue()


def line_of(text: str, function: str) -> str:
    lines = [line for line in text.splitlines() if line.split()[1:2] == [function + ":"]]
    assert lines, text
    return lines[0]


@pytest.mark.parametrize("module", [deep, optimization, shallow, logistic])
def test_the_reference_modules_pass(module):
    out = io.StringIO()
    report = grader.check(module, out=out)
    assert report.passed and report.exit_code == 0, out.getvalue()
    assert report.module == module.__name__.rsplit(".", 1)[1]
    assert "FAIL" not in out.getvalue()


def test_the_reference_file_by_path_passes():
    report = grader.check(deep.__file__, quiet=True)
    assert report.passed and not report.missing


def test_a_correct_learner_file_passes():
    report, text = grade("good_deep.py")
    assert report.module == "deep" and report.exit_code == 0, text
    assert "PASS L_model_backward" in text and "PASS update_parameters" in text
    assert report.missing == ["initialize_parameters"]  # reported, not failed


def test_transposed_dW():
    report, text = grade("transposed_dW.py")
    line = line_of(text, "linear_backward")
    assert line.startswith("FAIL")
    assert "dW is (4, 3); it should be (n[l], n[l-1]) = (3, 4)" in line
    assert "transpose A_prev" in line
    assert report.exit_code == 1


def test_missing_one_over_m():
    _, text = grade("missing_1_over_m.py")
    line = line_of(text, "linear_backward")
    assert "dW is off by exactly a factor m = 5" in line and "1/m" in line
    assert "db is off by exactly a factor m = 5" in text


def test_cache_in_the_wrong_order():
    _, text = grade("cache_order.py")
    line = line_of(text, "linear_forward")
    assert "linear_cache is in the wrong order" in line
    assert "linear_cache[0] holds W" in line and "linear_cache[1] holds A_prev" in line
    assert "(A_prev, W, b)" in line


def test_sigmoid_backward_on_Z():
    report, text = grade("sigmoid_backward_on_Z.py")
    for function in ("sigmoid_backward", "linear_activation_backward"):
        line = line_of(text, function)
        assert line.startswith("FAIL") and "used Z where s = σ(Z) belongs" in line
    assert "[sigmoid]" in line_of(text, "linear_activation_backward")
    assert "first difference at dZ[0, 0]: got" in text and "expected" in text
    assert "PASS linear_backward" in text


def test_adam_without_bias_correction():
    report, text = grade("adam_no_correction.py")
    assert report.module == "optimization"
    assert "PASS update_parameters_with_momentum" in text
    line = line_of(text, "update_parameters_with_adam")
    assert "Adam without bias correction" in line and "1 − β1ᵗ" in line
    assert "more problems" in text  # the details are capped


def test_an_exception_shows_the_learners_last_frame():
    _, text = grade("raises.py")
    line = line_of(text, "linear_forward")
    assert "raised ValueError" in line and "not aligned" in line
    assert "raises.py:7 in linear_forward" in line and "np.dot(A, W)" in line


def test_an_endless_loop_times_out():
    report, text = grade("endless.py", timeout=0.5)
    assert "FAIL linear_forward: timed out after 0.5 s" in text
    assert report.exit_code == 1


def test_an_endless_loop_times_out_off_the_main_thread():
    import threading

    box = {}
    before = threading.active_count()
    worker = threading.Thread(target=lambda: box.update(r=grade("endless.py", timeout=0.3)))
    worker.start()
    worker.join(10)
    assert "timed out after 0.3 s" in box["r"][1]
    for _ in range(100):  # the abandoned loop is stopped, not left burning the CPU
        if threading.active_count() == before:
            break
        time.sleep(0.01)
    assert threading.active_count() == before


def test_mutated_input_and_wrong_keys():
    _, text = grade("mutates.py")
    assert "it changed its input (argument 1)" in line_of(text, "update_parameters")
    line = line_of(text, "L_model_backward")
    assert "grads has the wrong keys" in line and "unexpected ['dAL']" in line


def test_wrong_value_names_first_differing_element(tmp_path):
    learner = tmp_path / "learner.py"
    learner.write_text(
        "import numpy as np\n"
        "def linear_forward(A, W, b):\n"
        "    Z = np.dot(W, A) - b\n"
        "    return Z, (A, W, b)\n"
    )
    out = io.StringIO()
    grader.check(learner, out=out)
    assert "Z has wrong values: first difference at Z[0, 0]: got" in out.getvalue()


def test_cli_exit_codes(capsys, tmp_path):
    assert cli.main(["check", str(FIXTURES / "good_deep.py")]) == 0
    assert cli.main(["check", str(FIXTURES / "transposed_dW.py"), "--module", "deep"]) == 1
    out = capsys.readouterr().out
    assert "FAIL linear_backward: dW is (4, 3)" in out
    assert cli.main(["check", str(tmp_path / "missing.py")]) == 2
    assert "no such file" in capsys.readouterr().err
    assert cli.main(["check", str(FIXTURES / "good_deep.py"), "--module", "nope"]) == 2
    assert cli.main(["check", str(FIXTURES / "good_deep.py"), "--module", "optimization"]) == 2
    assert cli.main(["check", str(FIXTURES / "good_deep.py"), "--timeout", "0"]) == 2
    empty = tmp_path / "empty.py"
    empty.write_text("x = 1\n")
    assert cli.main(["check", str(empty)]) == 2


def test_a_file_that_fails_on_import(tmp_path):
    learner = tmp_path / "broken.py"
    learner.write_text("import numpy as np\nraise RuntimeError('half-written notebook')\n")
    out = io.StringIO()
    report = grader.check(learner, out=out)
    assert report.exit_code == 1
    assert "RuntimeError: half-written notebook (at broken.py:2" in out.getvalue()


def test_shallow_is_detected_and_a_missing_keepdims_is_named(tmp_path):
    learner = tmp_path / "planar_utils.py"
    learner.write_text(
        "import numpy as np\n"
        "def layer_sizes(X, Y):\n"
        "    return X.shape[0], 4, Y.shape[0]\n"
        "def backward_propagation(parameters, cache, X, Y):\n"
        "    m = X.shape[1]\n"
        "    A1, A2, W2 = cache['A1'], cache['A2'], parameters['W2']\n"
        "    dZ2 = A2 - Y\n"
        "    dZ1 = np.dot(W2.T, dZ2) * (1 - A1 ** 2)\n"
        "    return {'dW1': np.dot(dZ1, X.T) / m, 'db1': np.sum(dZ1, axis=1, keepdims=True) / m,\n"
        "            'dW2': np.dot(dZ2, A1.T) / m, 'db2': np.sum(dZ2, axis=1) / m}\n"
    )
    out = io.StringIO()
    report = grader.check(learner, out=out)
    text = out.getvalue()
    assert report.module == "shallow" and "PASS layer_sizes" in text
    line = line_of(text, "backward_propagation")
    assert "db2 is (1,); it should be (n[2], 1) = (1, 1): did you forget keepdims=True" in line


def test_logistic_missing_one_over_m(tmp_path):
    learner = tmp_path / "logistic.py"
    learner.write_text(
        "import numpy as np\n"
        "def sigmoid(z):\n"
        "    return 1 / (1 + np.exp(-z))\n"
        "def propagate(w, b, X, Y):\n"
        "    m = X.shape[1]\n"
        "    A = sigmoid(np.dot(w.T, X) + b)\n"
        "    cost = np.squeeze(-np.sum(Y * np.log(A) + (1 - Y) * np.log(1 - A)) / m)\n"
        "    return {'dw': np.dot(X, (A - Y).T), 'db': np.sum(A - Y) / m}, cost\n"
    )
    out = io.StringIO()
    grader.check(learner, "logistic", out=out)
    assert "dw is off by exactly a factor m = 5: did you forget the 1/m?" in out.getvalue()
