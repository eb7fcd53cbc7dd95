"""The 3-D view's data: G's latent plane as a mesh in R³, where it leaves the true surface, and how far G's
samples lie from that surface over training (the manifold hypothesis: a g: R² → R³ that fits "extremely well,
but not perfectly").

The live loop publishes it with every frame of 3-D data (with_manifold); charts read it, never the run.
"""
from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from .datasets import DATASETS
from .latent import manifold_grid
from .surfaces import Surface, manifold_distance

if TYPE_CHECKING:
    from .frames import Frame
    from .runs import Run

MESH_LINES = 21  # grid lines per latent axis, each drawn through 41 points of G (1,681 points per frame)
MESH_SPAN = {"normal": 2.0, "uniform": 1.0}  # the grid covers ±2σ of N(0, I) (95 % per axis), all of U(-1, 1)
TEAR_SHARE = 0.1  # a segment is torn when G at its latent midpoint lies this share of the data's spread off the surface
MAX_TRACK_POINTS = 300  # as frames.MAX_LOSS_POINTS


@dataclass(frozen=True, eq=False)  # eq=False: array fields
class ManifoldFrame:
    """What the 3-D view shows beside the frame's points. lines[0, i] is G along the grid line z₂ = value i as z₁
    varies, lines[1, j] along z₁ = value j as z₂ varies (other latent components 0; one line when z is 1-D), each
    through 2·MESH_LINES − 1 points: the grid's nodes (even indices) and G at the latent midpoints between them
    (odd). torn[a, i, k] says the segment between nodes k and k + 1 of lines[a, i] is torn: G at its latent midpoint
    lies more than tear_distance off the true surface (a tear, or a fold bridging two layers of the roll).
    lines is None for a conditional run (a grid per label) or when G's output is not finite; the rest is None when
    the data has no known surface (your own data)."""

    lines: np.ndarray | None  # (axes, MESH_LINES, 2·MESH_LINES − 1, 3)
    torn: np.ndarray | None  # (axes, MESH_LINES, MESH_LINES − 1) bool
    tear_distance: float | None
    distance: float | None  # mean distance of the frame's fakes to the true surface, data units
    data_distance: float | None  # the same for the frame's real points: what the data's own noise gives
    track: np.ndarray | None  # (k, 2): step, distance at the frames published so far (at most MAX_TRACK_POINTS)
    error: float | None  # the most any distance here exceeds the true one (surfaces.py)


def surface_of(run: "Run") -> Surface | None:
    """The true surface of the run's data, when it is a registered 3-D dataset."""
    return DATASETS[run.config.dataset].surface


def latent_lines(run: "Run", lines: int = MESH_LINES) -> np.ndarray | None:
    """G along the grid lines over the first two latent axes (the others 0): (2, lines, 2·lines − 1, d), or
    (1, 1, 2·lines − 1, d) when z is 1-D. Both families come from one pass of G over the fine grid."""
    cfg = run.config
    if cfg.conditional:
        return None
    span, points = MESH_SPAN[cfg.latent], 2 * lines - 1
    if cfg.z_dim == 1:
        grid = np.linspace(-span, span, points)[None, :, None]
    else:
        grid = manifold_grid(cfg.z_dim, points, span)
    fine = run.sample(z=grid.reshape(-1, cfg.z_dim)).reshape(*grid.shape[:2], -1)
    if not np.isfinite(fine).all():
        return None
    if cfg.z_dim == 1:
        return fine[None]
    return np.stack([fine[::2], fine[:, ::2].transpose(1, 0, 2)])


def spread(x: np.ndarray) -> float:
    """The data's overall spread: the root of its total variance."""
    return float(np.sqrt(x.astype(np.float64).var(axis=0).sum()))


_TRACKS: "weakref.WeakKeyDictionary[Run, list[tuple[int, float]]]" = weakref.WeakKeyDictionary()
_TRACKS_LOCK = threading.Lock()


def tracked(run: "Run", step: int, distance: float) -> np.ndarray:
    """The run's distance track with (step, distance) as its latest point, thinned evenly beyond twice
    MAX_TRACK_POINTS (first and latest kept). Each value is deterministic; which steps are on the track depends on
    when frames were taken (the live loop takes one at most five times a second)."""
    with _TRACKS_LOCK:
        track = _TRACKS.setdefault(run, [])
        while track and track[-1][0] >= step:
            track.pop()
        track.append((step, distance))
        if len(track) > 2 * MAX_TRACK_POINTS:
            track[:] = track[:-1:2] + track[-1:]
        return np.array(track, dtype=np.float64)


def manifold_frame(run: "Run", step: int, real: np.ndarray, fake: np.ndarray) -> ManifoldFrame:
    """The 3-D view of run at `step`, with the frame's real and fake points."""
    lines, surface = latent_lines(run), surface_of(run)
    if surface is None:
        return ManifoldFrame(lines, None, None, None, None, None, None)
    distance = manifold_distance(fake, surface)
    torn, threshold = None, TEAR_SHARE * spread(run.data.x)
    if lines is not None:
        midpoints = lines[:, :, 1::2]
        torn = surface.distance(midpoints.reshape(-1, 3)).reshape(midpoints.shape[:3]) > threshold
    return ManifoldFrame(lines, torn, threshold, distance, manifold_distance(real, surface),
                         tracked(run, step, distance), surface.error)


def with_manifold(frame: "Frame", run: "Run") -> "Frame":
    """frame with its 3-D view when the run's data has three columns (points, not pictures), else frame itself."""
    if run.data.dim != 3 or run.data.is_image:
        return frame
    return replace(frame, manifold=manifold_frame(run, frame.step, frame.real, frame.fake))
