"""Under the hood: the live run's gradient norms and D's largest singular values, behind a toggle.

The readings come from the visitor's private replay of the run (ganplay.hood.Trace), which follows the step the
live view shows, at most REPLAY_BUDGET steps per redraw: the shared run is never slowed by them.
Session state: under_the_hood (the toggle), hood_trace ((config, Trace)).
"""
from __future__ import annotations

from typing import Callable

import streamlit as st

from .. import RunConfig
from ..hood import Trace
from ..hood_charts import grad_norm_chart, sigma_chart
from .explain import how_to_read
from .live import LiveRun, guarded
from .own_data import data_for

TOGGLE, TRACE = "under_the_hood", "hood_trace"
REPLAY_BUDGET = 400  # generator steps a redraw replays: a default run's trace catches up within a few seconds
FOLLOW_SECONDS = 1.0


def _trace(cfg: RunConfig) -> Trace:
    known = st.session_state.get(TRACE)
    if known is None or known[0] != cfg:
        known = (cfg, Trace(cfg, data_for(cfg)))
        st.session_state[TRACE] = known
    return known[1]


def hood_section(cfg: RunConfig, live: Callable[[], LiveRun], playing_key: str = "playing") -> None:
    """The "Under the hood" toggle and, when on, its two charts, following the live view's step."""
    if not st.toggle("Under the hood", key=TOGGLE,
                     help="Gradient norms of G and D per generator step, and D's largest singular values"):
        st.session_state.pop(TRACE, None)
        return
    follows = bool(st.session_state.get(playing_key)) or _trace(cfg).step < live().step_count

    @st.fragment(run_every=FOLLOW_SECONDS if follows else None)
    def charts() -> None:
        guarded(lambda: _charts(cfg, live, playing_key, follows), "Under the hood")

    charts()


def _charts(cfg: RunConfig, live: Callable[[], LiveRun], playing_key: str, ticking: bool) -> None:
    shown = live().step_count
    trace = _trace(cfg)
    caught_up = trace.follow(shown, REPLAY_BUDGET)
    if ticking and caught_up and not st.session_state.get(playing_key):
        st.rerun()  # the whole page, which stops this timer
    readings = trace.readings(upto=shown)
    if readings.norms.empty:
        st.caption("Nothing to read before the first step: press Play or Step.")
        return
    if not caught_up:
        st.caption(f"Reading the run's gradients: step {trace.step:,} of the {shown:,} shown.")
    left, right = st.columns(2)
    with left:
        how_to_read("grad_norms")
        st.altair_chart(grad_norm_chart(readings.norms, readings.trains_critic))
    with right:
        how_to_read("sigma")
        st.altair_chart(sigma_chart(readings.sigmas, readings.spectral_norm, readings.sigma_every))
    st.caption(
        "Norms over all of a player's weights and biases, of the gradient of its last update in each generator "
        "step (D's: its last critic step's, penalties included, before any clipping). σ_max per layer of D as "
        "it is applied, and their product, a bound on D's Lipschitz constant"
        + (": spectral normalisation keeps each layer near 1 (a little above: one power iteration a step lags D's "
           "changing weights)." if readings.spectral_norm else ".")
        + ("" if readings.trains_critic else " MMD has no D to train: only G's norm is drawn.")
        + " Read on a private replay of the run (training is deterministic), so the shared run is not slowed.")
