"""A walk in latent space: interpolation, per-axis sweeps, the manifold grid, and labels held fixed.

The lecture: "take a walk in latent space by following a line/curve between two points, and look at the
deterministic path of generated observations in X-space; varying only one component z_k visualises its
effect". The z's are pure numpy; the *_frame helpers push them through a Run (run.sample(z=...), which is
deterministic) and return tidy frames in data units for latent_charts. No Streamlit here.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

from .datasets import Dataset
from .frames import Extent, kde_frame
from .runs import Run

SLIDERS = 8  # latent dimensions beyond this are held fixed (a "randomise" button draws them)
SLIDER_STEP = 0.01
PRIOR_SPAN = {"normal": 3.0, "uniform": 1.0}  # sliders cover ±3σ of N(0, I), all of U(-1, 1)
SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def axis_name(k: int) -> str:
    """The lecture's name of latent axis k (0-based): z₁, z₂, ..."""
    return "z" + str(k + 1).translate(SUBSCRIPTS)


def random_z(z_dim: int, latent: str, seed: int) -> np.ndarray:
    """One draw from the prior p(z), seeded, so a "random" point is the same for everyone."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal(z_dim) if latent == "normal" else rng.uniform(-1.0, 1.0, z_dim)


# --------------------------------------------------------------------------------- paths in z


def _endpoints(z0, z1) -> tuple[np.ndarray, np.ndarray]:
    z0, z1 = np.asarray(z0, dtype=np.float64), np.asarray(z1, dtype=np.float64)
    if z0.ndim != 1 or z0.shape != z1.shape:
        raise ValueError(f"z0, z1: need two vectors of one length, got shapes {z0.shape} and {z1.shape}")
    return z0, z1


def _times(steps: int) -> np.ndarray:
    if steps < 2:
        raise ValueError(f"steps: need at least 2 (the two ends), got {steps}")
    return np.linspace(0.0, 1.0, steps)[:, None]


def lerp(z0, z1, steps: int) -> np.ndarray:
    """(steps, z_dim) points (1 − t)·z0 + t·z1 at evenly spaced t in [0, 1]; the ends are z0 and z1 exactly."""
    z0, z1 = _endpoints(z0, z1)
    t = _times(steps)
    return (1 - t) * z0 + t * z1


def slerp(z0, z1, steps: int) -> np.ndarray:
    """(steps, z_dim) points whose direction turns along the great circle from z0 to z1 at constant angular speed
    while the norm moves linearly from ‖z0‖ to ‖z1‖ (White, "Sampling generative networks", 2016).

    A straight line between two draws of N(0, I) cuts through the low-norm middle the prior never visits;
    this path stays on the shell. Parallel ends turn by 0; opposite ends turn through a perpendicular axis
    (any great circle joins them). In one dimension, or from the origin, there is no circle: the line is used.
    """
    z0, z1 = _endpoints(z0, z1)
    r0, r1 = np.linalg.norm(z0), np.linalg.norm(z1)
    if len(z0) == 1 or r0 == 0 or r1 == 0:
        return lerp(z0, z1, steps)
    t = _times(steps)
    u0 = z0 / r0
    across = z1 / r1 - (u0 @ z1 / r1) * u0  # the part of z1's direction perpendicular to z0's
    if np.linalg.norm(across) < 1e-9:  # (anti)parallel: any perpendicular axis spans a great circle
        across = np.eye(len(u0))[np.argmin(np.abs(u0))] - u0[np.argmin(np.abs(u0))] * u0
    omega = np.arccos(np.clip(u0 @ z1 / r1, -1.0, 1.0))
    radius = (1 - t) * r0 + t * r1
    path = radius * (np.cos(t * omega) * u0 + np.sin(t * omega) * across / np.linalg.norm(across))
    path[0], path[-1] = z0, z1  # the ends are the given points, not their reconstruction (which rounds)
    return path


INTERPOLATIONS = {"linear": lerp, "spherical": slerp}


def axis_sweep(z, k: int, values) -> np.ndarray:
    """(len(values), z_dim) copies of z with component z_k set to each value: one latent axis varied alone."""
    z = np.asarray(z, dtype=np.float64)
    if not 0 <= k < len(z):
        raise ValueError(f"k: axis {k} is outside 0..{len(z) - 1}")
    sweep = np.repeat(z[None, :], len(values), axis=0)
    sweep[:, k] = values
    return sweep


def manifold_grid(z_dim: int, resolution: int, span: float, dims=(0, 1), base=None) -> np.ndarray:
    """(resolution, resolution, z_dim) grid of z over [−span, span]² in the two axes `dims`, every other
    component as in `base` (zeros by default): grid[i, j] has z[dims[0]] = value j and z[dims[1]] = value i."""
    a, b = dims
    if z_dim < 2 or a == b or not (0 <= a < z_dim and 0 <= b < z_dim):
        raise ValueError(f"dims: need two different axes in 0..{z_dim - 1}, got {dims!r}")
    if resolution < 2:
        raise ValueError(f"resolution: need at least 2, got {resolution}")
    base = np.zeros(z_dim) if base is None else np.asarray(base, dtype=np.float64)
    values = np.linspace(-span, span, resolution)
    grid = np.broadcast_to(base, (resolution, resolution, z_dim)).copy()
    grid[:, :, a], grid[:, :, b] = values[None, :], values[:, None]
    return grid


# ------------------------------------------------------------------------------ sliders of z


@dataclass(frozen=True)
class LatentSliders:
    """One slider per latent axis up to SLIDERS, keyed `<prefix>z<k>`; further axes live under `<prefix>rest`.

    Pure bookkeeping over a session-state mapping, so both latent pages share it and it tests without a server.
    """

    prefix: str
    z_dim: int
    latent: str

    @property
    def span(self) -> float:
        return PRIOR_SPAN[self.latent]

    @property
    def keys(self) -> list[str]:
        return [f"{self.prefix}z{k}" for k in range(min(self.z_dim, SLIDERS))]

    @property
    def labels(self) -> list[str]:
        return [axis_name(k) for k in range(len(self.keys))]

    def state(self, z) -> dict[str, object]:
        """Session-state values that put the sliders (and the hidden axes) at z, clipped to the sliders' range."""
        z = np.round(np.clip(np.asarray(z, dtype=np.float64), -self.span, self.span), 2)  # SLIDER_STEP places
        values = [float(v) for v in z]
        return {**dict(zip(self.keys, values)), self.prefix + "rest": tuple(values[SLIDERS:])}

    def settled(self, session: Mapping) -> dict[str, object]:
        """The state for the current z: a new run (other z_dim or prior) must not leave a slider out of range."""
        return self.state(self.read(session))

    def read(self, session: Mapping) -> np.ndarray:
        """z from the session state: the sliders, then the hidden axes; missing values are 0, the prior's centre."""
        shown = [float(session.get(key, 0.0)) for key in self.keys]
        hidden = list(session.get(self.prefix + "rest", ()))[:self.z_dim - len(shown)]
        z = np.array(shown + hidden + [0.0] * (self.z_dim - len(shown) - len(hidden)))
        return np.clip(z, -self.span, self.span)

    def draw(self, session: Mapping) -> tuple[np.ndarray, dict[str, int]]:
        """A fresh draw from the prior, and the counter update that makes the next draw another (seeds 1, 2, ...)."""
        draws = int(session.get(self.prefix + "draws", 0)) + 1
        return random_z(self.z_dim, self.latent, draws), {self.prefix + "draws": draws}

    def randomised(self, session: Mapping) -> dict[str, object]:
        """The state that puts the sliders (and hidden axes) at a fresh draw from the prior."""
        z, counter = self.draw(session)
        return {**self.state(z), **counter}


