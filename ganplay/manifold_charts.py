"""The 3-D view as a pydeck Deck (deck.gl's OrbitView: drag to rotate, scroll to zoom, no map), and the distance to
the true surface over training as a Vega-Lite chart. Arrays and Frames in, a Deck or a Drawing out: no Streamlit,
no torch.

The Deck's view and its initial camera depend only on the data's window, so they stay the same between frames and
Streamlit keeps the visitor's rotation while the points move (it resets the camera when the views or the initial
view state change). Coordinates are rounded to 0.01 data units: the Deck travels as JSON, every frame.
"""
from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass

import altair as alt
import numpy as np
import pyarrow as pa
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from .charts import FAKE, REAL, Drawing
from .frames import Frame
from .latent_charts import MESH_COLOURS
from .manifold import ManifoldFrame

TEAR = "#e03131"
DECIMALS = 2  # 0.01 data units: about a pixel of the view


def _rgb(colour: str, alpha: int = 255) -> list[int]:
    return [int(colour[i:i + 2], 16) for i in (1, 3, 5)] + [alpha]


@dataclass(frozen=True)
class Box:
    """The data's bounding box, which fixes the camera: its centre is the orbit's target."""

    lo: tuple[float, float, float]
    hi: tuple[float, float, float]

    @classmethod
    def around(cls, x: np.ndarray) -> "Box":
        return cls(tuple(map(float, x.min(axis=0))), tuple(map(float, x.max(axis=0))))

    @property
    def centre(self) -> list[float]:
        return [round((a + b) / 2, DECIMALS) for a, b in zip(self.lo, self.hi)]

    def zoom(self, pixels: int) -> float:
        """deck.gl's zoom 0 draws one unit as one pixel: the box's diagonal spans the view's height."""
        diagonal = math.dist(self.lo, self.hi) or 1.0
        return round(math.log2(pixels / diagonal), 2)


def _rounded(x: np.ndarray) -> list:
    return np.round(x.astype(np.float64), DECIMALS).tolist()


class CompactDeck(pdk.Deck):
    """A Deck whose JSON has no indentation: pydeck indents by two spaces, which triples a point cloud's bytes.
    st.pydeck_chart sends `to_json()` (tests/test_manifold.py checks that it still does)."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))


PIXELS = "'pixels'"  # quoted: pydeck reads any other string prop as an accessor expression


def _cloud(layer_id: str, x: np.ndarray, colour: str) -> pdk.Layer:
    """Points as bare [x, y, z] rows, each its own position ("-" is @deck.gl/json's identity accessor)."""
    return pdk.Layer("PointCloudLayer", _rounded(x), id=layer_id, get_position="-", get_color=_rgb(colour, 220),
                     point_size=3, size_units=PIXELS, get_normal=[0, 0, 1])


def _lines(layer_id: str, paths: list[np.ndarray], colour: str, width: float = 1.5) -> pdk.Layer:
    """Paths, each an (m, 3) array of points."""
    return pdk.Layer("PathLayer", [_rounded(p) for p in paths], id=layer_id, get_path="-", get_color=_rgb(colour, 200),
                     get_width=width, width_units=PIXELS)


def runs(torn: np.ndarray) -> list[tuple[bool, int, int]]:
    """A line's segments as maximal runs (torn, first, last + 1) of equally torn neighbours."""
    edges = [0, *(np.flatnonzero(np.diff(torn.astype(np.int8))) + 1).tolist(), len(torn)]
    return [(bool(torn[a]), a, b) for a, b in zip(edges, edges[1:])]


def split_lines(lines: np.ndarray, torn: np.ndarray | None) -> tuple[list[list[np.ndarray]], list[np.ndarray]]:
    """Each axis's lines cut into their whole stretches (per axis) and their torn stretches (together): segment k
    of a line runs through its points 2k .. 2k + 2."""
    whole, tears = [[] for _ in lines], []
    for axis, family in enumerate(lines):
        for j, line in enumerate(family):
            cuts = [(False, 0, line.shape[0] // 2)] if torn is None else runs(torn[axis, j])
            for is_torn, a, b in cuts:
                (tears if is_torn else whole[axis]).append(line[2 * a:2 * b + 1])
    return whole, tears


def deck(frame: Frame, box: Box, mesh: bool = True, height: int = 460) -> pdk.Deck:
    """Real (green) and generated (purple) points in 3-D; with mesh, G's latent grid over them (orange lines along
    z₁, blue along z₂), red where it is torn (G at a segment's latent midpoint off the true surface)."""
    view: ManifoldFrame | None = frame.manifold
    layers = [_cloud("real", frame.real, REAL), _cloud("generated", frame.fake, FAKE)]
    if mesh and view is not None and view.lines is not None:
        whole, tears = split_lines(view.lines, view.torn)
        layers += [_lines(name, paths, colour) for name, paths, colour in
                   zip(("z1 varies", "z2 varies"), whole, MESH_COLOURS) if paths]
        if tears:
            layers.append(_lines("tears", tears, TEAR, width=2.5))
    camera = pdk.ViewState(target=box.centre, zoom=box.zoom(height), rotation_x=35, rotation_orbit=30)
    return CompactDeck(layers=layers, views=[pdk.View(type="OrbitView", controller=True, orbit_axis="Y")],
                       initial_view_state=camera, map_provider=None, map_style=None, tooltip=False)


@functools.lru_cache(maxsize=4)
def distance_spec(height: int = 200) -> dict:
    """Dataset "track" (step, distance) as a line; dataset "data" (distance), the data's own, as a dashed rule."""
    x = alt.X("step:Q", title="generator step")
    line = alt.Chart(alt.NamedData("track")).mark_line(strokeWidth=1.5, color=FAKE, point=False).encode(
        x=x, y=alt.Y("distance:Q", title="mean distance to the surface"),
        tooltip=["step:Q", alt.Tooltip("distance:Q", format=".4f")])
    rule = alt.Chart(alt.NamedData("data")).mark_rule(color=REAL, strokeDash=[4, 3]).encode(
        y="distance:Q", tooltip=[alt.Tooltip("distance:Q", format=".4f", title="the data's own")])
    return alt.layer(line, rule).properties(height=height).to_dict()


def distance_chart(view: ManifoldFrame, height: int = 200) -> Drawing:
    """G's samples' mean distance to the true surface over training, over the data's own (its noise)."""
    track = pa.table({"step": view.track[:, 0].astype(np.int32), "distance": view.track[:, 1].astype(np.float32)})
    return Drawing(distance_spec(height), {"track": track, "data": pa.table({"distance": [view.data_distance]})})
