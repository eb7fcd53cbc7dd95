"""A run changed mid-run, continued rather than retrained: the live loop's side of ganplay/schedule.py.

When a visitor changes a mid-run setting at step s, the run's new config is the old one with changes at s
(schedule.continued). Its run is the old run's state forked at s when the old Trainer stands exactly there, else a
run of the new config trained from step 0 to s; training is deterministic, so both are the same run, bit for bit.
"""
from __future__ import annotations

import threading
from typing import Callable

from .config import RunConfig
from .datasets import Dataset
from . import runs
from .runs import Run, Trainer
from .schedule import continues


def fork(run: Run, cfg: RunConfig) -> Trainer:
    """A Trainer continuing run (at the step where cfg's last changes begin) under cfg, run itself untouched."""
    if not continues(cfg, run.config) or run.step_count != cfg.schedule[-1].step or run.finished:
        raise ValueError("schedule: this run cannot fork into that config (another run, or not at its step)")
    return runs.fork(run, cfg)


def parent(key: tuple, shown: tuple) -> tuple | None:
    """shown, the live key (config, data hash) of the run a slot showed, when key's config changes it mid-run."""
    (cfg, data), (old, old_data) = key, shown
    mid_run = isinstance(cfg, RunConfig) and isinstance(old, RunConfig) and data == old_data
    return shown if mid_run and continues(cfg, old) else None


def continued_run(source, lock: threading.Lock, cfg: RunConfig, data: Dataset | None,
                  make_run: Callable[[RunConfig, Dataset | None], Run]) -> Run:
    """The run of cfg, made by continuing source (a run of the config cfg changes, guarded by lock): forked when
    it stands at the change's step, else made by make_run and trained there (the visitor keeps their step)."""
    step = cfg.schedule[-1].step
    with lock:
        if isinstance(source, Run) and source.step_count == step and not source.finished:
            return fork(source, cfg)
    return make_run(cfg, data).step(step)
