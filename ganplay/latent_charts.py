"""Charts of the latent walk and the conditional GAN: specs built once per view, per slider move or frame
only the tidy frames of ganplay.latent (named datasets).

Every view is drawn over the same backdrop as the Playground (green data, purple samples), faded, so that
what the student moves stands out; its own colours (t, axes, mesh, labels) avoid green and purple.
"""
from __future__ import annotations

import functools

import altair as alt
import pandas as pd

from .charts import Drawing, axes, sample_points
from .frames import Extent

INK = "#212529"
POINT = "#f59f00"  # G(z) of the sliders: amber, neither real nor generated
T_SCALE = alt.Scale(scheme="blueorange", domain=[0, 1])  # z0 blue -> z1 orange
MESH_COLOURS = ["#e8590c", "#1c7ed6"]
METHOD_COLOURS = alt.Scale(domain=["linear", "spherical"], range=["#868e96", "#1c7ed6"])
SHAPES = alt.Scale(domain=["real", "generated"], range=["circle", "diamond"])


def backdrop(extent: Extent) -> alt.Chart:
    """The Playground's scatter of data and samples (dataset "backdrop"), small and faded."""
    return sample_points(alt.NamedData("backdrop"), extent).mark_circle(size=10, opacity=0.3, clip=True)


def _over(extent: Extent, *layers, size: int) -> dict:
    return (alt.layer(backdrop(extent), *layers).properties(width=size, height=size)
            .resolve_scale(color="independent").to_dict())


def marker(extent: Extent) -> alt.Chart:
    """G(z) of the sliders' z (dataset "point"): one large amber dot."""
    x, y = axes(extent)
    return alt.Chart(alt.NamedData("point")).mark_circle(size=260, color=POINT, stroke=INK, strokeWidth=1.5,
                                                         opacity=1, clip=True).encode(x=x, y=y)


@functools.lru_cache(maxsize=16)
def point_spec(extent: Extent, size: int = 440) -> dict:
    return _over(extent, marker(extent), size=size)


def point_chart(points: pd.DataFrame, point: pd.DataFrame, extent: Extent, size: int = 440) -> Drawing:
    return Drawing(point_spec(extent, size), {"backdrop": points, "point": point})


@functools.lru_cache(maxsize=16)
def path_spec(extent: Extent, size: int = 440) -> dict:
    x, y = axes(extent)
    path = alt.Chart(alt.NamedData("path"))
    line = path.mark_line(color=INK, strokeWidth=1.2, clip=True).encode(x=x, y=y, order="t:Q")
    dots = path.mark_circle(size=55, opacity=1, stroke=INK, strokeWidth=0.5, clip=True).encode(
        x=x, y=y, color=alt.Color("t:Q", scale=T_SCALE, legend=alt.Legend(orient="bottom", gradientLength=180)),
        tooltip=[alt.Tooltip("t:Q", format=".2f"), alt.Tooltip("norm:Q", title="‖z‖", format=".2f")])
    return _over(extent, line, dots, size=size)


def path_chart(points: pd.DataFrame, path: pd.DataFrame, extent: Extent, size: int = 440) -> Drawing:
    """G(z(t)) as a connected line, its points coloured by t: the deterministic path in X-space."""
    return Drawing(path_spec(extent, size), {"backdrop": points, "path": path})


@functools.lru_cache(maxsize=8)
def norm_profile_spec(chosen: str, height: int = 200) -> dict:
    return alt.Chart(alt.NamedData("profile")).mark_line().encode(
        x=alt.X("t:Q", title="t"), y=alt.Y("norm:Q", title="‖z(t)‖", scale=alt.Scale(zero=True)),
        color=alt.Color("method:N", scale=METHOD_COLOURS, title=None, legend=alt.Legend(orient="right")),
        strokeWidth=alt.condition(alt.datum.method == chosen, alt.value(3), alt.value(1)),
    ).properties(height=height).to_dict()


def norm_profile_chart(profile: pd.DataFrame, chosen: str, height: int = 200) -> Drawing:
    """‖z(t)‖ of both interpolations, the chosen one thick."""
    return Drawing(norm_profile_spec(chosen, height), {"profile": profile})


