"""Dataset registry: name -> sampler. Every sampler is deterministic for a given seed."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Callable, Mapping

import numpy as np
from sklearn import datasets as skd

from .surfaces import S_CURVE, SPHERE, SWISS_ROLL, Surface

MAX_ROWS = 50_000
MAX_DIMS = 16          # points: the registered 2-D sets and your own CSV columns
MAX_IMAGE_PIXELS = 64  # registered pictures only (8×8 digits): a visitor's data keeps MAX_DIMS


@dataclass(frozen=True, eq=False)
class Dataset:
    """x: (n, d) float32; y: (n,) int labels or None; centers: (k, d) mode centres or None; std: their spread."""

    name: str
    x: np.ndarray
    y: np.ndarray | None = None
    centers: np.ndarray | None = None
    std: float | None = None
    columns: tuple[str, ...] = ("x1", "x2")
    label_names: tuple[str, ...] = ()
    image_shape: tuple[int, int] | None = None  # (height, width) when each row is a picture, row-major

    @property
    def dim(self) -> int:
        return self.x.shape[1]

    @property
    def is_image(self) -> bool:
        return self.image_shape is not None

    @property
    def n_classes(self) -> int:
        return 0 if self.y is None else int(self.y.max()) + 1


@dataclass(frozen=True)
class DatasetSpec:
    name: str
    title: str
    description: str
    sampler: Callable[[int, float, int], Dataset]  # (n, noise, seed) -> Dataset
    default_noise: float
    labelled: bool = False
    has_modes: bool = False
    image_shape: tuple[int, int] | None = None
    surface: Surface | None = None  # the 2-D manifold in R³ the data was drawn from (surfaces.py)
    # RunConfig fields this data trains well with (measured), beyond the variant's own defaults,
    # and for some variants a few more (variant name -> fields)
    recommended: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    recommended_by_variant: Mapping[str, Mapping[str, Any]] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self):
        if self.image_shape is not None and math.prod(self.image_shape) > MAX_IMAGE_PIXELS:
            raise ValueError(f"dataset {self.name!r}: {self.image_shape} is more than {MAX_IMAGE_PIXELS} pixels")

    def recipe(self, variant: str) -> dict[str, Any]:
        """The recommended RunConfig fields for this variant: RunConfig(dataset=…, variant=v, **spec.recipe(v))."""
        return {**self.recommended, **self.recommended_by_variant.get(variant, {})}

    @property
    def max_dims(self) -> int:
        """The widest rows this dataset may have: pictures have their own, larger limit."""
        return MAX_IMAGE_PIXELS if self.image_shape is not None else MAX_DIMS


def gaussian_mixture(name: str, centers: np.ndarray, n: int, std: float, seed: int) -> Dataset:
    """n points spread evenly over the mixture's components; the component index is the label."""
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n) % len(centers))
    x = centers[y] + std * rng.standard_normal((n, centers.shape[1]))
    return Dataset(name, x.astype(np.float32), y, centers.astype(np.float32), std)


def ring_centers(k: int = 8, radius: float = 2.0) -> np.ndarray:
    angles = 2 * np.pi * np.arange(k) / k
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def grid_centers(side: int = 5, spacing: float = 2.0) -> np.ndarray:
    ticks = spacing * (np.arange(side) - (side - 1) / 2)
    return np.array([(a, b) for a in ticks for b in ticks])


def _ring8(n: int, noise: float, seed: int) -> Dataset:
    return gaussian_mixture("ring8", ring_centers(), n, noise, seed)


def _ring8_unit(n: int, noise: float, seed: int) -> Dataset:
    return gaussian_mixture("ring8-unit", ring_centers(radius=1.0), n, noise, seed)


def _grid25(n: int, noise: float, seed: int) -> Dataset:
    return gaussian_mixture("grid25", grid_centers(), n, noise, seed)


def _swissroll(n: int, noise: float, seed: int) -> Dataset:
    x, _ = skd.make_swiss_roll(n, noise=noise, random_state=seed)
    return Dataset("swissroll", (x[:, [0, 2]] / 5).astype(np.float32))  # gan_toy.py's scaling


def _moons(n: int, noise: float, seed: int) -> Dataset:
    x, y = skd.make_moons(n, noise=noise, random_state=seed)
    return Dataset("moons", x.astype(np.float32), y, label_names=("upper", "lower"))


def _circles(n: int, noise: float, seed: int) -> Dataset:
    x, y = skd.make_circles(n, noise=noise, factor=0.5, random_state=seed)
    return Dataset("circles", x.astype(np.float32), y, label_names=("outer", "inner"))


