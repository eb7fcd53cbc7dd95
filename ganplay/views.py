"""What the charts show, computed from a run: tidy pandas frames in data units (no Altair here)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .datasets import Dataset
from .metrics import kde_grid
from .runs import Run, Snapshot

MAX_LOSS_POINTS = 400


@dataclass(frozen=True)
class Extent:
    """The fixed plotting window of a dataset, so axes do not jump between frames."""

    xmin: float
    xmax: float
    ymin: float
    ymax: float

    @classmethod
    def around(cls, x: np.ndarray, margin: float = 0.25) -> "Extent":
        """A square window: equal units on both axes, so a ring looks like a ring."""
        lo, hi = x[:, :2].min(axis=0), x[:, :2].max(axis=0)
        centre, half = (lo + hi) / 2, (1 + margin) * max(float((hi - lo).max()), 1e-3) / 2
        return cls(float(centre[0] - half), float(centre[0] + half), float(centre[1] - half), float(centre[1] + half))

    def grid(self, resolution: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        xs, ys = np.linspace(self.xmin, self.xmax, resolution), np.linspace(self.ymin, self.ymax, resolution)
        gx, gy = np.meshgrid(xs, ys)
        return xs, ys, np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)

    @property
    def as_tuple(self) -> tuple[float, float, float, float]:
        return self.xmin, self.xmax, self.ymin, self.ymax


def points_frame(snapshot: Snapshot, label_names=()) -> pd.DataFrame:
    """Real and generated points in one frame; `id` keeps each fake dot's identity between frames."""
    def part(x, labels, source):
        frame = pd.DataFrame({"x": x[:, 0], "y": x[:, 1], "source": source, "id": np.arange(len(x))})
        if labels is not None:
            frame["label"] = [label_names[k] if k < len(label_names) else str(k) for k in labels]
        return frame
    return pd.concat([part(snapshot.real, snapshot.real_labels, "real"),
                      part(snapshot.fake, snapshot.fake_labels, "generated")], ignore_index=True)


def critic_frame(run: Run, extent: Extent, resolution: int = 26, label: int | None = None) -> pd.DataFrame:
    """D(x) on a grid: a probability for the classic losses, the raw critic value for Wasserstein ones."""
    xs, ys, points = extent.grid(resolution)
    value = run.critic(points, label=label)
    if not run.config.variant_spec.is_wasserstein:
        value = 1 / (1 + np.exp(-np.clip(value, -30, 30)))
    step_x, step_y = (xs[1] - xs[0]) / 2, (ys[1] - ys[0]) / 2
    return pd.DataFrame({"x": points[:, 0] - step_x, "x2": points[:, 0] + step_x,
                         "y": points[:, 1] - step_y, "y2": points[:, 1] + step_y, "value": value})


def push_frame(run: Run, fake: np.ndarray, extent: Extent, count: int = 60, labels=None) -> pd.DataFrame:
    """Arrows from some fakes along the direction D pushes them, scaled to a fixed share of the window."""
    fake = fake[:count]
    label = None if labels is None else labels[:count]
    push = run.generator_push(fake, label=label)
    length = np.linalg.norm(push, axis=1, keepdims=True)
    reach = 0.06 * max(extent.xmax - extent.xmin, extent.ymax - extent.ymin)
    step = push / max(float(length.max()), 1e-12) * reach
    return pd.DataFrame({"x": fake[:, 0], "y": fake[:, 1], "x2": fake[:, 0] + step[:, 0], "y2": fake[:, 1] + step[:, 1]})


def loss_frame(history: pd.DataFrame) -> pd.DataFrame:
    """Losses in long form, thinned to at most MAX_LOSS_POINTS steps; the penalty only where there is one."""
    if len(history) > MAX_LOSS_POINTS:
        history = history.iloc[np.linspace(0, len(history) - 1, MAX_LOSS_POINTS).astype(int)]
    columns = ["d_loss", "g_loss"] + (["penalty"] if history["penalty"].abs().sum() > 0 else [])
    return history.melt(id_vars="step", value_vars=columns, var_name="loss", value_name="value")


def kde_frame(data: np.ndarray, fake: np.ndarray, extent: Extent, resolution: int = 20) -> pd.DataFrame:
    """Kernel density estimates of the data and of G's samples on one grid (the lecture's "KDE of g")."""
    bandwidth = 0.04 * max(extent.xmax - extent.xmin, extent.ymax - extent.ymin)
    frames = []
    for name, x in (("data", data), ("generator", fake)):
        xs, ys, density = kde_grid(x[:, :2], extent.as_tuple, resolution, bandwidth)
        gx, gy = np.meshgrid(xs, ys)
        frames.append(pd.DataFrame({"x": gx.ravel(), "y": gy.ravel(), "density": density.ravel(), "of": name}))
    step_x, step_y = (xs[1] - xs[0]) / 2, (ys[1] - ys[0]) / 2
    frame = pd.concat(frames, ignore_index=True)
    return frame.assign(x2=frame.x + step_x, y2=frame.y + step_y, x=frame.x - step_x, y=frame.y - step_y)


def dataset_frame(data: Dataset, limit: int = 600) -> pd.DataFrame:
    rows = np.random.default_rng(0).permutation(len(data.x))[:limit]
    frame = pd.DataFrame({"x": data.x[rows, 0], "y": data.x[rows, 1]})
    if data.y is not None:
        frame["label"] = data.y[rows].astype(str)
    return frame
