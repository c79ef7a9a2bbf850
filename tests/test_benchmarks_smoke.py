"""The benchmark script runs end to end on tiny sizes and reports sane fields (no timing)."""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

pytest.importorskip("threadpoolctl")
pytest.importorskip("sklearn")


def _load_run():
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    spec = importlib.util.spec_from_file_location("benchmarks.run", REPO / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    run = _load_run()
    out = tmp_path_factory.mktemp("bench") / "results.json"
    argv = ["--scale", "0.02", "--repeats", "1", "--workloads", "W1,inference"]
    argv += ["--threads", "1", "--no-rss", "--json", str(out)]
    report = run.main(argv, log=lambda msg: None)
    return run, report, out


def test_table_has_every_available_peer(smoke, capsys):
    run, report, _ = smoke
    peers = {"layerwise", "sklearn"}
    if importlib.util.find_spec("torch") is not None:
        peers.add("torch")
    else:
        assert "torch" in report["skipped"]
    for wl in ("W1", "inference"):
        assert set(report["results"][wl]) == peers


def test_fields_are_sane(smoke):
    _, report, _ = smoke
    assert report["gemm_gflops"] > 0
    for wl, rows in report["results"].items():
        assert rows["layerwise"]["ratio"] == pytest.approx(1.0)
        for row in rows.values():
            assert row["seconds"] > 0 and math.isfinite(row["seconds"])
            assert row["examples_per_s"] > 0 and row["gflops"] > 0
            assert row["gemm_fraction"] > 0 and row["ratio"] > 0
            if wl == "W1":
                assert 0.0 <= row["accuracy"] <= 1.0
    for r in report["rss"].values():
        assert r["peak_mib"] >= r["before_fit_mib"] > 0


def test_report_text_and_json(smoke):
    run, report, out = smoke
    text = run.format_report(report)
    assert "s/epoch" in text and "layerwise" in text and "GEMM" in text
    assert "6 x params x examples" in text
    saved = json.loads(out.read_text())
    assert saved["results"]["W1"]["layerwise"]["seconds"] > 0
    assert saved["machine"]["cores"] >= 1


def test_scaled_workload_shrinks():
    run = _load_run()
    wl = run.scaled(run.WORKLOADS["W1"], 0.1)
    assert wl.m == 6000 and wl.n_x == 78 and wl.hidden == (26, 13)
    assert wl.batch_size <= run.WORKLOADS["W1"].batch_size
    assert wl.flops_per_epoch() == 6.0 * wl.n_params * wl.m


def test_smoke_mode_runs_the_small_model_and_one_example_latency():
    run = _load_run()
    argv = ["--smoke", "--workloads", "W4,latency", "--peers", "layerwise,sklearn"]
    report = run.main(argv, log=lambda msg: None)
    assert report["scale"] == run.SMOKE_SCALE and report["repeats"] == 1
    assert report["threads"] == 1 and report["rss"] == {} and report["goals"] == []
    assert set(report["results"]) == {"W4", "latency"}
    latency = report["results"]["latency"]["layerwise"]
    # one example per call: examples per second is the inverse of the call's time
    assert latency["examples_per_s"] == pytest.approx(1.0 / latency["seconds"])
    w4 = report["workloads"]["W4"]
    # 1797 x 64 -> 64-64-10 at 2 %: 36 examples, widths of 1 rounded up to 2, same epochs
    assert (w4["m"], w4["n_x"], w4["hidden"], w4["epochs"]) == (36, 2, (2, 2), 20)
    assert 2 <= w4["batch_size"] <= 32
    assert "one predict_proba call of one example" in run.format_report(report)
