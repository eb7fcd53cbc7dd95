"""The visitor's live runs on the server's training loop (ganplay.live): Play / Pause / Step / Reset, the live
view that only reads and draws frames, finished runs under a progress bar, the status line.

Sessions never train: the loop's thread steps every watched run, one thread per run, and a session's fragment
reads its viewer's latest frame. A session's runs are released when its browser disconnects.
"""
from __future__ import annotations

import uuid
from contextlib import contextmanager
from typing import Callable, Iterator

import streamlit as st
from streamlit.logger import get_logger

from .. import Dataset, RunConfig, Trainer
from ..charts import Drawing
from ..config import widgets
from ..live import LiveLimit, Viewer
from ..recording import LiveFrame
from . import caches, midrun
from .caches import FRAME_SECONDS
from .own_data import data_for
from .state import PREFIX
from .text import as_text, divergence_text

STEP_SECONDS = 30.0  # the longest Step waits for the loop
SETTING_KEYS = tuple(PREFIX + name for name in widgets())  # the sidebar's widgets of RunConfig fields
SETTLED, INLINE = "settled_settings", "live_view_inline"  # session-state keys of _keep_settled


LOG = get_logger(__name__)


def _release(owner: str) -> None:
    caches.live_loop().release(owner)
    LOG.info("a session ended: its live runs were released")  # the browser tests read this in the server's log


@st.cache_resource(scope="session", on_release=_release, show_spinner=False)
def _released_with_the_session(owner: str) -> str:
    """Streamlit releases a session's resources when its browser disconnects: the owner's runs go at once (a
    session that reconnects registers again; its viewers re-attach when read)."""
    return owner


def session_owner() -> str:
    """This session's name on the loop, kept in its state so that a reconnected session keeps its runs."""
    owner = st.session_state.setdefault("live_session", uuid.uuid4().hex)
    _released_with_the_session(owner)
    return owner


class LiveRun:
    """A session's run on the loop, read as a run: the frame it shows, and the run itself, read while nobody
    steps it (sample, export; it may stand ahead of the frame when other visitors train it on)."""

    def __init__(self, viewer: Viewer):
        self.viewer = viewer

    @property
    def config(self) -> RunConfig:
        return self.viewer.config

    @property
    def frame(self) -> LiveFrame:
        return self.viewer.frame

    @property
    def step_count(self) -> int:
        return self.viewer.frame.step

    @property
    def finished(self) -> bool:
        return self.viewer.frame.finished

    @property
    def data(self) -> Dataset:
        """Read on every frame: without holding the run, which would contend with the loop stepping it."""
        return self.viewer.run_data()

    @contextmanager
    def holding(self) -> Iterator[Trainer]:
        with self.viewer.holding() as run:
            yield run

    def __getattr__(self, name: str):
        """Anything else a run offers (data, sample, history, generator_state), with nobody stepping it."""
        with self.holding() as run:
            value = getattr(run, name)
        if not callable(value):
            return value

        def held(*args, **kwargs):
            with self.holding() as run:
                return getattr(run, name)(*args, **kwargs)
        return held


def live_run(cfg: RunConfig | caches.Comparing, key: str = "run", playing_key: str = "playing") -> LiveRun:
    """The visitor's run of cfg on the loop, kept under st.session_state[key] (the loop's slot of that name); a
    new config starts from step 0, and the page says so."""
    known = st.session_state.get(key)
    if known is None or known.config != cfg:
        if known is not None:
            st.toast(as_text(midrun.change_note(cfg)))  # mid-run, or a new run and why
        data = data_for(cfg) if isinstance(cfg, RunConfig) else None
        try:
            viewer = caches.live_loop().watch(session_owner(), cfg, data, slot=key)
        except (LiveLimit, ValueError) as problem:
            st.error(as_text(problem))
            st.stop()
        st.session_state[key] = LiveRun(viewer)
        st.session_state[playing_key] = False
    return st.session_state[key]


