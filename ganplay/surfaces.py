"""The generating surfaces of the 3-D datasets: 2-D manifolds in R³ that know how far a point is from them.

The manifold hypothesis in three dimensions: each dataset is a surface (scikit-learn's swiss roll and S-curve, a
sphere) plus a little Gaussian noise, and `distance` is the Euclidean distance of a point to the nearest point of
the noiseless surface, in data units (those of `Dataset.x` and of `run.sample`: the game trains on standardised
columns, game.Standardiser, but reads samples back in these units, so the metric never sees its scaling).

The sphere's distance is closed form. The roll and the S-curve are cylinders: a plane curve c(t) in (x₁, x₃) swept
along x₂ over [0, height]. The nearest point of such a product splits exactly into the nearest point of the curve
(in the x₁x₃ plane) and the height clipped to its interval; the curve's nearest point is found among a dense
sampling of it (scikit-learn's NearestNeighbors). The approximation only overestimates, by at most half the
largest arc between neighbouring samples: `error` (below 1e-4 data units here; the data spread is ~1).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable

import numpy as np
from sklearn import datasets as skd
from sklearn.neighbors import NearestNeighbors

CURVE_SAMPLES = 200_001  # points on a cylinder's curve: ~3 MB per surface, built once per process


def _points(x) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 3:
        raise ValueError(f"points: need an (n, 3) array, got shape {x.shape}")
    if not np.isfinite(x).all():
        raise ValueError("points: contain NaN or infinite values")
    return x


@dataclass(frozen=True)
class Sphere:
    """The sphere of `radius` about the origin, points drawn uniformly on it, then noise in every direction."""

    radius: float
    title: str = "sphere"
    error: float = 0.0  # the distance is exact

    def sample(self, n: int, noise: float, seed: int) -> np.ndarray:
        rng = np.random.default_rng(seed)
        directions = rng.standard_normal((n, 3))
        directions /= np.linalg.norm(directions, axis=1, keepdims=True)
        return self.radius * directions + noise * rng.standard_normal((n, 3))

    def distance(self, x) -> np.ndarray:
        return np.abs(np.linalg.norm(_points(x), axis=1) - self.radius)


@dataclass(frozen=True, eq=False)  # eq=False: holds functions and a fitted index
class Cylinder:
    """{(c₁(t), h, c₂(t)) · scale : t in t_range, h in [0, height]}: a plane curve swept along the second axis.

    `draw(n, noise, seed)` is the data's own sampler (scikit-learn's, in its raw units: divided by scale here);
    `speed_bound` bounds |c′(t)| over t_range (raw units), which bounds the arc between curve samples.
    """

    title: str
    curve: Callable[[np.ndarray], np.ndarray]  # t (m,) -> (m, 2) raw (x₁, x₃)
    t_range: tuple[float, float]
    height: float  # raw units
    scale: float  # data = raw / scale
    speed_bound: float
    draw: Callable[[int, float, int], np.ndarray] = field(repr=False)

    def sample(self, n: int, noise: float, seed: int) -> np.ndarray:
        """n points of the surface with Gaussian noise of std `noise` (data units) on every coordinate."""
        return self.draw(n, noise * self.scale, seed) / self.scale

    @cached_property
    def _ts(self) -> np.ndarray:
        return np.linspace(*self.t_range, CURVE_SAMPLES)

    @cached_property
    def _index(self) -> NearestNeighbors:
        return NearestNeighbors(n_neighbors=1).fit(self.curve(self._ts) / self.scale)

    @property
    def error(self) -> float:
        """The most the sampled distance exceeds the true one: half the largest arc between curve samples."""
        return (self._ts[1] - self._ts[0]) * self.speed_bound / self.scale / 2

    def distance(self, x) -> np.ndarray:
        x = _points(x)
        in_plane = self._index.kneighbors(x[:, [0, 2]])[0][:, 0]
        along = x[:, 1] - np.clip(x[:, 1], 0.0, self.height / self.scale)
        return np.hypot(in_plane, along)


def _roll_curve(t: np.ndarray) -> np.ndarray:
    return np.stack([t * np.cos(t), t * np.sin(t)], axis=1)  # sklearn.datasets.make_swiss_roll's (x, z)


def _s_curve(t: np.ndarray) -> np.ndarray:
    return np.stack([np.sin(t), np.sign(t) * (np.cos(t) - 1)], axis=1)  # make_s_curve's (x, z)


ROLL_TURNS = (1.5 * np.pi, 4.5 * np.pi)  # make_swiss_roll: t = 1.5π(1 + 2u), height 21u
SWISS_ROLL = Cylinder(
    "swiss roll", _roll_curve, ROLL_TURNS, 21.0, 5.0, speed_bound=float(np.hypot(1.0, ROLL_TURNS[1])),
    draw=lambda n, noise, seed: skd.make_swiss_roll(n, noise=noise, random_state=seed)[0])  # |c′| = √(1 + t²)
S_CURVE = Cylinder(
    "S-curve", _s_curve, (-1.5 * np.pi, 1.5 * np.pi), 2.0, 1.0, speed_bound=1.0,  # |c′(t)| = 1: unit speed
    draw=lambda n, noise, seed: skd.make_s_curve(n, noise=noise, random_state=seed)[0])
SPHERE = Sphere(2.0)  # the radius of the ring of eight Gaussians

Surface = Sphere | Cylinder


def manifold_distance(points, surface: Surface) -> float:
    """Mean Euclidean distance of points (n, 3) to the true surface, in data units: 0 for points on it (up to
    surface.error), the noise's mean normal component for the data itself (about 0.8 × its std)."""
    return float(surface.distance(points).mean())
