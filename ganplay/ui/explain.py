"""The "how to read this" beside each chart: a small popover with the chart's text from ganplay.explanations."""
from __future__ import annotations

import streamlit as st

from ..explanations import explanation

LABEL = "How to read this"


def how_to_read(name: str, title: str | None = None) -> None:
    """A quiet "How to read this" button that opens the chart's explanation; with a title, the title in bold and
    the button on one line (the chart follows below). Opening it reruns nothing."""
    if title is None:
        return _popover(name)
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        st.markdown(f"**{title}**", width="content")
        _popover(name)


def _popover(name: str) -> None:
    with st.popover(LABEL, type="tertiary", icon=":material/help_outline:"):
        st.markdown(explanation(name))
