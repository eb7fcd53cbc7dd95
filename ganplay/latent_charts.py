"""Altair builders for the latent walk and the conditional GAN: tidy frames of ganplay.latent in, charts out.

Every view is drawn over the same backdrop as the Playground (green data, purple samples), faded, so that
what the student moves stands out; its own colours (t, axes, mesh, labels) avoid green and purple.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from .charts import axes, sample_points
from .frames import Extent

INK = "#212529"
POINT = "#f59f00"  # G(z) of the sliders: amber, neither real nor generated
T_SCALE = alt.Scale(scheme="blueorange", domain=[0, 1])  # z0 blue -> z1 orange
MESH_COLOURS = ["#e8590c", "#1c7ed6"]
METHOD_COLOURS = alt.Scale(domain=["linear", "spherical"], range=["#868e96", "#1c7ed6"])
SHAPES = alt.Scale(domain=["real", "generated"], range=["circle", "diamond"])


def backdrop(points: pd.DataFrame, extent: Extent) -> alt.Chart:
    """The Playground's scatter of data and samples, small and faded."""
    return sample_points(points, extent).mark_circle(size=10, opacity=0.3, clip=True)


def _over(points: pd.DataFrame, extent: Extent, *layers, size: int) -> alt.LayerChart:
    return (alt.layer(backdrop(points, extent), *layers).properties(width=size, height=size)
            .resolve_scale(color="independent"))


def marker(point: pd.DataFrame, extent: Extent) -> alt.Chart:
    """G(z) of the sliders' z: one large amber dot."""
    x, y = axes(extent)
    return alt.Chart(point).mark_circle(size=260, color=POINT, stroke=INK, strokeWidth=1.5, opacity=1,
                                        clip=True).encode(x=x, y=y)


def point_chart(points: pd.DataFrame, point: pd.DataFrame, extent: Extent, size: int = 440) -> alt.LayerChart:
    return _over(points, extent, marker(point, extent), size=size)


def path_chart(points: pd.DataFrame, path: pd.DataFrame, extent: Extent, size: int = 440) -> alt.LayerChart:
    """G(z(t)) as a connected line, its points coloured by t: the deterministic path in X-space."""
    x, y = axes(extent)
    line = alt.Chart(path).mark_line(color=INK, strokeWidth=1.2, clip=True).encode(x=x, y=y, order="t:Q")
    dots = alt.Chart(path).mark_circle(size=55, opacity=1, stroke=INK, strokeWidth=0.5, clip=True).encode(
        x=x, y=y, color=alt.Color("t:Q", scale=T_SCALE, legend=alt.Legend(orient="bottom", gradientLength=180)),
        tooltip=[alt.Tooltip("t:Q", format=".2f"), alt.Tooltip("norm:Q", title="‖z‖", format=".2f")])
    return _over(points, extent, line, dots, size=size)


def norm_profile_chart(profile: pd.DataFrame, chosen: str, height: int = 200) -> alt.Chart:
    """‖z(t)‖ of both interpolations, the chosen one thick."""
    return alt.Chart(profile).mark_line().encode(
        x=alt.X("t:Q", title="t"), y=alt.Y("norm:Q", title="‖z(t)‖", scale=alt.Scale(zero=True)),
        color=alt.Color("method:N", scale=METHOD_COLOURS, title=None, legend=alt.Legend(orient="right")),
        strokeWidth=alt.condition(alt.datum.method == chosen, alt.value(3), alt.value(1)),
    ).properties(height=height)


def sweep_chart(points: pd.DataFrame, sweep: pd.DataFrame, point: pd.DataFrame, extent: Extent,
                size: int = 440) -> alt.LayerChart:
    """One curve per latent axis z_k swept alone, dots growing towards +z_k: which way each axis moves G(z)."""
    x, y = axes(extent)
    varied = list(dict.fromkeys(sweep["axis"]))  # z₁, z₂, ..., z₁₀ in order, not sorted as text
    colour = alt.Color("axis:N", scale=alt.Scale(domain=varied, scheme="tableau10"), title="axis varied")
    curves = alt.Chart(sweep).mark_line(strokeWidth=2, clip=True).encode(x=x, y=y, color=colour, order="value:Q")
    dots = alt.Chart(sweep).mark_circle(opacity=0.9, clip=True).encode(
        x=x, y=y, color=colour.legend(None), size=alt.Size("value:Q", scale=alt.Scale(range=[4, 90]), legend=None),
        tooltip=["axis:N", alt.Tooltip("value:Q", format=".2f")])
    return _over(points, extent, curves, dots, marker(point, extent), size=size)


