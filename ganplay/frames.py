"""A live view's frame as one frozen value computed from a run: points, D's verdict on a grid, G's push,
the densities and the loss history, all numpy in data units. Charts draw a Frame; they never call the run.

No torch here: the run is only asked through its public methods (snapshot, critic, generator_push).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import numpy as np
import pandas as pd

from .metrics import kde_grid

if TYPE_CHECKING:
    from .manifold import ManifoldFrame
    from .trainer import Run

MAX_LOSS_POINTS = 300  # a 20,000-step history draws no better than 300 points and costs 60× the bytes
GRID_RESOLUTION = 64  # pixels per side of D's verdict and of the densities: smooth once the browser scales it
PUSH_ARROWS = 60

Plane = Callable[[np.ndarray], np.ndarray]  # (n, d) points -> (n, 2): the plane data of d > 2 is drawn on


@dataclass(frozen=True, eq=False)  # eq=False: array fields
class Hover:
    """What hovering a generated point shows, one row per fake of the frame: its latent point z, D's value there
    (named by `judge`) and the push G receives there (−∇x of G's loss, data units)."""

    z: np.ndarray  # (m, z_dim): the run's fixed latent points
    critic: np.ndarray  # (m,): D's logit, the critic's value or the MMD witness at each fake
    push: np.ndarray  # (m, d)
    judge: str  # what `critic` is: "D's logit", "critic value" or "MMD witness"


def judge_name(variant) -> str:
    """What a variant's D outputs, in a student's words."""
    return "MMD witness" if not variant.trains_critic else "critic value" if variant.is_wasserstein else "D's logit"


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
        finite_points(x, "the data")  # a NaN window would reach the browser as an invalid chart domain
        lo, hi = x[:, :2].min(axis=0), x[:, :2].max(axis=0)
        centre, half = (lo + hi) / 2, (1 + margin) * max(float((hi - lo).max()), 1e-3) / 2
        return cls(float(centre[0] - half), float(centre[0] + half), float(centre[1] - half), float(centre[1] + half))

    def grid(self, resolution: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """xs, ys (ends included) and the (resolution², 2) grid points, x varying fastest."""
        xs, ys = np.linspace(self.xmin, self.xmax, resolution), np.linspace(self.ymin, self.ymax, resolution)
        gx, gy = np.meshgrid(xs, ys)
        return xs, ys, np.stack([gx.ravel(), gy.ravel()], axis=1).astype(np.float32)

    def pixel_centres(self, resolution: int) -> "Extent":
        """The window through the centres of a resolution × resolution image covering this one."""
        dx, dy = (self.xmax - self.xmin) / resolution / 2, (self.ymax - self.ymin) / resolution / 2
        return Extent(self.xmin + dx, self.xmax - dx, self.ymin + dy, self.ymax - dy)

    @property
    def span(self) -> float:
        return max(self.xmax - self.xmin, self.ymax - self.ymin)

    @property
    def as_tuple(self) -> tuple[float, float, float, float]:
        return self.xmin, self.xmax, self.ymin, self.ymax


@dataclass(frozen=True, eq=False)  # eq=False: array fields
class Frame:
    """What one frame of a live view shows. Grids are (r, r) with row i at the i-th y from the bottom
    (kde_grid's convention), sampled at the pixel centres of an r × r image over `extent`."""

    step: int
    status: str
    diverged_at: int | None
    real: np.ndarray  # (n, d) data rows, and their labels or None
    real_labels: np.ndarray | None
    fake: np.ndarray  # (m, d) G at the run's fixed latent points: each dot keeps its identity
    fake_labels: np.ndarray | None
    label_names: tuple[str, ...]
    real_2d: np.ndarray  # the points on the drawn plane (the data's own when it has two columns)
    fake_2d: np.ndarray
    extent: Extent  # the drawn plane's window
    wasserstein: bool  # critic holds the critic's value f(x) (Wasserstein, MMD's witness), else D(x) as a probability
    critic: np.ndarray | None  # (r, r), only for 2-D data
    push: np.ndarray | None  # (k, 4) arrows x, y, x2, y2: G's pull on the first fakes, only for 2-D data
    densities: tuple[np.ndarray, np.ndarray] | None  # KDE (r, r) of the data and of the generator
    history: pd.DataFrame  # step, d_loss, g_loss, penalty; at most MAX_LOSS_POINTS rows
    manifold: "ManifoldFrame | None" = None  # the 3-D view of 3-D data (manifold.with_manifold)
    hover: Hover | None = None  # per fake: z, D's value, G's push (not for pictures: they are not drawn as points)


def frame_of(run: "Run", plane: Plane | None = None, *, critic: bool = True, push: bool = False,
             densities: bool = True, hover: bool = True, resolution: int = GRID_RESOLUTION) -> Frame:
    """The frame of `run` as it stands; `plane` projects data of more than two columns for drawing.

    D's verdict and G's push arrows live in the data's own plane, so they are left out when the data is not 2-D;
    the hover values (in the data's own space) are kept.
    """
    snap = run.snapshot()
    flat = run.data.dim == 2
    readout = hover_of(run, snap.fake, snap.fake_labels) if hover and not run.data.is_image else None
    draw = plane if plane is not None and not flat else (lambda x: x)
    real_2d, fake_2d = finite_points(draw(snap.real), "the data"), finite_points(draw(snap.fake), "G's samples")
    extent = Extent.around(draw(run.data.x))
    return Frame(
        step=snap.step, status=snap.status, diverged_at=snap.diverged_at,
        real=snap.real, real_labels=snap.real_labels, fake=snap.fake, fake_labels=snap.fake_labels,
        label_names=tuple(run.data.label_names), real_2d=real_2d, fake_2d=fake_2d, extent=extent,
        wasserstein=run.settings.variant_spec.raw_critic,
        critic=critic_grid(run, extent, resolution) if critic and flat else None,
        push=push_arrows(run, snap.fake, extent, snap.fake_labels, known=readout) if push and flat else None,
        densities=density_grids(real_2d, fake_2d, extent, resolution) if densities else None,
        history=thin_history(snap.history), hover=readout,
    )


def hover_of(run: "Run", fake: np.ndarray, labels=None) -> Hover:
    """The hover values at the run's fixed-z fakes: D's value and G's push from one pass of D."""
    critic, push = run.critic_and_push(fake, label=labels)
    return Hover(z=run.fixed_z, critic=critic, push=push, judge=judge_name(run.settings.variant_spec))


def finite_points(x: np.ndarray, what: str) -> np.ndarray:
    """x, or a ValueError a page shows as its message when some points are NaN or infinite (nothing to draw)."""
    if not np.isfinite(x).all():
        raise ValueError(f"{what}: some points are NaN or infinite, so there is nothing to draw (values too large "
                         "for 32-bit floats?)")
    return x


def critic_grid(run: "Run", extent: Extent, resolution: int = GRID_RESOLUTION, label: int | None = None) -> np.ndarray:
    """D(x) at the pixel centres: a probability for the classic losses, the raw critic value for Wasserstein ones."""
    _, _, points = extent.pixel_centres(resolution).grid(resolution)
    value = run.critic(points, label=label)
    if not run.settings.variant_spec.raw_critic:
        value = 1 / (1 + np.exp(-np.clip(value, -30, 30)))
    return value.reshape(resolution, resolution)


def push_arrows(run: "Run", fake: np.ndarray, extent: Extent, labels=None, count: int = PUSH_ARROWS,
                known: Hover | None = None) -> np.ndarray:
    """Arrows (x, y, x2, y2) from the first fakes along the direction D pushes them, the longest a fixed share
    of the window; `known` holds the push at these fakes already (a frame's hover values)."""
    fake = fake[:count]
    push = known.push[:count] if known is not None else (
        run.generator_push(fake, label=None if labels is None else labels[:count]))
    length = float(np.linalg.norm(push, axis=1).max(initial=0.0))
    step = push / max(length, 1e-12) * 0.06 * extent.span
    return np.concatenate([fake[:, :2], fake[:, :2] + step], axis=1).astype(np.float32)


def density_grids(real: np.ndarray, fake: np.ndarray, extent: Extent,
                  resolution: int = GRID_RESOLUTION) -> tuple[np.ndarray, np.ndarray]:
    """Kernel density estimates of the data and of G's samples at the pixel centres (the lecture's "KDE of g")."""
    bandwidth, window = 0.04 * extent.span, extent.pixel_centres(resolution).as_tuple
    return tuple(kde_grid(x[:, :2], window, resolution, bandwidth)[2] for x in (real, fake))


def thin_history(history: pd.DataFrame, limit: int = MAX_LOSS_POINTS) -> pd.DataFrame:
    """At most `limit` evenly spaced rows, the first and the last always among them."""
    if len(history) > limit:
        history = history.iloc[np.unique(np.linspace(0, len(history) - 1, limit).round().astype(int))]
    return history.reset_index(drop=True)


def kde_frame(data: np.ndarray, fake: np.ndarray, extent: Extent, resolution: int = 20) -> pd.DataFrame:
    """The densities of data and generator as tidy rectangles (x, x2, y, y2, density, of), for small panels."""
    bandwidth = 0.04 * extent.span
    frames = []
    for name, x in (("data", data), ("generator", fake)):
        xs, ys, density = kde_grid(x[:, :2], extent.as_tuple, resolution, bandwidth)
        gx, gy = np.meshgrid(xs, ys)
        frames.append(pd.DataFrame({"x": gx.ravel(), "y": gy.ravel(), "density": density.ravel(), "of": name}))
    step_x, step_y = (xs[1] - xs[0]) / 2, (ys[1] - ys[0]) / 2
    frame = pd.concat(frames, ignore_index=True)
    return frame.assign(x2=frame.x + step_x, y2=frame.y + step_y, x=frame.x - step_x, y=frame.y - step_y)