@functools.lru_cache(maxsize=16)
def sweep_spec(extent: Extent, varied: tuple[str, ...], size: int = 440) -> dict:
    x, y = axes(extent)
    sweep = alt.Chart(alt.NamedData("sweep"))
    colour = alt.Color("axis:N", scale=alt.Scale(domain=list(varied), scheme="tableau10"), title="axis varied")
    curves = sweep.mark_line(strokeWidth=2, clip=True).encode(x=x, y=y, color=colour, order="value:Q")
    dots = sweep.mark_circle(opacity=0.9, clip=True).encode(
        x=x, y=y, color=colour.legend(None), size=alt.Size("value:Q", scale=alt.Scale(range=[4, 90]), legend=None),
        tooltip=["axis:N", alt.Tooltip("value:Q", format=".2f")])
    return _over(extent, curves, dots, marker(extent), size=size)


def sweep_chart(points: pd.DataFrame, sweep: pd.DataFrame, point: pd.DataFrame, extent: Extent,
                size: int = 440) -> Drawing:
    """One curve per latent axis z_k swept alone, dots growing towards +z_k: which way each axis moves G(z)."""
    varied = tuple(dict.fromkeys(sweep["axis"]))  # z₁, z₂, ..., z₁₀ in order, not sorted as text
    return Drawing(sweep_spec(extent, varied, size), {"backdrop": points, "sweep": sweep, "point": point})


@functools.lru_cache(maxsize=16)
def manifold_spec(extent: Extent, size: int = 440) -> dict:
    x, y = axes(extent)
    lines = alt.Chart(alt.NamedData("mesh")).mark_line(strokeWidth=1, opacity=0.85, clip=True).encode(
        x=x, y=y, detail="line:N", order="order:Q",
        color=alt.Color("varies:N", scale=alt.Scale(range=MESH_COLOURS), title="along the line varies",
                        legend=alt.Legend(orient="bottom")))
    return _over(extent, lines, size=size)


def manifold_chart(points: pd.DataFrame, mesh: pd.DataFrame, extent: Extent, size: int = 440) -> Drawing:
    """A grid in z pushed through G: how G stretches and folds the latent plane onto the data."""
    return Drawing(manifold_spec(extent, size), {"backdrop": points, "mesh": mesh})


def _by_label(names) -> alt.Color:
    return alt.Color("label:N", scale=alt.Scale(domain=list(names), scheme="tableau10"), title="label y",
                     legend=alt.Legend(symbolOpacity=1))  # the faint data layer must not fade the legend


@functools.lru_cache(maxsize=16)
def labelled_scatter_spec(extent: Extent, names: tuple[str, ...], size: int = 440) -> dict:
    x, y = axes(extent)
    shape = alt.Shape("source:N", scale=SHAPES, title=None, legend=alt.Legend(symbolOpacity=1))
    data = alt.Chart(alt.NamedData("real")).mark_point(filled=True, size=14, opacity=0.3, clip=True).encode(
        x=x, y=y, color=_by_label(names), shape=shape)
    fakes = alt.Chart(alt.NamedData("generated")).mark_point(filled=True, size=34, opacity=0.9, stroke=INK,
                                                             strokeWidth=0.3, clip=True).encode(
        x=x, y=y, color=_by_label(names), shape=shape,
        tooltip=["label:N", alt.Tooltip("x:Q", format=".2f"), alt.Tooltip("y:Q", format=".2f")])
    return alt.layer(data, fakes).properties(width=size, height=size).to_dict()


def labelled_scatter(real: pd.DataFrame, generated: pd.DataFrame, extent: Extent, names: list[str],
                     size: int = 440) -> Drawing:
    """Generated samples (diamonds) over the data (faint dots), both coloured by label on one scale."""
    return Drawing(labelled_scatter_spec(extent, tuple(names), size), {"real": real, "generated": generated})


@functools.lru_cache(maxsize=16)
def same_z_spec(extent: Extent, names: tuple[str, ...], size: int = 440) -> dict:
    x, y = axes(extent)
    data = alt.Chart(alt.NamedData("real")).mark_circle(size=12, opacity=0.25, clip=True).encode(
        x=x, y=y, color=_by_label(names))
    points = alt.Chart(alt.NamedData("same_z")).mark_point(shape="diamond", filled=True, opacity=1, stroke=INK,
                                                           strokeWidth=1.2, clip=True).encode(
        x=x, y=y, color=_by_label(names), size=alt.condition("datum.chosen", alt.value(420), alt.value(110)),
        tooltip=["label:N"])
    return alt.layer(data, points).properties(width=size, height=size).to_dict()


def same_z_chart(real: pd.DataFrame, same_z: pd.DataFrame, extent: Extent, names: list[str],
                 size: int = 440) -> Drawing:
    """G(z | y) for one z under every label, the fixed label's large: what the label controls."""
    return Drawing(same_z_spec(extent, tuple(names), size), {"real": real, "same_z": same_z})


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