def _settle_widgets() -> None:
    """After a full run's sidebar: the settings' widget values as this run left them (see _keep_settled)."""
    st.session_state[SETTLED] = {key: st.session_state[key] for key in SETTING_KEYS if key in st.session_state}
    st.session_state[INLINE] = True  # the live view's next run is this full run's own call of it


def _keep_settled() -> None:
    """Undo what a timer's fragment run brought back from the browser's past.

    The browser sends every widget's value with each timer tick of the live view. A tick sent before the browser
    received a full run's settings carries their old values, and Streamlit applies them over what that run's
    callbacks wrote (a variant's recipe, the own data selected by an upload). A setting the visitor changes
    always comes in a full run, so a setting that differs from the last full run's in a fragment run is such a
    stale value: put it back."""
    if st.session_state.pop(INLINE, False):
        return
    for key, value in st.session_state.get(SETTLED, {}).items():
        if key in st.session_state and st.session_state[key] != value:
            st.session_state[key] = value


def play_live(playing_key: str, live: Callable[[], LiveRun], draw: Callable[[LiveFrame], None]) -> None:
    """A page's live view: a fragment that reads live()'s latest frame (playing, the loop trains it meanwhile)
    and draws it; at the run's end it stops and redraws the page."""
    _settle_widgets()
    timed = bool(st.session_state.get(playing_key))  # this page's buttons and timer say playing

    @st.fragment(run_every=FRAME_SECONDS if timed else None)
    def live_view() -> None:
        _keep_settled()
        playing = bool(st.session_state.get(playing_key))
        if timed and not playing:
            # a Pause whose callback ran within a timer's fragment run (under load the two meet): without a full
            # run the page would go on showing Pause, its timer ticking over a paused run
            st.rerun()
        try:
            shown = live().viewer.read(playing)
        except (LiveLimit, RuntimeError) as problem:
            st.session_state[playing_key] = False
            st.error(as_text(problem))
            return
        guarded(lambda: draw(shown), "Drawing the frame")
        if playing and shown.finished:
            st.session_state[playing_key] = False
            st.rerun()  # the whole page: stops the timer, brings back the Play button, draws the last frame
    live_view()


def train_with_progress(cfg: RunConfig, label: str = "Training") -> Trainer | None:
    """cfg trained to the end on the loop under a progress bar: one training however many visitors ask, stopped
    when none waits any more, refused (with a message naming the bound) when it would cost too long."""
    bar = st.progress(0.0, text=label)

    def show(step: int, steps: int) -> None:
        bar.progress(step / steps, text=f"{label}: step {step:,} of {steps:,}")

    try:
        run = caches.live_loop().train_to_end(cfg, data_for(cfg), show, max_seconds=caches.FINISHED_RUN_SECONDS)
    except (LiveLimit, RuntimeError) as problem:
        bar.empty()
        st.error(as_text(problem))
        return None
    bar.empty()
    return run


def run_controls(name: str, playing_key: str, live: Callable[[], LiveRun]):
    """Play / Pause / Step / Reset of the live view of live() whose flag is st.session_state[playing_key].

    Buttons are keyed `<name>_play` etc.; Step moves 100 generator steps on (the loop trains them if need be),
    Reset goes back to step 0 of the same run's recording (a config's training is deterministic: a new run
    would redo the same frames). Returns the row's wide last column for the page's toggles.
    """
    done = live().finished

    def play() -> None:
        st.session_state[playing_key] = not done

    def pause() -> None:
        st.session_state[playing_key] = False
        live().viewer.pause()

    def step_once() -> None:
        pause()
        live().viewer.step(100, STEP_SECONDS)

    def start_over() -> None:
        pause()
        live().viewer.reset()

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


def status_line(step: int, cfg: RunConfig, diverged_at: int | None = None) -> None:
    """Progress bar and step counter; a clear message when training diverged."""
    st.progress(min(step / cfg.steps, 1.0), text=f"Step {step:,} of {cfg.steps:,}")
    if diverged_at is not None:
        st.error(divergence_text(cfg, diverged_at))


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
