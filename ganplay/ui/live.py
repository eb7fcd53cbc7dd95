"""The visitor's live runs: Play / Pause / Step / Reset, the play loop, one stepping helper, the status line."""
from __future__ import annotations

import time
from typing import Callable, Protocol

import streamlit as st

from .. import RunConfig, Trainer
from ..charts import Drawing
from . import caches
from .own_data import data_for, new_run
from .text import as_text, divergence_text

FRAME_SECONDS = 0.05  # the browser asks for a frame this often; a longer frame is simply followed by the next
TARGET_FRAME_SECONDS = 0.18  # a live view's frame period: five or six frames a second, the rest is training
FRAME_MARGIN_SECONDS = 0.04  # a frame's cost beyond drawing and training: messages, Streamlit's bookkeeping
# (The period is fixed, not stretched to a slow browser's: on a shared server a longer one is contention.)
STEP_BUDGET_SECONDS, MAX_STEP_BUDGET_SECONDS = 0.06, 0.2  # training per frame: at least, and at most (Pause waits)
WAIT_SECONDS = 0.25  # how often a visitor waiting for another's training redraws its progress


class Steppable(Protocol):
    def step(self, n: int): ...


def finished(live: Steppable) -> bool:
    """Whether live (a Trainer, a SideBySide, a Comparison) has nothing left to train."""
    return live.finished


def advance(live: Steppable, budget: float = STEP_BUDGET_SECONDS) -> bool:
    """Train for about `budget` seconds and say whether live finished: one step measures the speed (a slow
    run must not overrun the budget), the next chunk fills the rest."""
    start, chunk = time.perf_counter(), 1
    while not finished(live):
        began = time.perf_counter()
        live.step(chunk)
        now = time.perf_counter()
        if now - start >= budget:
            break
        chunk = int(max(1, (budget - (now - start)) * chunk / max(now - began, 1e-6)))
    return finished(live)


def live_run(cfg: RunConfig, key: str = "run", playing_key: str = "playing") -> Trainer:
    """The visitor's own run of cfg under st.session_state[key]; a new config starts a new run, and the
    page says so. Pages with a run of their own pass their own keys."""
    run = st.session_state.get(key)
    if run is None or run.config != cfg:
        if run is not None:
            st.toast("Settings changed: the run starts over from step 0.")
        run = new_run(cfg)
        st.session_state[key], st.session_state[playing_key] = run, False
    return run


def play_live(playing_key: str, live: Callable[[], Steppable], draw: Callable[[], None]) -> None:
    """A page's live view: a fragment that, while st.session_state[playing_key], draws the current frame and
    then trains live() for the next.

    Drawing first lets the browser render one frame while the server trains the next; only the first
    frame after Play trains first, so that it already shows progress.
    """
    @st.fragment(run_every=FRAME_SECONDS if st.session_state.get(playing_key) else None)
    def live_view() -> None:
        playing, was_playing = st.session_state.get(playing_key), f"{playing_key}_last_frame"
        resumed = playing and not st.session_state.get(was_playing)
        st.session_state[was_playing] = playing
        done = resumed and advance(live(), STEP_BUDGET_SECONDS)
        began = time.perf_counter()
        guarded(draw, "Drawing the frame")
        if playing and not resumed and not done:
            done = advance(live(), training_budget(time.perf_counter() - began))
        if done:
            st.session_state[playing_key] = False
            st.rerun()  # the whole page: stops the timer, brings back the Play button, draws the last frame
    live_view()


def training_budget(drawing: float) -> float:
    """Seconds of training for a frame that took `drawing` seconds to draw: what TARGET_FRAME_SECONDS leaves."""
    return min(MAX_STEP_BUDGET_SECONDS, max(STEP_BUDGET_SECONDS, TARGET_FRAME_SECONDS - drawing - FRAME_MARGIN_SECONDS))


def train_with_progress(cfg: RunConfig, label: str = "Training") -> Trainer:
    """cfg trained to the end under a progress bar, once however many visitors ask: one trains, the others follow
    its progress; a visitor who leaves mid-way leaves the run where it stood for the next to carry on."""
    shared = caches.shared_run(cfg, data_for(cfg))
    run = shared.run
    if finished(run):  # nothing steps a finished run again: safe to read without the lock
        return run
    bar = st.progress(0.0, text=label)

    def show() -> None:
        bar.progress(run.step_count / cfg.steps, text=f"{label}: step {run.step_count:,} of {cfg.steps:,}")

    while not shared.lock.acquire(timeout=WAIT_SECONDS):
        show()  # another visitor trains it
    try:
        while not finished(run):
            run.step(max(cfg.steps // 50, 1))
            show()
    finally:
        shared.lock.release()
    bar.empty()
    return run


def run_controls(name: str, playing_key: str, live: Callable[[], Steppable], reset: Callable[[], None]):
    """Play / Pause / Step / Reset of the live view of live() whose flag is st.session_state[playing_key].

    Buttons are keyed `<name>_play` etc.; Step trains 100 generator steps. Returns the row's wide last column
    for the page's toggles.
    """
    done = finished(live())

    def play() -> None:
        st.session_state[playing_key] = not done

    def pause() -> None:
        st.session_state[playing_key] = False

    def step_once() -> None:
        pause()
        live().step(100)

    def start_over() -> None:
        pause()
        reset()

    buttons = st.columns([1, 1, 1, 5])
    if st.session_state.get(playing_key):
        buttons[0].button("Pause", on_click=pause, icon=":material/pause:", width="stretch", key=f"{name}_pause")
    else:
        buttons[0].button("Play", on_click=play, icon=":material/play_arrow:", width="stretch", type="primary",
                          disabled=done, key=f"{name}_play")
    buttons[1].button("Step", on_click=step_once, icon=":material/skip_next:", width="stretch", disabled=done,
                      help="Advance 100 generator steps", key=f"{name}_step")
    buttons[2].button("Reset", on_click=start_over, icon=":material/replay:", width="stretch", key=f"{name}_reset")
    return buttons[3]


def status_line(run: Trainer) -> None:
    """Progress bar and step counter; a clear message when training diverged."""
    cfg = run.config
    st.progress(min(run.step_count / cfg.steps, 1.0), text=f"Step {run.step_count:,} of {cfg.steps:,}")
    if run.status == "diverged":
        st.error(divergence_text(run))


def chart(altair_chart, width="stretch", **kwargs) -> None:
    st.altair_chart(altair_chart, width=width, **kwargs)


def draw(drawing: Drawing, width="stretch", **kwargs) -> None:
    """A chart module's Drawing (cached spec + this frame's datasets): no Altair on this path, so no schema
    validation and no lock shared by every session."""
    st.vega_lite_chart(spec=drawing.to_dict(), width=width, **kwargs)


def guarded(action: Callable[[], None], what: str) -> None:
    """Run a page section; any failure becomes a message, never a traceback for the visitor."""
    try:
        action()
    except Exception as problem:  # noqa: BLE001 - the page must survive anything the core raises
        st.error(f"{what} failed: {as_text(problem)}")
