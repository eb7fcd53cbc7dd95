"""The picture views' builders: grids of generated and real images, D's verdict per image, latent walks as
image rows, and the digit-mode track as an Altair chart.

Each grid is one uint8 image (ganplay.pictures.image_grid: nearest-neighbour upscaled), so a frame sends one
small picture per grid instead of one chart per image. No Streamlit and no torch here: a run is asked only
through its public methods (snapshot, critic, sample), as in frames.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import altair as alt
import numpy as np
import pandas as pd

from .collapse_charts import Colours, _scale  # the mode-collapse page's colours, variant by variant
from .datasets import Dataset
from .frames import thin_history
from .pictures import image_grid, png_bytes

if TYPE_CHECKING:
    from .runs import Run

SHOWN = 64          # generated (and real) images in the Playground's grids: G at its first 64 fixed latent points
COLUMNS = 8
SCALE = 4           # screen pixels per image pixel: an 8×8 grid of 8×8 digits fits a third of the page
BORDER = 2          # D's verdict frames each generated image this thick


def ink_range(data: Dataset) -> tuple[float, float]:
    """The pixel range drawn from black to white: the data's own, so G's output is drawn on the data's scale."""
    lo, hi = float(data.x.min()), float(data.x.max())
    return lo, hi if hi > lo else lo + 1.0


def verdict_scores(values: np.ndarray, wasserstein: bool) -> np.ndarray:
    """D's verdict per image on [0, 1] (0 "fake", 1 "real"): the sigmoid of the logit for the classic losses;
    a Wasserstein critic's value has no scale, so it is rescaled over this frame's images (min to max)."""
    values = np.nan_to_num(np.asarray(values, dtype=np.float64))
    if not wasserstein:
        return 1 / (1 + np.exp(-np.clip(values, -30, 30)))
    if values.size == 0 or np.ptp(values) < 1e-12:
        return np.full(values.shape, 0.5)
    return (values - values.min()) / np.ptp(values)


def grid_of(images: np.ndarray, data: Dataset, columns: int = COLUMNS, scale: int = SCALE, **grid) -> np.ndarray:
    """Rows of pixels of `data`'s shape as one grid image on the data's ink range."""
    return image_grid(images, data.image_shape, min(columns, len(images)), scale, ink_range(data), **grid)


def sheet_png(images: np.ndarray, data: Dataset, columns: int = 10, scale: int = 4) -> bytes:
    """Generated images as one PNG sheet (the Playground's download), on the data's ink range."""
    return png_bytes(grid_of(images, data, columns, scale))


@dataclass(frozen=True, eq=False)  # eq=False: array fields
class PictureFrame:
    """One frame of the Playground's picture view: both grids as images, D's scores, the losses."""

    step: int
    fake: np.ndarray            # (H, W, 3) uint8 when framed by D's verdict, else (H, W)
    real: np.ndarray            # (H, W) uint8
    scores: np.ndarray | None   # (SHOWN,) D's verdict on [0, 1] per generated image, row by row
    history: pd.DataFrame


def picture_frame(run: "Run", verdict: bool = True, shown: int = SHOWN) -> PictureFrame:
    """G at the run's first `shown` fixed latent points (each image keeps its z from frame to frame) beside as
    many real images; with verdict, each generated image framed by D's judgement of it. With PacGAN (pack m),
    D judges m images at once, so each is judged packed with m − 1 copies of itself (Run.critic)."""
    snap, data = run.snapshot(), run.data
    fake, real = snap.fake[:shown], snap.real[:shown]
    scores = None
    if verdict:
        labels = None if snap.fake_labels is None else snap.fake_labels[:shown]
        scores = verdict_scores(run.critic(fake, label=labels), run.settings.variant_spec.raw_critic)
    return PictureFrame(snap.step, grid_of(fake, data, border=BORDER, scores=scores),
                        grid_of(real, data, border=BORDER), scores, thin_history(snap.history))


def images_at(run: "Run", z: np.ndarray, label: int | None = None, columns: int = COLUMNS,
              scale: int = SCALE) -> np.ndarray:
    """G at latent points z (m, z_dim) as one grid image, row by row, `columns` to a row."""
    z = np.asarray(z, dtype=np.float64).reshape(-1, run.config.z_dim)
    return grid_of(run.sample(z=z, labels=label), run.data, columns, scale)


def labelled_images(run: "Run", labels, per_label: int, columns: int = 10, scale: int = SCALE) -> np.ndarray:
    """A conditional run's samples: per_label images of each label in turn, each label starting a new row."""
    labels = np.asarray(labels, dtype=int)
    rows = -(-per_label // columns) * columns  # cells per label, whole rows
    asked = np.repeat(labels, rows)
    images = run.sample(len(asked), labels=asked)
    blank = np.tile(np.arange(rows) >= per_label, len(labels))
    images[blank] = ink_range(run.data)[0]  # the row's tail stays blank: black, as unfilled cells
    return grid_of(images, run.data, columns, scale)


def same_z_images(run: "Run", z, scale: int = SCALE + 3) -> np.ndarray:
    """G(z | y) for one z under every label y, in label order: one style drawn as every class."""
    classes = run.data.n_classes
    z = np.repeat(np.asarray(z, dtype=np.float64)[None, :], classes, axis=0)
    return grid_of(run.sample(z=z, labels=np.arange(classes)), run.data, classes, scale)


# --- the digit-mode track (mode collapse page) -------------------------------------------------------

def digit_track_chart(track: pd.DataFrame, colours: Colours) -> alt.HConcatChart:
    """Digits covered and confident share over training, one line per variant (columns: step, variant,
    covered, confident_share, kl_to_uniform)."""
    base = alt.Chart(track).encode(x=alt.X("step:Q", title="generator step"),
                                   color=alt.Color("variant:N", scale=_scale(colours), title=None, legend=alt.Legend(orient="top")),
                                   tooltip=["variant", "step", "covered", alt.Tooltip("confident_share", format=".0%"),
                                            alt.Tooltip("kl_to_uniform", format=".2f")])
    covered = base.mark_line(point=True).encode(
        y=alt.Y("covered:Q", title="digits covered", scale=alt.Scale(domain=[0, 10])))
    share = base.mark_line(point=True).encode(
        y=alt.Y("confident_share:Q", title="confident share", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])))
    kl = base.mark_line(point=True).encode(y=alt.Y("kl_to_uniform:Q", title="KL to uniform (nats)",
                                                   scale=alt.Scale(domain=[0, float(np.log(10))])))
    return alt.hconcat(*(c.properties(width=210, height=160) for c in (covered, share, kl)))
