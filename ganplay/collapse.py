"""Mode collapse, measured: which modes each variant's generator covers, over training and over seeds.

The lecture's warning is that "the generator learns only a mode of the target distribution", and its
claim that WGAN and LSGAN help. Here several variants train side by side (ganplay.SideBySide: one
batched computation per compatible group) and every run is scored as in VEEGAN, PacGAN and GDPP (metrics.mode_report
on 2,500 samples), with ganplay's stricter capture rule (metrics.CAPTURE_RULES["twenty"]); the papers' own
protocols and rules are in ganplay.protocols. No Streamlit here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from .config import RunConfig
from .datasets import DATASETS, Dataset, load_dataset
from .metrics import REFERENCE_SAMPLES, ModeReport, default_min_count, mode_report_from
from .runs import Run, SideBySide
from .variants import VARIANTS

DEFAULT_VARIANTS = ("gan", "nsgan", "wgan-gp", "lsgan")  # the classic losses of the lecture (the page's are LESSON's)
MAX_VARIANTS = 4
RECORDS = 100  # points of the metric track: one every steps // RECORDS generator steps
SHOWN_POINTS = 600  # of the 2,500 scored samples, those a scatter draws: the Playground's count
# Batch of the comparison: half the Playground's, so four variants cost about two runs' arithmetic per step;
# mode coverage on ring8 and grid25 matches batch 256 (tested over seeds), width 32 would not.
BATCH_SIZE = 128
CAPTURE_COUNT = default_min_count(REFERENCE_SAMPLES)  # 20 high-quality samples of 2,500 (ganplay's rule) capture a mode
# One recipe for every loss, the classic losses' own (DCGAN's Adam, one critic step): every variant
# then shares one batched stack and the same compute per generator step.
SHARED_RECIPE = dict(VARIANTS["nsgan"].defaults)


def variant_configs(base: RunConfig, variants: Sequence[str], shared_recipe: bool,
                    seeds: Sequence[int] | None = None) -> list[RunConfig]:
    """One config per seed and variant, all with base's data, architecture and steps.

    The optimiser settings are SHARED_RECIPE for all, or each variant's paper defaults (WGAN-GP: Adam
    β = (0, 0.9) and 5 critic steps). seeds defaults to base's seed alone.
    """
    if not DATASETS[base.dataset].has_modes:
        raise ValueError(f"dataset {base.dataset!r} has no modes; choose one of "
                         + ", ".join(n for n, s in DATASETS.items() if s.has_modes))
    if not 1 <= len(variants) <= MAX_VARIANTS or len(set(variants)) != len(variants):
        raise ValueError(f"variants: choose 1 to {MAX_VARIANTS} different variants, got {list(variants)}")
    recipe = SHARED_RECIPE if shared_recipe else dict.fromkeys(SHARED_RECIPE)  # None: the variant's default
    seeds = (base.seed,) if seeds is None else seeds
    return [base.replace(variant=v, seed=s, **recipe) for s in seeds for v in variants]


def steps_done(side: SideBySide) -> int:
    """Generator steps of the side-by-side so far (a diverged run stops counting; the others go on)."""
    return max(run.step_count for run in side.runs)


@dataclass(frozen=True)
class SeedFigures:
    """One variant's final modes captured per seed (ganplay's ≥ 20 rule and the papers' ≥ 1), and its mean
    high-quality share, as measured by repeat_over_seeds."""

    variant: str
    modes: tuple[int, ...]
    modes_any: tuple[int, ...]
    high_quality: float


@dataclass(frozen=True)
class Lesson:
    """The page's default run, chosen so that it shows the lecture's claim (a plain GAN dropping modes while a
    remedy keeps them all), with how robust that is over seeds: measured, and re-measured by
    `python benchmarks/bench_papers.py --lesson`."""

    dataset: str
    variants: tuple[str, ...]  # the plain GAN first, then the remedy
    steps: int
    figures: tuple[SeedFigures, ...]  # the default variants first, then others measured alike
    others_note: str = ""

    def base(self, seed: int = 0) -> RunConfig:
        return RunConfig(dataset=self.dataset, steps=self.steps, seed=seed, batch_size=BATCH_SIZE)

    def caption(self) -> str:
        modes = len(load_dataset(self.dataset, 16).centers)

        def said(f: SeedFigures) -> str:
            every = sum(m == modes for m in f.modes)
            return (f"{VARIANTS[f.variant].title} {np.mean(f.modes):.1f} ± {np.std(f.modes, ddof=1):.1f} of {modes} "
                    f"({', '.join(map(str, f.modes))}; all {modes} on {every} of {len(f.modes)} seeds), "
                    f"{f.high_quality:.0f} % of its samples high quality")
        shown = [f for f in self.figures if f.variant in self.variants]
        others = [f for f in self.figures if f.variant not in self.variants]
        plain = shown[0]
        text = (f"**How robust is this over seeds?** Measured with the page's defaults ({DATASETS[self.dataset].title}, "
                f"{self.steps:,} steps, each variant's paper recipe, seeds 0–{len(plain.modes) - 1}, a mode captured "
                f"by ≥ {CAPTURE_COUNT} of {REFERENCE_SAMPLES:,}): " + "; ".join(said(f) for f in shown) + ". "
                f"Under the papers' one-sample rule the {VARIANTS[plain.variant].title} reaches "
                f"{np.mean(plain.modes_any):.1f}: it starves modes rather than never visiting them.")
        if others:
            text += (" Measured alike: " + ", ".join(f"{VARIANTS[f.variant].title} {np.mean(f.modes):.1f} ± "
                                                     f"{np.std(f.modes, ddof=1):.1f}" for f in others) + ".")
        return f"{text} {self.others_note} Check any claim with *Repeat over seeds*."


# Measured with `bench_papers.py --lesson` (5 seeds, in one stack: each run exactly as alone). On ganplay's wider ring
# (ring8, σ/r = 0.025) the plain GANs covered all 8 modes on most seeds: that ring shows no collapse at this length.
LESSON = Lesson("ring8-unit", ("nsgan", "mmd"), 3000, (
    SeedFigures("nsgan", (4, 7, 6, 6, 5), (7, 8, 8, 8, 8), 55.2),
    SeedFigures("mmd", (8, 8, 8, 8, 8), (8, 8, 8, 8, 8), 33.7),
    SeedFigures("gan", (8, 8, 6, 8, 8), (8, 8, 7, 8, 8), 46.4),
    SeedFigures("unrolled", (6, 7, 6, 8, 6), (7, 7, 8, 8, 8), 58.0),
), "The minimax GAN does better than the non-saturating one here: collapse depends on the loss, the data's "
   "sharpness and the length of training, so a single run proves little either way.")


# --- scoring ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """Mode coverage of one run at one step, scored on 2,500 samples (see metrics.mode_report)."""

    variant: str
    seed: int
    step: int
    modes: int  # modes of the data
    modes_captured: int
    high_quality_share: float
    reverse_kl: float


def score(run: Run) -> tuple[np.ndarray, ModeReport]:
    """run's 2,500 scored samples (the same latents every call) and their mode report."""
    fake = run.sample(REFERENCE_SAMPLES)
    return fake, mode_report_from(fake, run.data)


