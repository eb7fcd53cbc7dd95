"""Altair chart builders: tidy frames in, charts out. No Streamlit, so they are testable alone."""
from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from .views import Extent

REAL, FAKE = "#2f9e44", "#7048e8"  # GAN Lab's convention: green is real, purple is generated
SOURCE_COLOURS = alt.Scale(domain=["real", "generated"], range=[REAL, FAKE])
LOSS_COLOURS = {"d_loss": "#1c7ed6", "g_loss": "#e8590c", "penalty": "#868e96"}


def axes(extent: Extent, title_x: str = "x₁", title_y: str = "x₂"):
    """x and y encodings fixed to the extent: the axes do not move between frames."""
    x = alt.X("x:Q", title=title_x, scale=alt.Scale(domain=[extent.xmin, extent.xmax], nice=False))
    y = alt.Y("y:Q", title=title_y, scale=alt.Scale(domain=[extent.ymin, extent.ymax], nice=False))
    return x, y


def critic_heatmap(critic: pd.DataFrame, extent: Extent, wasserstein: bool) -> alt.Chart:
    """D(x) as a background: green where D says real, purple where it says generated."""
    if wasserstein:
        bound = float(critic["value"].abs().max()) or 1.0
        scale, title = alt.Scale(scheme="purplegreen", domain=[-bound, bound]), "critic f(x)"
    else:
        scale, title = alt.Scale(scheme="purplegreen", domain=[0, 1]), "D(x)"
    x, y = axes(extent)
    return alt.Chart(critic).mark_rect(opacity=0.55).encode(
        x=x, x2="x2:Q", y=y, y2="y2:Q",
        color=alt.Color("value:Q", scale=scale, title=title, legend=alt.Legend(orient="bottom", gradientLength=180)),
    )


def sample_points(points: pd.DataFrame, extent: Extent, colour_by: str = "source") -> alt.Chart:
    x, y = axes(extent)
    colour = (alt.Color("source:N", scale=SOURCE_COLOURS, title=None, legend=alt.Legend(orient="top"))
              if colour_by == "source" else alt.Color(f"{colour_by}:N", title=colour_by))
    return alt.Chart(points).mark_circle(size=16, opacity=0.75, clip=True).encode(
        x=x, y=y, color=colour, shape=alt.Shape("source:N", legend=None) if colour_by != "source" else alt.value("circle"),
        tooltip=["source:N", alt.Tooltip("x:Q", format=".2f"), alt.Tooltip("y:Q", format=".2f")],
    )


def push_arrows(push: pd.DataFrame, extent: Extent) -> alt.Chart:
    x, y = axes(extent)
    return alt.Chart(push).mark_rule(color="#212529", strokeWidth=1.2, opacity=0.8, clip=True).encode(
        x=x, y=y, x2="x2:Q", y2="y2:Q")


def training_scatter(points: pd.DataFrame, extent: Extent, critic: pd.DataFrame | None = None,
                     push: pd.DataFrame | None = None, wasserstein: bool = False, size: int = 440) -> alt.LayerChart:
    """The main view: D's verdict as a heatmap, real and generated samples on top, G's pull as arrows."""
    layers = [] if critic is None else [critic_heatmap(critic, extent, wasserstein)]
    layers.append(sample_points(points, extent))
    if push is not None:
        layers.append(push_arrows(push, extent))
    # "pad": the plot itself is size × size, legends go around it (equal units on both axes)
    return alt.layer(*layers).properties(width=size, height=size, autosize=alt.AutoSizeParams(type="pad")
                                         ).resolve_scale(color="independent")


def _colours(colours: dict[str, str], present) -> alt.Scale:
    """Fixed colours for the names present only: the legend lists no line the chart lacks."""
    shown = [name for name in colours if name in set(present)]
    return alt.Scale(domain=shown, range=[colours[name] for name in shown])


def loss_chart(losses: pd.DataFrame, height: int = 260) -> alt.Chart:
    return alt.Chart(losses).mark_line(strokeWidth=1.5).encode(
        x=alt.X("step:Q", title="generator step"),
        y=alt.Y("value:Q", title="loss"),
        color=alt.Color("loss:N", scale=_colours(LOSS_COLOURS, losses["loss"].unique()), title=None,
                        legend=alt.Legend(orient="top")),
        tooltip=["loss:N", "step:Q", alt.Tooltip("value:Q", format=".3f")],
    ).properties(height=height)


def kde_chart(kde: pd.DataFrame, extent: Extent, size: int = 155) -> alt.FacetChart:
    """Density of the data beside the density of G's samples, on the same grid; each panel has its own
    colour scale, so a collapsed generator's sharp peak does not wash out the data's modes."""
    x, y = axes(extent)
    return alt.Chart(kde).mark_rect().encode(
        x=x.axis(None), x2="x2:Q", y=y.axis(None), y2="y2:Q",
        color=alt.Color("density:Q", scale=alt.Scale(scheme="greys"), legend=None),
        tooltip=[alt.Tooltip("density:Q", format=".3f")],
    ).properties(width=size, height=size).facet(
        column=alt.Column("of:N", title=None, sort=["data", "generator"])).resolve_scale(color="independent")


def thumbnail(frame: pd.DataFrame, size: int = 150) -> alt.Chart:
    colour = alt.Color("label:N", legend=None) if "label" in frame else alt.value(REAL)
    return alt.Chart(frame).mark_circle(size=6, opacity=0.6).encode(
        x=alt.X("x:Q", axis=None), y=alt.Y("y:Q", axis=None), color=colour,
    ).properties(height=size)


def paint_canvas(x: np.ndarray, y: np.ndarray, window: tuple[float, float], size: int = 320) -> alt.Chart:
    """The painting canvas: the painted points on a fixed window, and a rectangle brush named "brush"."""
    scale = alt.Scale(domain=list(window), nice=False)
    points = pd.DataFrame({"x": x[:, 0], "y": x[:, 1], "blob": y + 1})
    return alt.Chart(points).mark_circle(size=14, opacity=0.7).encode(
        x=alt.X("x:Q", scale=scale, title="x1"), y=alt.Y("y:Q", scale=scale, title="x2"),
        color=alt.Color("blob:N", legend=None),
    ).add_params(alt.selection_interval(name="brush", encodings=["x", "y"])).properties(width=size, height=size)
