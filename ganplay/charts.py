"""The Playground's charts: a Vega-Lite spec written once per view with Altair, and per frame only data.

A live frame must cost the server little: building and validating an Altair chart takes ~100 ms, so each
spec is built once (cached on the few hashable things it depends on) and refers to named datasets; a frame
sends those datasets (small Arrow tables: Streamlit sends them as they are, where a DataFrame costs a
conversion) and D's verdict and the densities as PNG images rendered from numpy. No Streamlit and no torch
here: arrays and Frames in, specs and data out.
"""
from __future__ import annotations

import base64
import functools
import io
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import Mapping

import altair as alt
import numpy as np
import pandas as pd
import pyarrow as pa
from PIL import Image

from .frames import Extent, Frame, Hover

REAL, FAKE = "#2f9e44", "#7048e8"  # GAN Lab's convention: green is real, purple is generated
SOURCE_COLOURS = alt.Scale(domain=["real", "generated"], range=[REAL, FAKE])
LOSS_COLOURS = {"d_loss": "#1c7ed6", "g_loss": "#e8590c", "penalty": "#868e96"}
# Vega's own "purplegreen" and "greys" schemes (vega-scale's stops, interpolated in RGB), so that an image
# drawn here matches the legend Vega draws for the same scheme; tests/test_charts.py checks the stops.
PURPLE_GREEN = "5b1667834792a67fb6c9aed3e6d6e8eff0efd9efd5aedda971bb75368e490e5e29"
GREYS = "e2e2e2d4d4d4c4c4c4b1b1b19d9d9d8888887575756262624d4d4d3535351e1e1e"
VERDICT_OPACITY = 0.55  # the heatmap stays a background: the dots on it must read
HOVER_Z, HOVER_PUSH = 4, 3  # a tooltip lists at most 4 latent and 3 push coordinates (each a column every frame)


@dataclass(frozen=True)
class Drawing:
    """A chart as its spec (cached and shared: never mutate it) and this frame's named datasets (Arrow
    tables, or DataFrames, which Streamlit converts). Specs hold no inline data: Altair would pass it
    through its global data transformer, which Streamlit swaps under a lock of its own."""

    spec: Mapping
    datasets: Mapping[str, pa.Table | pd.DataFrame]

    def to_dict(self) -> dict:
        """The full Vega-Lite spec, data included: what st.vega_lite_chart receives."""
        return {**self.spec, "datasets": {name: compact(data) for name, data in self.datasets.items()}}


def compact(data: pa.Table | pd.DataFrame) -> pa.Table:
    """A DataFrame as an Arrow table of what a screen needs: text as dictionaries (a title repeated on every
    row is sent once), 32-bit numbers."""
    if isinstance(data, pa.Table):
        return data
    kinds = {name: "category" if pd.api.types.is_string_dtype(column) and column.dtype != object else
             np.float32 if column.dtype == np.float64 else np.int32 if column.dtype == np.int64 else column.dtype
             for name, column in data.items()}
    return pa.Table.from_pandas(data.astype(kinds), preserve_index=False)


# --- images ---------------------------------------------------------------------------------------

def _stops(scheme: str) -> np.ndarray:
    return np.array([[int(scheme[i + k:i + k + 2], 16) for k in (0, 2, 4)] for i in range(0, len(scheme), 6)],
                    dtype=np.float64)


def colour_map(values: np.ndarray, scheme: str, lo: float, hi: float) -> np.ndarray:
    """(…, 3) uint8 colours of values on [lo, hi] along a scheme's stops, as Vega maps them (linear in RGB)."""
    stops = _stops(scheme)
    t = np.clip((np.asarray(values, dtype=np.float64) - lo) / ((hi - lo) or 1.0), 0.0, 1.0)
    at = np.linspace(0.0, 1.0, len(stops))
    return np.stack([np.interp(t, at, stops[:, c]) for c in range(3)], axis=-1).round().astype(np.uint8)


def grid_image(grid: np.ndarray, scheme: str, lo: float, hi: float) -> np.ndarray:
    """An (r, r, 3) RGB image of a grid whose row 0 is the bottom (image row 0 is the top)."""
    return colour_map(np.flipud(grid), scheme, lo, hi)


def png_url(image: np.ndarray) -> str:
    """An RGB image as a PNG data URL, for Vega-Lite's image mark; a grey one (equal channels) as greyscale,
    a third of the bytes."""
    grey = bool((image == image[..., :1]).all())
    buffer = io.BytesIO()
    Image.fromarray(image[..., 0] if grey else image, "L" if grey else "RGB").save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


