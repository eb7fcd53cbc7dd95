"""Slow motion on a page's live run: one round a stage at a time, or one player at a time, on the visitor's private
fork of the run at the step they see (ganplay.slowmo). The shared run, which every visitor of the link watches,
never changes; while slow motion is on the live play is paused.

Session state: slow_motion (the toggle), slowmo_fork ((config, SlowMotion)). A page switch drops the toggle's
state, and with it the fork: slow motion then starts again from the shared run.
"""
from __future__ import annotations

from typing import Callable

import streamlit as st

from .. import RunConfig
from ..frames import Plane
from ..slowmo import SlowMotion, Stage, fork_at, replay
from ..slowmo_charts import change_view, latent_view, stage_view
from .explain import how_to_read
from .live import LiveRun, guarded
from .text import as_text

TOGGLE, FORK, REFUSED = "slow_motion", "slowmo_fork", "slowmo_refused"
CHART_SIZE = 170  # three panels side by side beside the list of stages


def _pause(playing_key: str, live: Callable[[], LiveRun]) -> None:
    st.session_state[playing_key] = False
    live().viewer.pause()


def _fork(cfg: RunConfig, live: Callable[[], LiveRun], plane: Plane | None) -> SlowMotion:
    """The visitor's fork: kept while the config stays and the visitor has moved it, else taken again from the
    shared run at the step the live view shows (a fork nobody moved follows the live view's Step and Reset)."""
    known = st.session_state.get(FORK)
    shown = live().step_count
    if known is not None and known[0] == cfg and (known[1].d_updates or known[1].g_updates or
                                                  known[1].base_step == shown):
        known[1].plane = plane
        return known[1]
    with st.spinner(f"Copying the run at step {shown:,}"):
        with live().holding() as run:  # the loop waits meanwhile: copy only, never replay, while holding it
            copy = fork_at(run, shown) if run.step_count == shown and run.diverged_at is None else None
            config, data = run.config, run.data
        slow = SlowMotion(copy if copy is not None else replay(config, data, shown), plane)
    st.session_state[FORK] = (cfg, slow)
    return slow


def _act(action: str) -> None:
    """A button's move on the fork (a callback: the page then draws what it did); a refusal is a message."""
    known = st.session_state.get(FORK)
    if known is None:
        return
    try:
        getattr(known[1], action)()
    except ValueError as problem:
        st.session_state[REFUSED] = str(problem)


def _copy_again() -> None:
    st.session_state.pop(FORK, None)


def _stage_list(slow: SlowMotion) -> str:
    """The round's stages in order, the one just shown in bold and the next one marked."""
    rows = []
    for index, label in enumerate(slow.labels):
        mark = "**" if index == slow.shown_index else ""
        shown = label.replace(". ", "\\. ", 1)  # "4. D's update" in a bullet would start a numbered list
        rows.append(f"- {mark}{shown}{mark}" + (" ← next" if slow.in_round and index == slow.next_index else ""))
    return "\n".join(rows)


def _draw_stage(slow: SlowMotion, stage: Stage | None, pictures: bool) -> None:
    if stage is None:
        st.caption("Press **Next stage** to start a round, or move one player.")
        if not pictures:
            how_to_read("stage_view")
            st.altair_chart(stage_view(Stage(0, "now", "", "", slow.frame()), size=2 * CHART_SIZE), width="content")
        return
    st.markdown(f"**{stage.label}.** {stage.says}")
    if pictures:
        return st.caption("On pictures the stages are told in numbers; the live view shows the digits.")
    if stage.before is not None:
        change = change_view(stage, CHART_SIZE) if stage.number == 4 else None
        columns = st.columns(3 if change is not None else 2)
        for column, moment in zip(columns, ("before", "after")):
            with column:
                how_to_read("stage_before_after")
                st.altair_chart(stage_view(stage, moment, CHART_SIZE), width="content")
        if change is not None:
            with columns[2]:
                how_to_read("stage_change")
                st.altair_chart(change, width="content")
    else:
        left, right = st.columns([3, 2])
        with left:
            how_to_read("stage_view")
            st.altair_chart(stage_view(stage, size=2 * CHART_SIZE), width="content")
        if stage.number == 1 and stage.batch is not None:
            with right:
                how_to_read("stage_latent")
                st.altair_chart(latent_view(stage.batch), width="content")


def slow_motion_section(cfg: RunConfig, live: Callable[[], LiveRun], playing_key: str = "playing",
                        plane: Plane | None = None) -> None:
    """The slow-motion toggle and, when on, its controls and the stage view, under a page's live view."""
    if st.session_state.get(playing_key) and st.session_state.get(TOGGLE):
        st.session_state[TOGGLE] = False  # Play resumes the shared run: slow motion closes
    on = st.toggle("Slow motion", key=TOGGLE, on_change=_pause, args=(playing_key, live),
                   help="Walk through one round a stage at a time, or move one player, on a private copy of the run")
    if not on:
        st.session_state.pop(FORK, None)
        return
    guarded(lambda: _section(cfg, live, plane), "Slow motion")


def _section(cfg: RunConfig, live: Callable[[], LiveRun], plane: Plane | None) -> None:
    slow = _fork(cfg, live, plane)
    buttons = st.columns([2, 1, 1, 1, 1])
    label = f"Next stage: {slow.next_label}" if slow.in_round else "Next stage"
    for column, (action, text, disabled) in zip(buttons, (
            ("advance", label, not slow.playable), ("step_d", "Step only D", slow.in_round),
            ("step_g", "Step only G", slow.in_round), ("one_round", "One round", not slow.playable))):
        column.button(text, on_click=_act, args=(action,), disabled=disabled, key=f"slowmo_{action}",
                      type="primary" if action == "advance" else "secondary", width="stretch")
    buttons[4].button("Copy again", on_click=_copy_again, key="slowmo_again", width="stretch",
                      help="Drop this copy and copy the shared run afresh, at the step the live view shows")
    if REFUSED in st.session_state:
        st.warning(as_text(st.session_state.pop(REFUSED)))
    st.caption(
        f"Your private copy of the run at step {slow.base_step:,}: visitors of this link see the shared run, "
        f"unchanged. Here: generator step {slow.run.step_count:,}; D updated {slow.d_updates}×, G {slow.g_updates}×, "
        f"{slow.alone} of those alone (a step of one player alone is no generator step: the count stays). "
        "Play closes slow motion; a page switch drops the copy.")
    if not slow.playable:
        st.info(f"The run is {slow.run.status}: no round is left to play.")
    stages, view = st.columns([1, 4])
    stages.markdown("**One round, stage by stage**\n\n" + _stage_list(slow))
    with view:
        _draw_stage(slow, slow.stage, slow.run.data.is_image)
