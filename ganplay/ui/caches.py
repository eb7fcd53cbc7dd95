"""What every visitor of one server process shares, in Streamlit's resource cache (per-key lock, entry bound).

Deterministic training makes sharing safe: the same config always gives the same run.
"""
from __future__ import annotations

import threading

import streamlit as st

from .. import RunConfig, Trainer, userdata
from ..datasets import Dataset


class SharedRun:
    """One run of a config for every visitor who asks; stepped by one thread at a time, under `lock`."""

    def __init__(self, run: Trainer):
        self.run, self.lock = run, threading.Lock()


@st.cache_resource(max_entries=12, show_spinner=False)
def shared_run(cfg: RunConfig, _data: Dataset | None) -> SharedRun:
    """The shared run of cfg, untrained when new (cfg carries own data's content hash, so _data need not be hashed)."""
    return SharedRun(Trainer(cfg, _data))


@st.cache_resource(max_entries=8, show_spinner=False)
def projections(data_id: str, _dataset: Dataset) -> list[userdata.Projection]:
    return userdata.projections(_dataset)  # keyed by the content hash, so safe to share