class _GridUrls:
    """The PNG data URL of a grid, for the last `size` grids drawn: every session's timer redraws its frame, on a
    busy server several times between two published frames, and encoding the images was most of a redraw."""

    def __init__(self, size: int = 64):
        self.size, self._urls, self._lock = size, OrderedDict(), threading.Lock()

    def __call__(self, grid: np.ndarray, scheme: str, lo: float, hi: float) -> str:
        key = (id(grid), scheme, lo, hi)
        with self._lock:
            kept = self._urls.get(key)
            if kept is not None and kept[0]() is grid:  # the same array, not one that reuses a dead one's id
                self._urls.move_to_end(key)
                return kept[1]
        url = png_url(grid_image(grid, scheme, lo, hi))
        grid.flags.writeable = False  # the URL stands for these values: writing them in place now fails
        with self._lock:
            self._urls[key] = (weakref.ref(grid), url)
            while len(self._urls) > self.size:
                self._urls.popitem(last=False)
        return url


grid_url = _GridUrls()


def verdict_range(frame: Frame) -> tuple[float, float]:
    """The colour scale of D's verdict: [0, 1] for a probability, symmetric around 0 for a critic."""
    if not frame.wasserstein:
        return 0.0, 1.0
    bound = float(np.abs(frame.critic).max()) or 1.0
    return -bound, bound


def _placed(extent: Extent, **columns) -> pa.Table:
    """One row per image: where it sits on the axes, and the image itself."""
    count = len(next(iter(columns.values())))
    return pa.table({"x": [extent.xmin] * count, "x2": [extent.xmax] * count,
                     "y": [extent.ymin] * count, "y2": [extent.ymax] * count, **columns})


# --- the training scatter -------------------------------------------------------------------------

def axes(extent: Extent, title_x: str = "x₁", title_y: str = "x₂"):
    """x and y encodings fixed to the extent: the axes do not move between frames."""
    x = alt.X("x:Q", title=title_x, scale=alt.Scale(domain=[extent.xmin, extent.xmax], nice=False))
    y = alt.Y("y:Q", title=title_y, scale=alt.Scale(domain=[extent.ymin, extent.ymax], nice=False))
    return x, y


def sample_points(points: alt.NamedData, extent: Extent) -> alt.Chart:
    """Real and generated dots of a named dataset (x, y, source)."""
    x, y = axes(extent)
    colour = alt.Color("source:N", scale=SOURCE_COLOURS, title=None, legend=alt.Legend(orient="top"))
    return alt.Chart(points).mark_circle(size=16, opacity=0.75, clip=True).encode(
        x=x, y=y, color=colour,
        tooltip=["source:N", alt.Tooltip("x:Q", format=".2f"), alt.Tooltip("y:Q", format=".2f")],
    )


def _image_layer(name: str, extent: Extent, axis: bool = True, opacity: float = 1.0) -> alt.Chart:
    x, y = axes(extent)
    if not axis:
        x, y = x.axis(None), y.axis(None)
    return alt.Chart(alt.NamedData(name)).mark_image(aspect=False, opacity=opacity).encode(
        x=x, x2="x2:Q", y=y, y2="y2:Q", url="url:N")


@dataclass(frozen=True)
class HoverFields:
    """What a generated point's tooltip lists (hashable: part of the scatter's cached spec)."""

    judge: str  # the name of D's value: "D's logit", "critic value", "MMD witness"
    z_shown: int  # latent coordinates sent, the first of z_dim
    z_dim: int
    push_dims: int  # the push's coordinates sent (0: its length only)

    @classmethod
    def of(cls, hover: Hover) -> "HoverFields":
        dims = hover.push.shape[1]
        return cls(hover.judge, min(hover.z.shape[1], HOVER_Z), hover.z.shape[1], dims if dims <= HOVER_PUSH else 0)


def _vector(prefix: str, count: int, total: int) -> str:
    """A Vega expression writing datum.<prefix>_1.. as "(0.12, −1.03)", with "…" when some are not sent."""
    parts = " + ', ' + ".join(f"format(datum.{prefix}_{k}, '.2f')" for k in range(1, count + 1))
    more = f" + ', … ({total} in all)'" if total > count else ""
    return f"'(' + {parts}{more} + ')'"


