"""Continue a saved run: upload a run file (ganplay.checkpoint, made by "Take it away") and train it on, walk its
latent space or ask it for labels. The loaded run is the visitor's own: it lives on the loop under a key of its
own (the file's hash and the session), never as the shared run of its config, which another visitor may watch.
A refused file changes nothing: the run and the settings stay as they were, and the page says why.
"""
from __future__ import annotations

import hashlib

import streamlit as st

from .. import checkpoint
from ..config import clip, widgets
from ..live import LiveLimit
from ..userdata import OwnData
from . import caches, links
from .live import LiveRun, session_owner
from .state import PREFIX
from .text import as_text

UPLOAD_MB = checkpoint.MAX_FILE_BYTES // 2 ** 20 + 8  # above the bound, so that a larger file hears ours


def continue_saved_run(slot: str = "run", playing_key: str = "playing", conditional: bool = False) -> None:
    """The uploader of a run file for the page's live run in `slot`; conditional: the page takes only
    conditional runs (the Conditional GAN page)."""
    if links.classroom()[0]:  # a file brings every setting: not where a teacher left only some to change
        return
    box = st.expander("Continue a saved run", icon=":material/upload_file:", key=f"{slot}_file_open",
                      on_change="rerun")
    message = st.session_state.get(f"{slot}_file_message")
    if box.open:
        _uploader(box, slot, playing_key, conditional)
    if message is not None:  # outside the expander: it stays in view when the box is closed
        (st.success if message[0] == "success" else st.error)(message[1], icon=":material/upload_file:")


def _uploader(box, slot: str, playing_key: str, conditional: bool) -> None:
    box.file_uploader("A run file (.pt) saved with “Run (continue later)”", type=["pt"], key=f"{slot}_file",
                      on_change=_on_file, args=(slot, playing_key, conditional), max_upload_size=UPLOAD_MB,
                      help=f"At most {checkpoint.MAX_FILE_BYTES // 2 ** 20} MB. The run goes on from where it "
                           "was saved, as your own: changing a setting starts a new run.")


def _on_file(slot: str, playing_key: str, conditional: bool) -> None:
    file = st.session_state.get(f"{slot}_file")
    if file is None:
        return
    name, blob = clip(file.name), file.getvalue()
    try:
        run = checkpoint.load_run(blob)
        if conditional and not run.config.conditional:
            raise ValueError("it is not a conditional run: continue it on the Playground")
        viewer = _watch(run, blob, slot)
    except (ValueError, LiveLimit) as problem:
        st.session_state[f"{slot}_file_message"] = (
            "error", f"{as_text(name)} was refused: {as_text(problem)}. Your run and settings are unchanged.")
        return
    st.session_state[slot], st.session_state[playing_key] = LiveRun(viewer), False
    _take_settings(run)
    st.session_state[f"{slot}_file_message"] = (
        "success", f"Loaded {as_text(name)}: {checkpoint.describe(run)}. Press Play to train it on; it is your own "
                   "run (changing a setting starts a new one).")


def _watch(run, blob: bytes, slot: str):
    """The session's viewer of the loaded run, under its own key; re-made from the file if the loop let it go."""
    owner = session_owner()
    tag = f"file {hashlib.sha256(blob).hexdigest()[:16]} of {owner}"
    made = [run]
    return caches.live_loop().watch(owner, run.config, run.data, slot=slot,
                                    private=(tag, lambda: made.pop() if made else checkpoint.load_run(blob)))


def _take_settings(run) -> None:
    """The sidebar set to the run's settings (its data the visitor's own, if it brought some), so that the
    page's config is the loaded run's."""
    cfg = run.config
    if cfg.dataset == "csv":
        st.session_state.own_data = OwnData(run.data, "from a saved run")
    for name in widgets():
        st.session_state[PREFIX + name] = getattr(cfg, name)
    st.session_state.run_config = cfg
    st.session_state.preset = st.session_state.lesson = None
    st.session_state.pop("latent_finish", None)  # the Latent walk walks this run, not the shared one
