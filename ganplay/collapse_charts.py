"""Charts of the mode-collapse page: specs built once per view, per frame the tidy frames of ganplay.collapse.

No Streamlit and no torch: a variant's title and colour come in from the page (variant_colours). Every
layer reads a named dataset: a cached spec holds no data.
"""
from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Sequence

import altair as alt
import numpy as np
import pandas as pd

from .charts import FAKE, REAL, Drawing
from .frames import Extent
from .metrics import REFERENCE_SAMPLES

if TYPE_CHECKING:
    from .variants import Variant

QUALITY_STDS = 3.0  # the rings are metrics.mode_report's high-quality zone
HEIGHT = 320  # Streamlit fits legend and axes inside the height: this leaves about 200 px of plot
Colours = tuple[tuple[str, str], ...]  # (title, colour) of each variant shown, in order: hashable, for the caches


def variant_colours(variants: Sequence["Variant"]) -> Colours:
    """Each variant's title (the frames' `variant` column) and its chart colour."""
    return tuple((v.title, v.colour) for v in variants)


def _scale(colours: Colours) -> alt.Scale:
    return alt.Scale(domain=[title for title, _ in colours], range=[colour for _, colour in colours])


@functools.lru_cache(maxsize=32)
def mode_grid_spec(extent: Extent, ring: float, panels: int, size: int = 205) -> dict:
    """One scatter per variant (dataset "panels": kind, panel, order, x, y, captured, mode, count) over the
    same window; each mode a ring `ring` pixels across, filled once captured. One faceted spec: one chart."""
    base = alt.Chart().encode(
        x=alt.X("x:Q", title=None, scale=alt.Scale(domain=[extent.xmin, extent.xmax], nice=False)),
        y=alt.Y("y:Q", title=None, scale=alt.Scale(domain=[extent.ymin, extent.ymax], nice=False)))
    samples = base.transform_filter("datum.kind == 'generated'").mark_circle(
        size=10, opacity=0.6, color=FAKE, clip=True)
    rings = base.transform_filter("datum.kind == 'mode'").mark_point(
        shape="circle", size=max(ring, 6) ** 2, strokeWidth=2, color=REAL, fillOpacity=0.6).encode(
        fill=alt.condition("datum.captured", alt.value(REAL), alt.value("transparent")),
        tooltip=["mode:Q", alt.Tooltip("count:Q", title="high-quality samples")])
    header = alt.Header(labelFontSize=14, labelColor="#212529")
    # the panel titles carry this frame's counts: sorted by the variants' order, not by their text
    facet = alt.Facet("panel:N", sort=alt.EncodingSortField("order", op="min"), title=None, header=header)
    return alt.layer(samples, rings, data=alt.NamedData("panels")).properties(width=size, height=size).facet(
        facet=facet, columns=panels).to_dict()


def mode_grid(points: pd.DataFrame, modes: pd.DataFrame, extent: Extent, std: float, size: int = 205) -> Drawing:
    """collapse.points_frame and collapse.modes_frame as one panel per variant, titled with its modes."""
    ring = 2 * QUALITY_STDS * std / (extent.xmax - extent.xmin) * size  # diameter in pixels
    tally = modes.groupby("variant", sort=False).captured.agg(["sum", "size"])
    titles = {variant: f"{variant}: {int(row['sum'])} of {int(row['size'])} modes"
              for variant, row in tally.iterrows()}
    order = {variant: k for k, variant in enumerate(titles)}
    frame = pd.concat([points[["variant", "x", "y"]].assign(kind="generated"),
                       modes[["variant", "x", "y", "mode", "count", "captured"]].assign(kind="mode")], ignore_index=True)
    # the smallest types that hold them: four panels of 600 points are sent every frame
    frame = frame.assign(panel=frame.variant.map(titles), order=frame.variant.map(order).astype(np.int8)).drop(
        columns="variant").astype({"mode": "Int8", "count": "Int16"})
    return Drawing(mode_grid_spec(extent, round(ring, 3), len(titles), size), {"panels": frame})


def _track_lines(colours: Colours, y: alt.Y, height: int) -> alt.Chart:
    return alt.Chart(alt.NamedData("track")).mark_line(strokeWidth=2).encode(
        x=alt.X("step:Q", title="generator step", axis=alt.Axis(format=",d")), y=y,
        # two legend columns: four titles then fit in a third of the page
        color=alt.Color("variant:N", scale=_scale(colours), title=None, legend=alt.Legend(orient="top", columns=2)),
        tooltip=["variant:N", "step:Q", alt.Tooltip(y.shorthand, format=".3~f")]).properties(height=height)


@functools.lru_cache(maxsize=32)
def modes_track_spec(colours: Colours, modes: int, height: int = HEIGHT) -> dict:
    y = alt.Y("modes_captured:Q", title="modes captured", scale=alt.Scale(domain=[0, modes]),
              axis=alt.Axis(tickMinStep=1))
    return _track_lines(colours, y, height).mark_line(strokeWidth=2, interpolate="step-after").to_dict()


@functools.lru_cache(maxsize=32)
def quality_track_spec(colours: Colours, height: int = HEIGHT) -> dict:
    y = alt.Y("high_quality_share:Q", title="high-quality share", scale=alt.Scale(domain=[0, 1]),
              axis=alt.Axis(format="%"))
    return _track_lines(colours, y, height).to_dict()


def modes_track_chart(track: pd.DataFrame, colours: Colours, modes: int, height: int = HEIGHT) -> Drawing:
    """Modes captured over generator steps (collapse.track_frame), one line per variant."""
    return Drawing(modes_track_spec(colours, modes, height), {"track": track})


def quality_track_chart(track: pd.DataFrame, colours: Colours, height: int = HEIGHT) -> Drawing:
    """High-quality share (samples within 3σ of a mode) over generator steps, one line per variant."""
    return Drawing(quality_track_spec(colours, height), {"track": track})


@functools.lru_cache(maxsize=32)
def counts_spec(colours: Colours, height: int = HEIGHT) -> dict:
    """Datasets "modes" (variant, mode, count) and "threshold" (its count)."""
    bars = alt.Chart(alt.NamedData("modes")).mark_bar().encode(
        x=alt.X("mode:O", title="mode", axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("variant:N", sort=[title for title, _ in colours]),
        y=alt.Y("count:Q", title=f"high-quality samples (of {REFERENCE_SAMPLES:,})"),
        color=alt.Color("variant:N", scale=_scale(colours), title=None, legend=alt.Legend(orient="top")),
        tooltip=["variant:N", "mode:O", "count:Q"])
    threshold = alt.Chart(alt.NamedData("threshold")).mark_rule(strokeDash=[4, 4], color="gray").encode(y="count:Q")
    return alt.layer(bars, threshold).properties(height=height).to_dict()


def counts_chart(modes: pd.DataFrame, colours: Colours, capture_count: int, height: int = HEIGHT) -> Drawing:
    """High-quality samples per mode and variant, now; the dashed line is the capture threshold."""
    return Drawing(counts_spec(colours, height), {"modes": modes[["variant", "mode", "count"]],
                                                  "threshold": pd.DataFrame({"count": [capture_count]})})