# ------------------------------------------------------------------------- frames of G(z)


def _xy(x: np.ndarray, **columns) -> pd.DataFrame:
    return pd.DataFrame({"x": x[:, 0], "y": x[:, 1], **columns})


def _some_rows(data: Dataset, limit: int) -> np.ndarray:
    """The same `limit` rows of the data on every call: a fixed backdrop, not one that flickers."""
    return np.random.default_rng(0).permutation(len(data.x))[:limit]


def backdrop_frame(run: Run, n: int = 500, label: int | None = None) -> pd.DataFrame:
    """Up to n data points (source "real") and n of G's samples ("generated"; of one class when label is set)."""
    rows = _some_rows(run.data, n)
    return pd.concat([_xy(run.data.x[rows], source="real"),
                      _xy(run.sample(n, labels=label), source="generated")], ignore_index=True)


def point_frame(run: Run, z, label: int | None = None) -> pd.DataFrame:
    """G(z) of one latent point."""
    return _xy(run.sample(z=np.asarray(z)[None, :], labels=label))


def path_frame(run: Run, z0, z1, steps: int, method: str = "linear", label: int | None = None) -> pd.DataFrame:
    """The path G(z(t)) in data space, t from 0 to 1, with ‖z(t)‖ for the norm profile."""
    z = INTERPOLATIONS[method](z0, z1, steps)
    return _xy(run.sample(z=z, labels=label), t=np.linspace(0.0, 1.0, steps), norm=np.linalg.norm(z, axis=1))


