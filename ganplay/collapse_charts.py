"""Altair charts of the mode-collapse page: tidy frames of ganplay.collapse in, charts out (no Streamlit)."""
from __future__ import annotations

from typing import Sequence

import altair as alt
import pandas as pd

from .charts import FAKE, REAL
from .collapse import CAPTURE_COUNT
from .metrics import REFERENCE_SAMPLES
from .variants import VARIANTS
from .views import Extent

# Neither green nor purple: those mean real and generated on every page.
VARIANT_COLOURS = {"gan": "#1c7ed6", "nsgan": "#e8590c", "wgan": "#f59f00", "wgan-gp": "#c92a2a",
                   "lsgan": "#0b7285", "lsgan-chi2": "#868e96", "hinge": "#212529"}
QUALITY_STDS = 3.0  # the rings are metrics.mode_report's high-quality zone
HEIGHT = 320  # Streamlit fits legend and axes inside the height: this leaves about 200 px of plot


def variant_colours(variants: Sequence[str]) -> alt.Scale:
    """The variants' colours, keyed by their titles (the frames' `variant` column)."""
    return alt.Scale(domain=[VARIANTS[v].title for v in variants], range=[VARIANT_COLOURS[v] for v in variants])


def mode_grid(points: pd.DataFrame, modes: pd.DataFrame, extent: Extent, std: float,
              size: int = 205) -> alt.FacetChart:
    """One scatter per variant over the same window; each mode a ring of radius 3σ, filled once captured.

    One faceted spec rather than a concatenation of per-variant charts: Altair builds and validates it
    in a quarter of the time, and this chart is rebuilt every frame.
    """
    ring = 2 * QUALITY_STDS * std / (extent.xmax - extent.xmin) * size  # diameter in pixels
    tally = modes.groupby("variant", sort=False).captured.agg(["sum", "size"])
    titles = {variant: f"{variant}: {int(row['sum'])} of {int(row['size'])} modes"
              for variant, row in tally.iterrows()}
    frame = pd.concat([points.assign(kind="generated"), modes.assign(kind="mode")], ignore_index=True)
    frame["panel"] = frame.variant.map(titles)
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
    return alt.layer(samples, rings, data=frame).properties(width=size, height=size).facet(
        facet=alt.Facet("panel:N", sort=list(titles.values()), title=None, header=header), columns=len(titles))


def _track_lines(track: pd.DataFrame, variants: Sequence[str], y: alt.Y, height: int) -> alt.Chart:
    return alt.Chart(track).mark_line(strokeWidth=2).encode(
        x=alt.X("step:Q", title="generator step", axis=alt.Axis(format=",d")), y=y,
        # two legend columns: four titles then fit in a third of the page
        color=alt.Color("variant:N", scale=variant_colours(variants), title=None,
                        legend=alt.Legend(orient="top", columns=2)),
        tooltip=["variant:N", "step:Q", alt.Tooltip(y.shorthand, format=".3~f")]).properties(height=height)


def modes_track_chart(track: pd.DataFrame, variants: Sequence[str], modes: int, height: int = HEIGHT) -> alt.Chart:
    """Modes captured over generator steps, one line per variant."""
    y = alt.Y("modes_captured:Q", title="modes captured", scale=alt.Scale(domain=[0, modes]),
              axis=alt.Axis(tickMinStep=1))
    return _track_lines(track, variants, y, height).mark_line(strokeWidth=2, interpolate="step-after")


def quality_track_chart(track: pd.DataFrame, variants: Sequence[str], height: int = HEIGHT) -> alt.Chart:
    """High-quality share (samples within 3σ of a mode) over generator steps, one line per variant."""
    y = alt.Y("high_quality_share:Q", title="high-quality share", scale=alt.Scale(domain=[0, 1]),
              axis=alt.Axis(format="%"))
    return _track_lines(track, variants, y, height)


def counts_chart(modes: pd.DataFrame, variants: Sequence[str], height: int = HEIGHT) -> alt.LayerChart:
    """High-quality samples per mode and variant, now; the dashed line is the capture threshold."""
    bars = alt.Chart(modes).mark_bar().encode(
        x=alt.X("mode:O", title="mode", axis=alt.Axis(labelAngle=0)),
        xOffset=alt.XOffset("variant:N", sort=[VARIANTS[v].title for v in variants]),
        y=alt.Y("count:Q", title=f"high-quality samples (of {REFERENCE_SAMPLES:,})"),
        color=alt.Color("variant:N", scale=variant_colours(variants), title=None, legend=alt.Legend(orient="top")),
        tooltip=["variant:N", "mode:O", "count:Q"])
    threshold = alt.Chart(pd.DataFrame({"count": [CAPTURE_COUNT]})).mark_rule(strokeDash=[4, 4], color="gray").encode(
        y="count:Q")
    return alt.layer(bars, threshold).properties(height=height)