def manifold_chart(points: pd.DataFrame, mesh: pd.DataFrame, extent: Extent, size: int = 440) -> alt.LayerChart:
    """A grid in z pushed through G: how G stretches and folds the latent plane onto the data."""
    x, y = axes(extent)
    lines = alt.Chart(mesh).mark_line(strokeWidth=1, opacity=0.85, clip=True).encode(
        x=x, y=y, detail="line:N", order="order:Q",
        color=alt.Color("varies:N", scale=alt.Scale(range=MESH_COLOURS), title="along the line varies",
                        legend=alt.Legend(orient="bottom")))
    return _over(points, extent, lines, size=size)


def _by_label(names: list[str]) -> alt.Color:
    return alt.Color("label:N", scale=alt.Scale(domain=names, scheme="tableau10"), title="label y",
                     legend=alt.Legend(symbolOpacity=1))  # the faint data layer must not fade the legend


def labelled_scatter(real: pd.DataFrame, generated: pd.DataFrame, extent: Extent, names: list[str],
                     size: int = 440) -> alt.LayerChart:
    """Generated samples (diamonds) over the data (faint dots), both coloured by label on one scale."""
    x, y = axes(extent)
    shape = alt.Shape("source:N", scale=SHAPES, title=None, legend=alt.Legend(symbolOpacity=1))
    data = alt.Chart(real).mark_point(filled=True, size=14, opacity=0.3, clip=True).encode(
        x=x, y=y, color=_by_label(names), shape=shape)
    fakes = alt.Chart(generated).mark_point(filled=True, size=34, opacity=0.9, stroke=INK, strokeWidth=0.3,
                                            clip=True).encode(
        x=x, y=y, color=_by_label(names), shape=shape,
        tooltip=["label:N", alt.Tooltip("x:Q", format=".2f"), alt.Tooltip("y:Q", format=".2f")])
    return alt.layer(data, fakes).properties(width=size, height=size)


def same_z_chart(real: pd.DataFrame, same_z: pd.DataFrame, extent: Extent, names: list[str],
                 size: int = 440) -> alt.LayerChart:
    """G(z | y) for one z under every label, the fixed label's large: what the label controls."""
    x, y = axes(extent)
    data = alt.Chart(real).mark_circle(size=12, opacity=0.25, clip=True).encode(x=x, y=y, color=_by_label(names))
    points = alt.Chart(same_z).mark_point(shape="diamond", filled=True, opacity=1, stroke=INK, strokeWidth=1.2,
                                          clip=True).encode(
        x=x, y=y, color=_by_label(names), size=alt.condition("datum.chosen", alt.value(420), alt.value(110)),
        tooltip=["label:N"])
    return alt.layer(data, points).properties(width=size, height=size)


def class_kde_chart(kdes: pd.DataFrame, extent: Extent, names: list[str], size: int = 90,
                    columns: int = 8) -> alt.FacetChart:
    """Per class, the data's density beside the generator's (latent.class_kde_frame), one small panel each,
    wrapped `columns` to a row; one chart, so a frame converts once however many classes there are."""
    x, y = axes(extent)
    panels = [f"{name} · {of}" for name in names for of in ("data", "generator")]
    return alt.Chart(kdes).mark_rect().encode(
        x=x.axis(None), x2="x2:Q", y=y.axis(None), y2="y2:Q",
        color=alt.Color("density:Q", scale=alt.Scale(scheme="greys"), legend=None),
        tooltip=[alt.Tooltip("density:Q", format=".3f")],
    ).transform_calculate(panel="datum.label + ' · ' + datum.of").properties(width=size, height=size).facet(
        facet=alt.Facet("panel:N", sort=panels, title=None), columns=columns)
