"""Slow motion's charts (Altair): a stage's view before and after, with what the stage changed drawn bright.

A stage is drawn once per click, not per live frame, so these are plain Altair charts with their data inline.
No torch and no Streamlit here.
"""
from __future__ import annotations

import dataclasses

import altair as alt
import numpy as np
import pandas as pd

from .charts import FAKE, PURPLE_GREEN, REAL, VERDICT_OPACITY, axes, grid_image, png_url, verdict_range
from .frames import Frame
from .slowmo import Batch, Stage

GHOST = "#868e96"
MOVE_ARROWS = 150  # arrows from the old to the new position of the first fixed fakes


def _heatmap(frame: Frame, title: str | None = None) -> list[alt.Chart]:
    if frame.critic is None:
        return []
    lo, hi = verdict_range(frame)
    e = frame.extent
    image = pd.DataFrame({"x": [e.xmin], "x2": [e.xmax], "y": [e.ymin], "y2": [e.ymax],
                          "url": [png_url(grid_image(frame.critic, PURPLE_GREEN, lo, hi))]})
    x, y = axes(e)
    title = title or ("critic f(x)" if frame.wasserstein else "D(x)")
    legend = alt.Chart(pd.DataFrame({"value": [lo, hi]})).mark_point(size=0, filled=True).encode(
        color=alt.Color("value:Q", scale=alt.Scale(scheme="purplegreen", zero=False, nice=False), title=title,
                        legend=alt.Legend(orient="bottom", gradientLength=160)))
    return [alt.Chart(image).mark_image(aspect=False, opacity=VERDICT_OPACITY).encode(x=x, x2="x2:Q", y=y, y2="y2:Q",
                                                                                      url="url:N"), legend]


def _dots(points: np.ndarray, colour: str, frame: Frame, size: float, opacity: float, **extra) -> alt.Chart:
    x, y = axes(frame.extent)
    table = pd.DataFrame({"x": points[:, 0], "y": points[:, 1], **extra})
    tooltip = [alt.Tooltip(name, format=".3f") for name in ("x", "y", *extra)]
    return alt.Chart(table).mark_circle(size=size, opacity=opacity, color=colour, clip=True).encode(
        x=x, y=y, tooltip=tooltip)


def _batch_layers(batch: Batch, frame: Frame) -> list[alt.Chart]:
    """The stage's batch, bright over the frame's faint points; once D has judged it, each point sized by its
    verdict (bigger: more "real"), on one scale for real and fake."""
    if batch.verdict_real is None:
        layers = [_dots(batch.real_2d, REAL, frame, 36, 0.95)]
        return layers + ([] if batch.fake_2d is None else [_dots(batch.fake_2d, FAKE, frame, 36, 0.95)])
    verdicts = np.concatenate([batch.verdict_real, batch.verdict_fake])
    scale = alt.Scale(domain=[float(verdicts.min()), float(verdicts.max()) + 1e-9], range=[6, 110])
    name = "f(x)" if frame.wasserstein else "D(x)"
    size = alt.Size("verdict:Q", scale=scale, title=f"{name} of the batch",
                    legend=alt.Legend(orient="bottom", symbolFillColor="#868e96", symbolStrokeWidth=0))
    return [_dots(points, colour, frame, 36, 0.9, verdict=verdict).encode(size=size)
            for points, colour, verdict in ((batch.real_2d, REAL, batch.verdict_real),
                                            (batch.fake_2d, FAKE, batch.verdict_fake))]


def _moves(before: Frame, after: Frame) -> list[alt.Chart]:
    """Ghosts at the fixed fakes' old places, arrows to their new ones."""
    old, new = before.fake_2d[:MOVE_ARROWS], after.fake_2d[:MOVE_ARROWS]
    x, y = axes(after.extent)
    rules = pd.DataFrame({"x": old[:, 0], "y": old[:, 1], "x2": new[:, 0], "y2": new[:, 1]})
    arrows = alt.Chart(rules).mark_rule(color="#212529", strokeWidth=1, opacity=0.7, clip=True).encode(
        x=x, y=y, x2="x2:Q", y2="y2:Q")
    ghosts = alt.Chart(pd.DataFrame({"x": old[:, 0], "y": old[:, 1]})).mark_point(
        size=22, color=GHOST, opacity=0.8, clip=True).encode(x=x, y=y)
    return [ghosts, arrows, _dots(after.fake_2d, FAKE, after, 22, 0.9)]


def stage_view(stage: Stage, when: str = "after", size: int = 250) -> alt.LayerChart:
    """The stage's view `when` ("before" or "after" its update): heatmap, faint points, and what it changed."""
    frame = stage.before if when == "before" else stage.after
    moved = stage.number in (0, 5) and when == "after" and stage.before is not None
    layers = [*_heatmap(frame), _dots(frame.real_2d, REAL, frame, 12, 0.25)]
    if not moved:
        layers.append(_dots(frame.fake_2d, FAKE, frame, 12, 0.3 if stage.batch is not None else 0.8))
    if stage.batch is not None:
        layers += _batch_layers(stage.batch, frame)
    if moved:
        layers += _moves(stage.before, frame)
    title = {"before": "before", "after": "after" if stage.before is not None else "now"}[when]
    return _square(alt.layer(*layers), size, title)


def _square(chart: alt.LayerChart, size: int, title: str) -> alt.LayerChart:
    """size × size for the plot itself, legends around it: equal units on both axes."""
    return chart.properties(width=size, height=size, title=title, autosize=alt.AutoSizeParams(type="pad")
                            ).resolve_scale(color="independent")


def change_view(stage: Stage, size: int = 330) -> alt.LayerChart | None:
    """What D's update changed: after − before of its verdict (green: up, towards "real"), the batch on it."""
    if stage.before is None or stage.after.critic is None or stage.before.critic is None:
        return None
    change = dataclasses.replace(stage.after, critic=stage.after.critic - stage.before.critic, wasserstein=True)
    name = "f(x)" if stage.after.wasserstein else "D(x)"
    layers = _heatmap(change, f"change in {name}")
    if stage.batch is not None:
        layers += _batch_layers(stage.batch, change)
    return _square(alt.layer(*layers), size, "what changed")


def latent_view(batch: Batch, size: int = 200) -> alt.Chart:
    """The batch's z, its first two coordinates."""
    table = pd.DataFrame({"z1": batch.z[:, 0], "z2": batch.z[:, 1] if batch.z.shape[1] > 1 else 0.0})
    return alt.Chart(table).mark_circle(size=20, color="#495057", opacity=0.7, clip=True).encode(
        x=alt.X("z1:Q", title="z₁"), y=alt.Y("z2:Q", title="z₂")).properties(
        width=size, height=size, title="z, its first two coordinates")