def _generated_layer(extent: Extent, fields: HoverFields | None) -> alt.Chart:
    """The generated points, with a tooltip of their z, D's value there and the push G receives there."""
    x, y = axes(extent)
    chart = alt.Chart(alt.NamedData("generated")).transform_calculate(source="'generated'")
    tooltip = ["source:N"]
    if fields is not None:
        chart = chart.transform_calculate(z=_vector("z", fields.z_shown, fields.z_dim))
        tooltip += [alt.Tooltip("z:N", title="z (its latent point)"),
                    alt.Tooltip("critic:Q", format=".3f", title=fields.judge)]
        if fields.judge == "D's logit":
            chart = chart.transform_calculate(verdict="1 / (1 + exp(-datum.critic))")
            tooltip.append(alt.Tooltip("verdict:Q", format=".2f", title="D(x) = σ(logit)"))
        if fields.push_dims:
            length = " + ".join(f"datum.push_{k} * datum.push_{k}" for k in range(1, fields.push_dims + 1))
            chart = chart.transform_calculate(push=_vector("push", fields.push_dims, fields.push_dims),
                                              push_length=f"sqrt({length})")
            where = "" if fields.push_dims == 2 else f" (in the data's {fields.push_dims} columns)"  # not the plane's
            tooltip.append(alt.Tooltip("push:N", title="push G receives" + where))
        tooltip.append(alt.Tooltip("push_length:Q", format=".3g", title="length of the push"))
    return chart.mark_circle(size=16, opacity=0.75, clip=True).encode(
        x=x, y=y, color=alt.Color("source:N", scale=SOURCE_COLOURS, title=None, legend=alt.Legend(orient="top")),
        tooltip=tooltip)


@functools.lru_cache(maxsize=64)
def scatter_spec(extent: Extent, critic: bool, push: bool, wasserstein: bool, size: int = 440,
                 hover: HoverFields | None = None) -> dict:
    """The main view: D's verdict as an image, real and generated samples on top, G's pull as arrows.

    Datasets: "real" (x, y), "generated" (x, y and the hover fields: z_1.., critic, push_1.. or push_length),
    "critic" (the placed image), "verdict" (its scale's two ends, which draw the colour legend), "push" (x, y, x2, y2).
    """
    layers = []
    if critic:
        title = "critic f(x)" if wasserstein else "D(x)"
        # The legend of the image's colours: an invisible layer (size 0) on the scale's two ends.
        legend = alt.Chart(alt.NamedData("verdict")).mark_point(size=0, filled=True, opacity=VERDICT_OPACITY).encode(
            color=alt.Color("value:Q", scale=alt.Scale(scheme="purplegreen", zero=False, nice=False), title=title,
                            legend=alt.Legend(orient="bottom", gradientLength=180)))
        layers += [_image_layer("critic", extent, opacity=VERDICT_OPACITY), legend]
    real = sample_points(alt.NamedData("real"), extent).transform_calculate(source="'real'")
    layers.append(alt.layer(real, _generated_layer(extent, hover)))  # one colour scale: one legend for both
    if push:
        x, y = axes(extent)
        layers.append(alt.Chart(alt.NamedData("push")).mark_rule(
            color="#212529", strokeWidth=1.2, opacity=0.8, clip=True).encode(x=x, y=y, x2="x2:Q", y2="y2:Q"))
    # "pad": the plot itself is size × size, legends go around it (equal units on both axes)
    return alt.layer(*layers).properties(width=size, height=size, autosize=alt.AutoSizeParams(type="pad")
                                         ).resolve_scale(color="independent").to_dict()


HALF_MAX = float(np.finfo(np.float16).max)


def hover_data(fake: np.ndarray, hover: Hover | None, fields: HoverFields | None) -> pa.Table:
    """The generated points on the drawn plane and their hover values, these as float16 (a tooltip shows three
    digits, and half the bytes go every frame) unless a column's values go beyond float16's range."""
    columns = {"x": fake[:, 0].astype(np.float32), "y": fake[:, 1].astype(np.float32)}
    if hover is not None:
        def half(values):
            values = np.asarray(values, dtype=np.float32)
            fits = np.abs(values[np.isfinite(values)]).max(initial=0.0) < HALF_MAX
            return pa.array(values.astype(np.float16) if fits else values)  # a huge value stays a number
        columns |= {f"z_{k + 1}": half(hover.z[:, k]) for k in range(fields.z_shown)}
        columns["critic"] = half(hover.critic)
        if fields.push_dims:
            columns |= {f"push_{k + 1}": half(hover.push[:, k]) for k in range(fields.push_dims)}
        else:
            columns["push_length"] = half(np.linalg.norm(hover.push, axis=1))
    return pa.table(columns)


