"""Mode collapse on pictures: several variants learn the digits side by side, and a classifier counts the
digits each generator draws over training (the stacked-MNIST protocol of ganplay.digit_modes).

The 2-D comparison (ganplay.collapse) scores modes by distance to known centres; digits have no centres, so
here the modes are the classifier's ten classes. Every variant trains with the digits recipe
(DATASETS["digits"].recipe) and its own paper's optimiser. No Streamlit here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import pandas as pd

from .config import RunConfig
from .datasets import DATASETS
from .digit_modes import SAMPLES, run_report
from .runs import SideBySide
from .variants import VARIANTS

RECORDS = 10  # points of the track after step 0: each costs the classifier 2,500 images per variant


@dataclass(frozen=True)
class DigitMeasure:
    """The classifier's reading of one run's 2,500 samples at one step."""

    variant: str
    step: int
    covered: int
    confident_share: float
    kl_to_uniform: float


def digit_configs(variants: Sequence[str], steps: int, seed: int) -> list[RunConfig]:
    """One config per variant: the digits recipe for that variant, `steps` generator steps, one seed."""
    spec = DATASETS["digits"]
    return [RunConfig(dataset="digits", variant=v, seed=seed, **{**spec.recipe(v), "steps": steps}) for v in variants]


def _record(side: SideBySide, step: int, samples: int) -> tuple[DigitMeasure, ...]:
    reports = [(run.config.variant, run_report(run, samples)) for run in side.runs]
    return tuple(DigitMeasure(v, step, r.covered, r.confident_share, r.kl_to_uniform) for v, r in reports)


def digit_track(configs: Sequence[RunConfig], records: int = RECORDS, samples: int = SAMPLES,
                progress: Callable[[float], None] = lambda fraction: None) -> tuple[DigitMeasure, ...]:
    """Train the configs side by side to their end, reading every run at step 0 and `records` times after."""
    side, steps = SideBySide(configs), configs[0].steps
    every = max(1, steps // records)
    track = _record(side, 0, samples)
    while not side.finished:
        side.step(min(every, steps - max(run.step_count for run in side.runs)))
        done = max(run.step_count for run in side.runs)
        track += _record(side, done, samples)
        progress(done / steps)
    return track


def track_frame(track: Sequence[DigitMeasure]) -> pd.DataFrame:
    """The track in long form for digit_track_chart, variants by their titles."""
    frame = pd.DataFrame(track, columns=list(DigitMeasure.__dataclass_fields__))
    return frame.assign(variant=frame.variant.map(lambda v: VARIANTS[v].title))
