"""Take it away: the samples CSV, the generator file and the Python snippet all reproduce the app's run."""
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch

from ganplay import RunConfig, Trainer, export, userdata

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def iris():
    from test_userdata import iris_csv
    return userdata.read_csv(iris_csv(), label="species", source="iris.csv").dataset


def _run_script(code: str, cwd: Path) -> np.ndarray:
    """Run a snippet as a notebook would, in a fresh interpreter, and return its `samples`."""
    out = cwd / "samples.npy"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    subprocess.run([sys.executable, "-c", f"{code}\nimport numpy\nnumpy.save({str(out)!r}, samples)"],
                   cwd=cwd, env=env, check=True, capture_output=True, timeout=60)
    return np.load(out)


def test_samples_csv_holds_the_runs_samples_exactly():
    run = Trainer(RunConfig(steps=50, batch_size=64)).step(20)
    frame = pd.read_csv(io.BytesIO(export.samples_csv(run)))
    assert list(frame.columns) == ["x1", "x2"] and len(frame) == export.SAMPLES
    np.testing.assert_array_equal(frame.to_numpy(np.float32), run.sample(export.SAMPLES))


def test_samples_of_a_conditional_run_carry_the_label_they_were_drawn_for():
    run = Trainer(RunConfig(dataset="iris", conditional=True, steps=50, batch_size=64)).step(5)
    frame = pd.read_csv(io.BytesIO(export.samples_csv(run, n=6)))
    assert frame["label"].tolist() == ["setosa", "versicolor", "virginica"] * 2
    assert list(frame.columns[:2]) == ["sepal length (cm)", "sepal width (cm)"]


@pytest.mark.parametrize("own", [False, True])
def test_the_downloaded_generator_loads_with_weights_only_and_samples_identically(own, iris):
    data = iris if own else None
    cfg = RunConfig(dataset="csv" if own else "moons", conditional=own, steps=50, batch_size=64)
    run = Trainer(cfg, data).step(30)
    raw = export.generator_file(run)
    saved = torch.load(io.BytesIO(raw), weights_only=True)
    assert RunConfig(**json.loads(saved["config"])) == cfg and saved["step"] == 30
    assert set(saved["generator"]) >= {"layers.0.weight", "data_mean", "data_scale"}
    restored = export.load_generator(raw, data)
    np.testing.assert_array_equal(restored.sample(500), run.sample(500))


def test_the_python_snippet_reproduces_the_runs_samples_in_a_fresh_interpreter(tmp_path):
    run = Trainer(RunConfig(variant="lsgan", steps=200, batch_size=64, seed=3)).step(70)
    code = export.python_snippet(run)
    assert ".step(70)" in code and "samples = run.sample(2500)" in code
    np.testing.assert_array_equal(_run_script(code, tmp_path), run.sample(export.SAMPLES))


def test_the_snippet_for_your_own_data_loads_the_data_file_and_reproduces_the_run(tmp_path, iris):
    cfg = RunConfig(dataset="csv", conditional=True, steps=40, batch_size=64)
    run = Trainer(cfg, iris).step(40)
    code = export.python_snippet(run)
    assert "ganplay.train(cfg, data)" in code and f'np.loadtxt("{export.DATA_FILE}"' in code
    (tmp_path / export.DATA_FILE).write_bytes(export.data_csv(iris))
    np.testing.assert_array_equal(_run_script(code, tmp_path), run.sample(export.SAMPLES))


FORMULAS = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://example.invalid","click")', "@SUM(A1:A2)", "+SUM(1,2)",
            "-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", " =1+1"]


@pytest.mark.parametrize("cell", FORMULAS)
def test_a_formula_cell_is_written_as_text_as_owasp_says(cell):
    assert export.inert(cell).startswith("'") and export.inert(cell).lstrip("' ").lstrip("\t") in cell.replace("\r", " ")


def test_plain_text_and_numbers_stay_as_they_are_and_a_header_keeps_to_one_line():
    assert [export.inert(c) for c in ("setosa", "-1", "+2.5e3", "-.5", "a\nb")] == ["setosa", "-1", "+2.5e3", "-.5",
                                                                                    "a b"]


def test_formula_headers_and_labels_are_neutralised_in_both_downloads():
    table = pd.DataFrame({"=SUM(A1)": np.arange(12.0), "@x": np.arange(12.0) ** 2 % 5,
                          "label": [FORMULAS[k % 3] for k in range(12)]})
    data = userdata.read_csv(table.to_csv(index=False).encode(), label="label").dataset
    run = Trainer(RunConfig(dataset="csv", conditional=True, steps=10, batch_size=8), data).step(2)
    samples = pd.read_csv(io.BytesIO(export.samples_csv(run, n=6)))
    assert list(samples.columns) == ["'=SUM(A1)", "'@x", "label"]
    assert set(samples["label"]) == {"'" + f for f in FORMULAS[:3]}
    assert list(pd.read_csv(io.BytesIO(export.data_csv(data))).columns) == ["'=SUM(A1)", "'@x", "label"]
