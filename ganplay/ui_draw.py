"""Drawing a chart module's Drawing (cached spec + this frame's datasets) with Streamlit.

(The lead moves this into the ui package on merge.)
"""
from __future__ import annotations

import streamlit as st

from .charts import Drawing


def draw(drawing: Drawing, width="stretch", **kwargs) -> None:
    """One chart: no Altair on this path, so no schema validation and no lock shared by every session."""
    st.vega_lite_chart(spec=drawing.to_dict(), width=width, **kwargs)