def measure(run: Run, step: int) -> Measure:
    report = score(run)[1]
    return Measure(run.config.variant, run.config.seed, step, len(run.data.centers), report.modes_captured,
                   report.high_quality_share, report.reverse_kl)


def record(side: SideBySide) -> tuple[Measure, ...]:
    """One Measure per run, all at the side-by-side's current step."""
    step = steps_done(side)
    return tuple(measure(run, step) for run in side.runs)


def record_every(steps: int) -> int:
    return max(1, steps // RECORDS)


class Comparison:
    """A live side-by-side and its metric track, advanced together.

    A page keeps this one object: Streamlit may stop a script at any session-state access, and two
    separate entries (runs, track) could then be left out of step.
    """

    def __init__(self, configs: Sequence[RunConfig]):
        self.configs = list(configs)
        self.side = SideBySide(configs)
        self.track = record(self.side)

    @property
    def finished(self) -> bool:
        return self.side.finished

    def step(self, n: int) -> "Comparison":
        """n generator steps (fewer at the end), with a record every record_every steps.

        The records fall on fixed steps however the steps are chunked, so the track is a function of the
        configs alone, whatever chunks the server's live loop (ganplay/live.py) steps it in.
        """
        every, stop = record_every(self.configs[0].steps), steps_done(self.side) + n
        while not self.side.finished and steps_done(self.side) < stop:
            done = steps_done(self.side)
            self.side.step(min(every - done % every, stop - done))  # never past a record
            if steps_done(self.side) % every == 0 or self.side.finished:
                self.track += record(self.side)
        return self


def repeat_over_seeds(base: RunConfig, variants: Sequence[str], shared_recipe: bool, n_seeds: int,
                      progress: Callable[[float], None] = lambda fraction: None) -> tuple[Measure, ...]:
    """Train every variant from seeds base.seed, base.seed + 1, ... in one side-by-side; the final Measures."""
    seeds = range(base.seed, base.seed + n_seeds)
    side = SideBySide(variant_configs(base, variants, shared_recipe, seeds))
    while not side.finished:
        side.step(max(1, base.steps // 50))
        progress(steps_done(side) / base.steps)
    return record(side)


# --- tables and tidy frames for the charts ------------------------------------------------------


def seeds_table(finals: Sequence[Measure]) -> pd.DataFrame:
    """Per variant, over seeds: mean ± sample std (ddof = 1) of the final metrics, and each seed's modes."""
    frame = pd.DataFrame(finals)
    rows = []
    for variant, runs in frame.groupby("variant", sort=False):
        rows.append({
            "variant": VARIANTS[variant].title,
            "seeds": len(runs),
            "modes captured": _mean_std(runs.modes_captured, "{:.1f}"),
            "high-quality share": _mean_std(runs.high_quality_share * 100, "{:.0f}", "%"),
            "reverse KL (nats)": _mean_std(runs.reverse_kl, "{:.2f}"),
            "all modes captured": f"{(runs.modes_captured == runs.modes).sum()} of {len(runs)}",
            "modes per seed": ", ".join(str(m) for m in runs.modes_captured),
        })
    return pd.DataFrame(rows).set_index("variant")


def _mean_std(values: pd.Series, number: str, unit: str = "") -> str:
    return f"{number.format(values.mean())}{unit} ± {number.format(values.std())}{unit}"


def track_frame(track: Sequence[Measure]) -> pd.DataFrame:
    """The track in long form for a line chart: step, variant (its title), modes captured, high-quality share."""
    frame = pd.DataFrame(track, columns=list(Measure.__dataclass_fields__))
    return frame.assign(variant=frame.variant.map(lambda v: VARIANTS[v].title))


@dataclass(frozen=True, eq=False)  # eq=False: array fields
class Panel:
    """What one variant's scatter shows now: its scored samples and their report."""

    variant: str
    fake: np.ndarray
    report: ModeReport


def panels(side: SideBySide) -> list[Panel]:
    return [Panel(VARIANTS[run.config.variant].title, *score(run)) for run in side.runs]


def points_frame(shown: Sequence[Panel]) -> pd.DataFrame:
    """The first SHOWN_POINTS scored samples of every panel (the same latents every frame)."""
    return pd.concat([pd.DataFrame({"variant": p.variant, "x": p.fake[:SHOWN_POINTS, 0],
                                    "y": p.fake[:SHOWN_POINTS, 1]}) for p in shown], ignore_index=True)


def modes_frame(shown: Sequence[Panel], data: Dataset) -> pd.DataFrame:
    """Per panel and mode: the centre, its count of high-quality samples, and whether that captures it."""
    return pd.concat([pd.DataFrame({"variant": p.variant, "mode": np.arange(len(data.centers)),
                                    "x": data.centers[:, 0], "y": data.centers[:, 1], "count": p.report.counts,
                                    "captured": p.report.counts >= CAPTURE_COUNT}) for p in shown],
                     ignore_index=True)
