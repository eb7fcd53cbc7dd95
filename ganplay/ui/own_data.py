"""The visitor's own data: upload a CSV or paint blobs; it becomes the dataset "Your own data" in the sidebar."""
from __future__ import annotations

import numpy as np
import streamlit as st

from .. import RunConfig, Trainer, charts, userdata
from ..config import clip
from ..datasets import Dataset
from . import caches, links
from .explain import how_to_read
from .state import PREFIX, on_dataset_change, own
from .text import as_text


def caption(data: userdata.OwnData) -> str:
    dataset = data.dataset
    labels = f", {dataset.n_classes} label{'s' * (dataset.n_classes != 1)}" if dataset.y is not None else ", no labels"
    return (f"{data.source}: {len(dataset.x):,} rows × {dataset.dim} columns{labels}. "
            "Trained standardised, shown in its units.")


def _use_own(data: userdata.OwnData) -> None:
    """Make data the visitor's own and select it (from callbacks, before the sidebar is drawn)."""
    st.session_state.own_data = data
    st.session_state[PREFIX + "dataset"] = "csv"
    on_dataset_change()


def _on_upload() -> None:
    file = st.session_state.upload
    st.session_state.pop("upload_table", None)
    if file is None:
        return
    name = clip(file.name)  # a visitor's file name, in every message and caption
    try:
        table = userdata.read_table(file.getvalue(), name)
    except ValueError as problem:
        st.session_state.data_message = ("error", f"{problem}. Your previous data is kept.")
        return
    st.session_state.upload_table = (name, table)
    st.session_state.upload_label = userdata.suggested_label(table)
    _use_upload()


def _use_upload() -> None:
    name, table = st.session_state.upload_table
    label = st.session_state.upload_label
    try:
        data = userdata.table_to_data(table, label, name)
    except ValueError as problem:
        st.session_state.data_message = ("error", f"{problem}. Your previous data is kept.")
        return
    _use_own(data)
    st.session_state.data_message = ("success", f"Training on {caption(data)}"
                                     + "".join(f"\n\n{note[0].upper()}{note[1:]}." for note in data.notes))


def _painted() -> tuple[np.ndarray, np.ndarray]:
    return st.session_state.get("painted", (np.zeros((0, 2)), np.zeros(0, dtype=int)))


def _on_paint() -> None:
    box = st.session_state.paint_canvas.selection.get("brush", {})
    if "x" not in box or "y" not in box:
        return
    try:
        x, y = userdata.paint_blob(*_painted(), (*box["x"], *box["y"]))
    except ValueError as problem:
        st.session_state.data_message = ("error", str(problem))
        return
    st.session_state.painted = (x, y)
    _use_own(userdata.painted_data(x, y))
    st.session_state.data_message = ("success", f"Training on {caption(own())}")


def _clear_paint() -> None:
    st.session_state.pop("painted", None)
    if own() is not None and own().source == "painted":
        del st.session_state.own_data
    st.session_state.pop("data_message", None)


def own_data_section() -> None:
    """Upload a CSV or paint blobs; the result becomes the dataset 'Your own data' in the sidebar."""
    if "dataset" in links.classroom()[0]:
        return
    box = st.expander("Your own data: upload a CSV or paint points", icon=":material/upload_file:",
                      key="own_data_open", on_change="rerun")
    if not box.open:
        _data_message(st, errors_only=True)  # a refused upload stays said once the expander is closed
        return
    upload, paint = box.tabs(["Upload a CSV", "Paint"])
    with upload:
        st.file_uploader(f"A CSV file of at most {userdata.MAX_UPLOAD_MB} MB with a header row: 2 to 16 numeric "
                         "columns, up to 50,000 rows, optionally a label column", type="csv", key="upload",
                         on_change=_on_upload)
        if "upload_table" in st.session_state:
            st.selectbox("Label column (optional: makes a conditional GAN possible)",
                         [None, *st.session_state.upload_table[1].columns], key="upload_label",
                         format_func=lambda c: "no labels" if c is None else clip(str(c)), on_change=_use_upload)
    with paint:
        x, y = _painted()
        st.caption("Drag a rectangle on the canvas: a blob of 200 points appears there. Each blob is a label.")
        how_to_read("paint_canvas")
        st.altair_chart(charts.paint_canvas(x, y, userdata.PAINT_WINDOW), key="paint_canvas", on_select=_on_paint,
                        selection_mode="brush", width="content")
        st.button("Clear the painting", on_click=_clear_paint, disabled=not len(x), icon=":material/delete:")
    _data_message(box)


def _data_message(where, errors_only: bool = False) -> None:
    """The last upload's or painting's outcome, its visitor-made parts (file and column names) as text."""
    kind, text = st.session_state.get("data_message", (None, ""))
    if kind == "error" or (kind and not errors_only):
        (where.error if kind == "error" else where.success)("\n\n".join(map(as_text, text.split("\n\n"))))


def data_for(cfg: RunConfig) -> Dataset | None:
    """The data a run of cfg trains on when it is not a registered dataset's sample."""
    return own().dataset if cfg.dataset == "csv" else None


def projection(run: Trainer) -> userdata.Projection | None:
    """For data with more than two columns: which plane to draw it on (PCA or a pair of columns); pictures
    are drawn as pictures, on no plane."""
    if run.data.dim <= 2 or run.data.is_image:
        return None
    cfg = run.config
    options = caches.projections((cfg.dataset, cfg.n, cfg.noise, cfg.data_seed, cfg.data_id), run.data)
    index = st.selectbox("Draw through", range(len(options)), format_func=lambda i: options[i].title,
                         key="projection", help="The data has more than two columns: choose the plane to look at.")
    return options[min(index, len(options) - 1)]
