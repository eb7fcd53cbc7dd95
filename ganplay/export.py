"""Take a run away: its samples as CSV, its generator as a torch file, and a script that redoes it.

No Streamlit here: each function returns the bytes or text a download button (or a notebook) needs.
"""
from __future__ import annotations

import io
import json
import re

import numpy as np
import pandas as pd
import torch

from .config import RunConfig
from .datasets import Dataset
from .runs import Run, Trainer

SAMPLES = 2500
DATA_FILE = "ganplay_data.csv"


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet may read as the start of a formula (OWASP)
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


def inert(cell) -> str:
    """A text cell a spreadsheet shows as text, as OWASP's CSV-injection guidance says: one starting with a
    formula character (after any blanks) gets a single quote before it, plain numbers (a label "-1") excepted;
    and on one line, so that the file's first line is its whole header."""
    text = str(cell)
    risky = text.lstrip(" \t\r\n").startswith(FORMULA_START) or text.startswith(FORMULA_START)
    text = " ".join(text.splitlines())
    return "'" + text if risky and not _NUMBER.fullmatch(text.strip()) else text


def _csv(x: np.ndarray, columns, labels: list[str] | None = None) -> bytes:
    frame = pd.DataFrame(x, columns=[inert(c) for c in columns])
    if labels is not None:
        frame["label"] = [inert(label) for label in labels]
    return frame.to_csv(index=False, float_format="%.9g").encode()  # 9 digits: float32 comes back exactly


def samples_csv(run: Run, n: int = SAMPLES) -> bytes:
    """run.sample(n) in data units, with the label each sample was asked for when the run is conditional."""
    samples, data = run.sample(n), run.data
    if not run.config.conditional:
        return _csv(samples, data.columns)
    names = data.label_names or tuple(map(str, range(data.n_classes)))
    return _csv(samples, data.columns, [names[k] for k in np.arange(n) % data.n_classes])


def data_csv(dataset: Dataset) -> bytes:
    """Your own data as the run saw it: numeric columns, then the label's code (for np.loadtxt)."""
    return _csv(dataset.x, dataset.columns, None if dataset.y is None else list(dataset.y))


def generator_file(run: Run) -> bytes:
    """The generator's state_dict and the run's config as JSON: reads back with torch.load(weights_only=True)."""
    buffer = io.BytesIO()
    torch.save({"generator": run.generator_state(), "config": json.dumps(run.config.changed_fields()),
                "step": run.step_count, "columns": list(run.data.columns)}, buffer)
    return buffer.getvalue()


def load_generator(source, data: Dataset | None = None) -> Trainer:
    """A Trainer whose generator is the downloaded one (a path or the file's bytes); your own data needs `data`."""
    saved = torch.load(io.BytesIO(source) if isinstance(source, bytes) else source, weights_only=True)
    run = Trainer(RunConfig(**json.loads(saved["config"])), data)
    run.load_generator_state(saved["generator"])
    return run


def python_snippet(run: Run) -> str:
    """A notebook script that redoes this run up to its current step and draws the same samples."""
    cfg, data = run.config, run.data
    lines = ["import ganplay", ""]
    data_arg = ""
    if cfg.dataset == "csv":
        d, labelled = data.dim, data.y is not None
        lines[:1] = ["import numpy as np", "import ganplay"]
        lines += [f"# Your data as the app used it: download {DATA_FILE} next to this script.",
                  f'table = np.loadtxt("{DATA_FILE}", delimiter=",", skiprows=1, ndmin=2)',
                  f"data = ganplay.from_array(table[:, :{d}], "
                  + (f"y=table[:, {d}], " if labelled else "")
                  + f"columns={data.columns!r}" + (f", label_names={data.label_names!r}" if labelled else "") + ")"]
        data_arg = ", data"
    lines.append(f"cfg = {cfg.as_call()}")
    if run.finished:
        lines.append(f"run = ganplay.train(cfg{data_arg})")
    else:
        lines.append(f"run = ganplay.Trainer(cfg{data_arg}).step({run.step_count})  # where the app's run was")
    lines += [f"samples = run.sample({SAMPLES})  # the app's 'samples' download",
              "print(run.status, run.history.tail())"]
    return "\n".join(lines) + "\n"