def norm_profile_frame(z0, z1, steps: int) -> pd.DataFrame:
    """‖z(t)‖ along both interpolations: the line sags towards the origin, the spherical path does not."""
    t = np.linspace(0.0, 1.0, steps)
    return pd.concat([pd.DataFrame({"t": t, "norm": np.linalg.norm(path(z0, z1, steps), axis=1), "method": name})
                      for name, path in INTERPOLATIONS.items()], ignore_index=True)


def sweep_frame(run: Run, z, values, label: int | None = None) -> pd.DataFrame:
    """For every axis k, the curve G(z with z_k swept over values), others fixed: what direction z_k controls."""
    z, values = np.asarray(z, dtype=np.float64), np.asarray(values, dtype=np.float64)
    sweeps = np.concatenate([axis_sweep(z, k, values) for k in range(len(z))])  # one pass through G
    axes = np.repeat([axis_name(k) for k in range(len(z))], len(values))
    return _xy(run.sample(z=sweeps, labels=label), axis=axes, value=np.tile(values, len(z)))


def manifold_frame(run: Run, resolution: int, span: float, dims=(0, 1), base=None,
                   label: int | None = None) -> pd.DataFrame:
    """The grid of manifold_grid pushed through G, as mesh lines: each line holds one axis fixed and varies
    the other (`varies` names it), points in `order`, so the chart draws the deformed grid GAN Lab shows."""
    grid = manifold_grid(run.config.z_dim, resolution, span, dims, base)
    x = run.sample(z=grid.reshape(-1, grid.shape[-1]), labels=label).reshape(resolution, resolution, -1)
    steps = np.arange(resolution)
    rows = [_xy(x[i], line=f"row {i}", varies=axis_name(dims[0]), order=steps) for i in steps]
    columns = [_xy(x[:, j], line=f"column {j}", varies=axis_name(dims[1]), order=steps) for j in steps]
    return pd.concat(rows + columns, ignore_index=True)


# --------------------------------------------------------------------- conditional samples


def label_names(data: Dataset) -> list[str]:
    """A readable name per class, the index where the dataset has none."""
    return [data.label_names[k] if k < len(data.label_names) else str(k) for k in range(data.n_classes)]


def real_frame(data: Dataset, limit: int = 800) -> pd.DataFrame:
    """Up to `limit` data points with their class names."""
    rows = _some_rows(data, limit)
    return _xy(data.x[rows], label=np.asarray(label_names(data))[data.y[rows]], source="real")


def conditional_frame(run: Run, labels, n: int) -> pd.DataFrame:
    """n samples G(z | y) with y cycling through `labels`: generated points of exactly those classes."""
    y = np.resize(np.asarray(labels, dtype=int), n)
    return _xy(run.sample(n, labels=y), label=np.asarray(label_names(run.data))[y], source="generated")


def same_z_frame(run: Run, z, chosen: int) -> pd.DataFrame:
    """G(z | y) for one z under every label y; `chosen` marks the label the slider holds fixed."""
    classes = run.data.n_classes
    x = run.sample(z=np.repeat(np.asarray(z)[None, :], classes, axis=0), labels=np.arange(classes))
    return _xy(x, label=label_names(run.data), chosen=np.arange(classes) == chosen)


def class_samples(run: Run, n: int = 2000) -> tuple[np.ndarray, np.ndarray]:
    """n samples with labels 0, 1, ..., k−1, 0, ...: every class equally, the same points on every call."""
    labels = np.arange(n) % run.data.n_classes
    return run.sample(n, labels=labels), labels


def class_kde_frame(data: Dataset, samples: np.ndarray, labels: np.ndarray, extent: Extent,
                    resolution: int = 24) -> pd.DataFrame:
    """Per class (column `label`, its name): the data's and the generator's KDE of that class on one grid."""
    return pd.concat([kde_frame(data.x[data.y == k], samples[labels == k], extent, resolution).assign(label=name)
                      for k, name in enumerate(label_names(data))], ignore_index=True)
