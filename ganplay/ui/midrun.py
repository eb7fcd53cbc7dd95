"""Changing the game mid-run in the page: the sidebar's change classified (ganplay/schedule.py), what the page says
about it, and the run's schedule listed under its loss chart."""
from __future__ import annotations

import streamlit as st

from .. import RunConfig, schedule
from .text import as_text

NOTE = "change_note"  # session state: (config, what the page says of the change that made it)
STARTS_OVER = "Settings changed: the run starts over from step 0."


def follow(previous: RunConfig, shown: RunConfig) -> RunConfig:
    """The run's config once the sidebar shows `shown`: mid-run fields continue the visitor's run with a change
    at the step they see; anything else makes a new run. The note for the page is kept with it."""
    run = st.session_state.get("run")
    step = run.step_count if run is not None and run.config == previous and not run.finished else None
    cfg, note = schedule.follow(previous, shown, step)
    if cfg != previous:
        st.session_state[NOTE] = (cfg, note or STARTS_OVER)
    return cfg


def change_note(cfg: RunConfig) -> str:
    """What the page says of the change that made cfg's run (the toast when the visitor's run changes)."""
    made, note = st.session_state.get(NOTE, (None, STARTS_OVER))
    return note if made == cfg else STARTS_OVER


def schedule_list(cfg: RunConfig) -> None:
    """Under the loss chart: the kind of the last change, and every change of the run's schedule with its values."""
    made, note = st.session_state.get(NOTE, (None, None))
    if made == cfg and note != STARTS_OVER:
        st.caption(as_text(note))
    if cfg.schedule:
        st.markdown("**Changes mid-run**\n" + "\n".join(f"- step {step:,}: {as_text(what)}"
                                                         for step, what in schedule.marks(cfg)))
