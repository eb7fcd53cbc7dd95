"""The session state this package keeps, and the few readings of it every part needs.

Session state keys (all in one place):
  run_config   the visitor's RunConfig; survives page switches (widget state does not)
  run          the visitor's live run of run_config on the server's loop (live.LiveRun: its viewer's frame)
  playing      whether the live view advances on its timer
  live_session the session's name on the loop (live.session_owner); its runs go when its browser does
  settled_settings, live_view_inline  the settings as the last full run left them (live._keep_settled)
  cfg_<field>  the sidebar widget of one RunConfig field
  link_report  (config, ignored settings) of the link the session was opened with
  change_note  (config, what the page says of the change that made it: mid-run, or a new run and why); ui/midrun.py
  preset       the "Lesson preset" selectbox
  lesson       the chosen preset's name, kept across pages (widget state is not) and in classroom mode
  own_data     the visitor's own data (userdata.OwnData), uploaded or painted; never shared
  upload_table (file name, cells) of the last readable upload, for the label column choice
  painted      (x, y) of the painted points
  data_message (kind, text): what the last upload or paint stroke did
  picture_report  (key, DigitReport, step): the Playground's last count of its generated digits
  collapse_digit_runs  the digit comparisons a visitor asked the mode-collapse page to train
  other widgets: upload, upload_label, paint_canvas, projection, classroom_fields, own_data_open, take_away_open
"""
from __future__ import annotations

import streamlit as st

from .. import DATASETS, RunConfig, userdata

PREFIX = "cfg_"


def own() -> userdata.OwnData | None:
    return st.session_state.get("own_data")


def labelled(dataset: str) -> bool:
    data = own()
    return data is not None and data.dataset.y is not None if dataset == "csv" else DATASETS[dataset].labelled


def swap_recipe(previous: tuple[str, str] | None) -> None:
    """From callbacks: leave the recipe (DatasetSpec.recipe) of the previous (dataset, variant) and take the chosen
    one's. A recipe sets only the fields still at their defaults, and leaving it puts back to the default only
    the fields still at its values: settings the visitor chose stay theirs."""
    variant = st.session_state[PREFIX + "variant"]
    defaults = RunConfig(variant=variant)
    if previous is not None:
        for field, value in DATASETS[previous[0]].recipe(previous[1]).items():
            if st.session_state.get(PREFIX + field) == value:
                st.session_state[PREFIX + field] = getattr(defaults, field)
    for field, value in DATASETS[st.session_state[PREFIX + "dataset"]].recipe(variant).items():
        if st.session_state.get(PREFIX + field, getattr(defaults, field)) == getattr(defaults, field):
            st.session_state[PREFIX + field] = value


def previous_choice() -> tuple[str, str] | None:
    """The (dataset, variant) of the config before this change."""
    cfg = st.session_state.get("run_config")
    return None if cfg is None else (cfg.dataset, cfg.variant)


def on_dataset_change() -> None:
    """A new dataset brings its own spread and its recommended settings (swap_recipe), and turns the conditional
    GAN off when it has no labels."""
    name = st.session_state[PREFIX + "dataset"]
    st.session_state[PREFIX + "noise"] = DATASETS[name].default_noise
    swap_recipe(previous_choice())
    if not labelled(name):
        st.session_state[PREFIX + "conditional"] = False
