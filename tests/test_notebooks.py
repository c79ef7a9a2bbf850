"""The notebooks of examples/notebooks run from top to bottom and show their plots.

Each runs in a kernel of this very interpreter (a kernel spec written for the test, so a
fresh virtual environment needs no `ipykernel install`), in a fresh temporary working
directory. A notebook whose metadata says ``layerwise.needs_course_data`` reads the
course's cat files: it runs with $LAYERWISE_DATA set to ../shared/data and skips with
that reason when it is absent. The committed notebooks carry no outputs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "examples" / "notebooks").glob("*.ipynb"))
DATA = ROOT.parent / "shared" / "data"
KERNEL = "layerwise-tests"


@pytest.fixture
def kernel_of_this_python(tmp_path_factory, monkeypatch) -> str:
    """A kernel spec running ``sys.executable``, found first through $JUPYTER_PATH."""
    spec = tmp_path_factory.mktemp("jupyter") / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "layerwise tests", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel))
    monkeypatch.setenv("JUPYTER_PATH", str(spec.parent.parent))
    return KERNEL


def test_there_is_a_notebook_per_course_week():
    names = {path.stem.split("_", 2)[0] + "_" + path.stem.split("_", 2)[1] for path in NOTEBOOKS}
    weeks = {"course1_week2", "course1_week3", "course1_week4", "course2_week1"}
    weeks |= {"course2_week2", "course2_week3", "course4_week1"}
    assert weeks <= names, sorted(weeks - names)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, path.name


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs_and_shows_plots(path, tmp_path, monkeypatch, kernel_of_this_python):
    nb = nbformat.read(path, as_version=4)
    if nb.metadata.get("layerwise", {}).get("needs_course_data"):
        if not DATA.is_dir():
            pytest.skip(f"needs the course data in {DATA}")
        monkeypatch.setenv("LAYERWISE_DATA", str(DATA))
    # One BLAS thread: small products stay fast on busy cores (docs/architecture.md).
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "1")
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    client = nbclient.NotebookClient(
        nb,
        kernel_name=kernel_of_this_python,
        timeout=300,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError, naming the cell, when one fails
    images = [
        output
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "image/png" in output.get("data", {})
    ]
    assert images, f"{path.name} showed no picture"
