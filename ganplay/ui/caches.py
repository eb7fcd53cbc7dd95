"""What every visitor of one server process shares, in Streamlit's resource cache: the live loop that trains
every watched run (ganplay.live), and projections of own data.

Deterministic training makes sharing safe: the same config always gives the same run.
"""
from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass

import streamlit as st
from streamlit.logger import get_logger

from .. import RunConfig, Trainer, collapse, frames, manifold, userdata
from ..datasets import Dataset
from ..live import SWITCH_SECONDS, LiveLoop
from ..variants import VARIANTS

# A live view's frame period: the loop publishes a frame this often, and the browser asks for one as often
FRAME_SECONDS = 0.2  # 0.12 gave 4.8 frames/s but live ÷ bare fell from 0.71 to 0.46 (bench_browser)

FINISHED_RUN_SECONDS = 120.0  # the most one finished-run training (Latent walk) may cost this server
VIEWER_MARGIN_SECONDS, TRIM_SECONDS = 30.0, 10.0
_NOBODY = object()
LOG = get_logger(__name__)
NEW_TRAINING = "live loop: a new training of "  # what make_run logs


@dataclass(frozen=True)
class Comparing:
    """The key of a mode-collapse comparison on the loop: its configs (one per variant), all of one length."""

    configs: tuple[RunConfig, ...]

    @property
    def steps(self) -> int:
        return self.configs[0].steps


@dataclass(frozen=True, eq=False)
class ComparisonFrame:
    """What one frame of the mode-collapse page shows: every variant's scored samples, the metric track,
    and which variants diverged (title, step)."""

    step: int
    panels: list[collapse.Panel]
    track: tuple[collapse.Measure, ...]
    diverged: tuple[tuple[str, int], ...]


class LiveComparison:
    """collapse.Comparison as the loop steps a run: step(n), step_count, status, config."""

    def __init__(self, key: Comparing):
        self.config, self.comparison = key, collapse.Comparison(key.configs)

    @property
    def step_count(self) -> int:
        return collapse.steps_done(self.comparison.side)

    @property
    def data(self) -> Dataset:
        return self.comparison.side.runs[0].data

    @property
    def status(self) -> str:
        return "done" if self.comparison.finished else "ready" if self.step_count == 0 else "training"

    def step(self, n: int) -> "LiveComparison":
        self.comparison.step(n)
        return self

    def frame(self) -> ComparisonFrame:
        side = self.comparison.side
        return ComparisonFrame(self.step_count, collapse.panels(side), self.comparison.track,
                               tuple((VARIANTS[r.config.variant].title, r.diverged_at) for r in side.runs
                                     if r.status == "diverged"))


def make_run(key: RunConfig | Comparing, data: Dataset | None):
    """A new training on the loop (the one place one starts: logged, so that a benchmark can count them)."""
    LOG.info(NEW_TRAINING + "%s", key if isinstance(key, Comparing) else key.to_query())
    return LiveComparison(key) if isinstance(key, Comparing) else Trainer(key, data)


def publish(run) -> frames.Frame | ComparisonFrame:
    """A published frame, computed once for every viewer of the run: every layer a viewer may toggle."""
    if isinstance(run, LiveComparison):
        return run.frame()
    return manifold.with_manifold(frames.frame_of(run, critic=True, push=True, densities=True), run)


def _trim_now_and_then(loop: LiveLoop) -> None:
    """A session that never disconnected cleanly (a server-side drop, a lost release) must not keep its runs: the
    loop itself lets go of viewers unseen for its viewer_seconds. Releasing an owner nobody is trims the registry."""
    while True:
        time.sleep(TRIM_SECONDS)
        loop.release(_NOBODY)


@st.cache_resource(show_spinner=False)
def live_loop() -> LiveLoop:
    """The one training loop of this server process (its thread starts when someone plays). A viewer unseen for
    the session lifetime and a margin no longer keeps its run (a paused tab's run then waits among the cached
    ones; if it was evicted meanwhile it trains again from step 0, its viewer showing its last frame until the
    run passes it)."""
    ttl = float(st.get_option("server.disconnectedSessionTTL"))
    sys.setswitchinterval(SWITCH_SECONDS)  # the loop thread gets the GIL back soon while sessions draw
    loop = LiveLoop(frame_of=publish, make_run=make_run, viewer_seconds=ttl + VIEWER_MARGIN_SECONDS,
                    frame_seconds=FRAME_SECONDS)
    threading.Thread(target=_trim_now_and_then, args=(loop,), name="ganplay-live-trim", daemon=True).start()
    return loop


@st.cache_resource(max_entries=8, show_spinner=False)
def projections(data_key: tuple, _dataset: Dataset) -> list[userdata.Projection]:
    return userdata.projections(_dataset)  # keyed by what makes the data (its content hash for your own), so safe