def training_scatter(frame: Frame, size: int = 440) -> Drawing:
    critic, push = frame.critic is not None, frame.push is not None
    fields = None if frame.hover is None else HoverFields.of(frame.hover)
    datasets = {"real": pa.table({"x": frame.real_2d[:, 0].astype(np.float32),
                                  "y": frame.real_2d[:, 1].astype(np.float32)}),
                "generated": hover_data(frame.fake_2d, frame.hover, fields)}
    if critic:
        lo, hi = verdict_range(frame)
        datasets["critic"] = _placed(frame.extent, url=[grid_url(frame.critic, PURPLE_GREEN, lo, hi)])
        datasets["verdict"] = pa.table({"value": [lo, hi]})
    if push:
        datasets["push"] = pa.table(dict(zip(["x", "y", "x2", "y2"], frame.push.T)))
    return Drawing(scatter_spec(frame.extent, critic, push, frame.wasserstein, size, fields), datasets)


# --- losses and densities -------------------------------------------------------------------------

@functools.lru_cache(maxsize=16)
def loss_spec(losses: tuple[str, ...], height: int = 260, changes: bool = False) -> dict:
    """The loss curves of dataset "losses" (step and one column per loss), folded into one line each; changes:
    a vertical rule at each step of dataset "changes" (step, change), the change as its tooltip."""
    lines = alt.Chart(alt.NamedData("losses")).transform_fold(list(losses), as_=["loss", "value"]).mark_line(
        strokeWidth=1.5).encode(
        x=alt.X("step:Q", title="generator step"),
        y=alt.Y("value:Q", title="loss"),
        # fixed colours for the losses drawn only: the legend lists no line the chart lacks
        color=alt.Color("loss:N", scale=alt.Scale(domain=list(losses), range=[LOSS_COLOURS[n] for n in losses]),
                        title=None, legend=alt.Legend(orient="top")),
        tooltip=["loss:N", "step:Q", alt.Tooltip("value:Q", format=".3f")],
    )
    if changes:
        lines = lines + alt.Chart(alt.NamedData("changes")).mark_rule(strokeDash=[4, 3], strokeWidth=1.5).encode(
            x="step:Q", tooltip=["step:Q", "change:N"])
    return lines.properties(height=height).to_dict()


def loss_chart(history: pd.DataFrame, height: int = 260, changes=()) -> Drawing:
    """d_loss and g_loss over the (thinned) history; the penalty only where there is one. changes: (step, what
    changed) of the run's schedule (schedule.marks), ruled where the history has reached them."""
    losses = ("d_loss", "g_loss") + (("penalty",) if history["penalty"].abs().sum() > 0 else ())
    data = {"step": history["step"].to_numpy(np.int32),
            **{name: history[name].to_numpy(np.float32) for name in losses}}
    reached = [(step, what) for step, what in changes if len(history) and step <= history["step"].iloc[-1]]
    datasets = {"losses": pa.table(data)}
    if reached:
        datasets["changes"] = pa.table({"step": [s for s, _ in reached], "change": [w for _, w in reached]})
    return Drawing(loss_spec(losses, height, bool(reached)), datasets)


@functools.lru_cache(maxsize=16)
def kde_spec(extent: Extent, size: int = 155) -> dict:
    """Dataset "densities": one placed image per panel (`of`: data, generator), side by side."""
    return _image_layer("densities", extent, axis=False).properties(width=size, height=size).facet(
        column=alt.Column("of:N", title=None, sort=["data", "generator"])).to_dict()


def kde_chart(frame: Frame, size: int = 155) -> Drawing:
    """Density of the data beside the density of G's samples; each panel on its own scale, so a collapsed
    generator's sharp peak does not wash out the data's modes."""
    urls = [grid_url(grid, GREYS, 0.0, float(grid.max())) for grid in frame.densities]
    return Drawing(kde_spec(frame.extent, size), {"densities": _placed(frame.extent, of=["data", "generator"],
                                                                         url=urls)})


def paint_canvas(x: np.ndarray, y: np.ndarray, window: tuple[float, float], size: int = 320) -> alt.Chart:
    """The painting canvas: the painted points on a fixed window, and a rectangle brush named "brush"."""
    scale = alt.Scale(domain=list(window), nice=False)
    points = pd.DataFrame({"x": x[:, 0], "y": x[:, 1], "blob": y + 1})
    return alt.Chart(points).mark_circle(size=14, opacity=0.7).encode(
        x=alt.X("x:Q", scale=scale, title="x1"), y=alt.Y("y:Q", scale=scale, title="x2"),
        color=alt.Color("blob:N", legend=None),
    ).add_params(alt.selection_interval(name="brush", encodings=["x", "y"])).properties(width=size, height=size)