def _blobs(n: int, noise: float, seed: int) -> Dataset:
    centers = np.array([[-3.0, -2.0], [0.0, 3.0], [3.0, -2.0]])
    x, y = skd.make_blobs(n, centers=centers, cluster_std=noise, random_state=seed)
    return Dataset("blobs", x.astype(np.float32), y, centers.astype(np.float32), noise,
                   label_names=("blob 0", "blob 1", "blob 2"))


def _iris(n: int, noise: float, seed: int) -> Dataset:
    """The lecture's example: sepal length and width of the 150 irises, resampled to n with jitter."""
    iris = skd.load_iris()
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(iris.target), size=n, replace=n > len(iris.target))
    x = iris.data[rows, :2] + noise * rng.standard_normal((n, 2))
    return Dataset("iris", x.astype(np.float32), iris.target[rows], columns=("sepal length (cm)", "sepal width (cm)"),
                   label_names=tuple(iris.target_names))


@lru_cache(maxsize=1)
def digit_images() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 1,797 handwritten digits (8×8, ink 0..16) as read-only (1797, 64) rows and labels."""
    digits = skd.load_digits()
    x, y = digits.data.astype(np.float32), digits.target.astype(np.int64)
    x.flags.writeable = y.flags.writeable = False
    return x, y


DIGIT_INK = (0.0, 16.0)  # the pixel range of load_digits
# Measured with ganplay.digit_modes (nsgan, 5,000 steps, ~16 s on a shared core): 60 % confident, all ten digits
# covered; without packing (pack 1) 83 % confident but five digits. Every variant trains with it (issue 14's report).
DIGITS_RECOMMENDED = {"z_dim": 16, "g_width": 256, "d_width": 256, "batch_size": 128, "pack": 2, "steps": 5000}
# WGAN's clip: 9 digits covered at 5,000 steps with c = 0.05, against 5 with 0.01 and 4 with 0.1
DIGITS_BY_VARIANT = {"wgan": {"clip": 0.05}}


def _digits(n: int, noise: float, seed: int) -> Dataset:
    """n of the digits, each image once before any repeats (a shuffled pass per 1,797); noise adds Gaussian
    jitter in ink units, clipped to the ink range, so repeated images differ."""
    images, labels = digit_images()
    rng = np.random.default_rng(seed)
    rows = np.concatenate([rng.permutation(len(labels)) for _ in range(-(-n // len(labels)))])[:n]
    x = images[rows] + (noise * rng.standard_normal((n, images.shape[1])) if noise else 0.0)
    return Dataset("digits", np.clip(x, *DIGIT_INK).astype(np.float32), labels[rows],
                   columns=tuple(f"r{r}c{c}" for r in range(8) for c in range(8)),
                   label_names=tuple(map(str, range(10))), image_shape=(8, 8))


# Measured once (nsgan, seed 0; mean distance of 2,000 samples to the surface): at 2,000 steps G is still far from the
# roll (0.36) and the S-curve (0.28); at 6,000 with widths 128, 0.07 and 0.05 (widths 64: 0.09 and 0.09).
SURFACE_RECOMMENDED = MappingProxyType({"g_width": 128, "d_width": 128, "steps": 6000})


def _on_surface(name: str, surface: Surface) -> Callable[[int, float, int], Dataset]:
    return lambda n, noise, seed: Dataset(name, surface.sample(n, noise, seed).astype(np.float32),
                                          columns=("x1", "x2", "x3"))


DATASETS: Mapping[str, DatasetSpec] = MappingProxyType({s.name: s for s in (
    DatasetSpec("ring8", "8 Gaussians on a ring",
                "Eight Gaussians on a circle of radius 2 (the unrolled-GAN / VEEGAN / PacGAN ring): "
                "the classic test for mode collapse.", _ring8, 0.05, labelled=True, has_modes=True),
    DatasetSpec("ring8-unit", "8 Gaussians on the unit ring (PacGAN's)",
                "Eight Gaussians of spread 0.01 on a circle of radius 1: the 2-D ring of PacGAN (Lin et al. 2018, "
                "their code's config) and GDPP, sharper than ring8 (σ/r = 0.01 against 0.025).",
                _ring8_unit, 0.01, labelled=True, has_modes=True),
    DatasetSpec("grid25", "25 Gaussians on a grid",
                "A 5×5 grid of Gaussians, 2 apart (the VEEGAN / PacGAN grid): harder, many modes.",
                _grid25, 0.05, labelled=True, has_modes=True),
    DatasetSpec("swissroll", "Swiss roll", "scikit-learn's swiss roll, two of its columns (as in gan_toy.py).",
                _swissroll, 0.25),
    DatasetSpec("moons", "Two moons", "scikit-learn's interleaving half circles, with their labels.",
                _moons, 0.05, labelled=True),
    DatasetSpec("circles", "Two circles", "scikit-learn's concentric circles, with their labels.",
                _circles, 0.04, labelled=True),
    DatasetSpec("blobs", "Three blobs", "Three isotropic Gaussian blobs (scikit-learn's make_blobs), labelled.",
                _blobs, 0.5, labelled=True, has_modes=True),
    DatasetSpec("iris", "Iris (2-D)", "Sepal length and width of Fisher's irises, the lecture's example; "
                "species as labels.", _iris, 0.02, labelled=True),
    DatasetSpec("digits", "Handwritten digits (8×8)",
                "scikit-learn's 1,797 greyscale 8×8 digits (UCI), each a 64-long row of ink 0..16, labelled 0-9: "
                "a GAN that draws pictures.", _digits, 0.0, labelled=True, image_shape=(8, 8),
                recommended=MappingProxyType(DIGITS_RECOMMENDED),
                recommended_by_variant=MappingProxyType(DIGITS_BY_VARIANT)),
    DatasetSpec("swissroll3d", "Swiss roll (3-D)",
                "scikit-learn's 3-D swiss roll (make_swiss_roll, ÷5 as the 2-D one): a rolled-up plane in R³, "
                "the manifold hypothesis in miniature.", _on_surface("swissroll3d", SWISS_ROLL), 0.05,
                surface=SWISS_ROLL, recommended=SURFACE_RECOMMENDED),
    DatasetSpec("scurve", "S-curve (3-D)", "scikit-learn's S-curve (make_s_curve): a plane bent into an S in R³.",
                _on_surface("scurve", S_CURVE), 0.05, surface=S_CURVE, recommended=SURFACE_RECOMMENDED),
    DatasetSpec("sphere", "Sphere (3-D)", "Points uniform on a sphere of radius 2: a closed surface no plane "
                "maps onto without a tear.", _on_surface("sphere", SPHERE), 0.05, surface=SPHERE),
    DatasetSpec("csv", "Your own CSV", "Numeric columns of a file you upload; an optional label column.",
                lambda n, noise, seed: _needs_upload(), 0.0),
)})


def _needs_upload() -> Dataset:
    raise ValueError("dataset 'csv' has no sampler: pass the uploaded data (ganplay.from_array)")


def load_dataset(name: str, n: int = 2000, seed: int = 0, noise: float | None = None) -> Dataset:
    """Sample n points of a registered dataset. noise defaults to the dataset's own."""
    if name not in DATASETS:
        raise ValueError(f"dataset: unknown {name!r}; choose one of {', '.join(DATASETS)}")
    if not 1 <= n <= MAX_ROWS:
        raise ValueError(f"n: {n} is outside 1..{MAX_ROWS}")
    spec = DATASETS[name]
    data = spec.sampler(n, spec.default_noise if noise is None else noise, seed)
    if data.dim > spec.max_dims:
        raise ValueError(f"dataset {name!r}: {data.dim} columns; at most {spec.max_dims} are supported")
    return data


def from_array(x: np.ndarray, y: np.ndarray | None = None, columns: tuple[str, ...] | None = None,
               label_names: tuple[str, ...] = ()) -> Dataset:
    """A user's data as a Dataset, refused with a ValueError naming the problem when unusable."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] < 2:
        raise ValueError("data: need a 2-D array with at least 2 rows")
    if not 1 <= x.shape[1] <= MAX_DIMS:
        raise ValueError(f"data: {x.shape[1]} columns; 1..{MAX_DIMS} numeric columns are supported")
    if x.shape[0] > MAX_ROWS:
        raise ValueError(f"data: {x.shape[0]} rows; at most {MAX_ROWS} are supported")
    if not np.isfinite(x).all():
        raise ValueError("data: contains NaN or infinite values")
    if y is not None:
        _, y = np.unique(np.asarray(y), return_inverse=True)
    columns = columns or tuple(f"x{i + 1}" for i in range(x.shape[1]))
    return Dataset("csv", x.astype(np.float32), y, columns=tuple(columns), label_names=tuple(label_names))
