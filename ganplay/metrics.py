"""Sample-quality metrics for generated point clouds: mode coverage, distances between samples, grids for charts.

Small pure functions: numpy arrays in, floats / numpy arrays / frozen dataclasses / a DataFrame out.
Every random choice (projections, subsamples) is seeded, so a metric is a function of its inputs.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Mapping

import numpy as np
import pandas as pd
from scipy.spatial.distance import pdist
from sklearn.metrics.pairwise import rbf_kernel
from sklearn.neighbors import NearestNeighbors

if TYPE_CHECKING:  # only for the annotation; keeps metrics importable on its own
    from .datasets import Dataset

REFERENCE_SAMPLES = 2500  # VEEGAN, PacGAN and GDPP score 2,500 generated samples
MMD_MAX_POINTS = 2000
KDE_MAX_POINTS = 1500


def _points(a, name: str, dim: int | None = None) -> np.ndarray:
    """a as a finite (n, d) float64 array, refused with a ValueError naming the argument otherwise."""
    a = np.asarray(a, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] < 1:
        raise ValueError(f"{name}: need a 2-D array (n, d) with at least one row, got shape {a.shape}")
    if dim is not None and a.shape[1] != dim:
        raise ValueError(f"{name}: has {a.shape[1]} columns, expected {dim}")
    if not np.isfinite(a).all():
        raise ValueError(f"{name}: contains NaN or infinite values")
    return a


def _subsample(a: np.ndarray, max_points: int, seed: int = 0) -> np.ndarray:
    """At most max_points rows of a, the same rows for the same input (a seeded choice without replacement)."""
    if len(a) <= max_points:
        return a
    rows = np.random.default_rng(seed).choice(len(a), size=max_points, replace=False)
    return a[np.sort(rows)]  # sorted so the subsample keeps the input's order


# --------------------------------------------------------------------------------------------- modes


def assign_modes(samples, centers) -> tuple[np.ndarray, np.ndarray]:
    """Nearest mode centre of every sample: (mode_index (n,) int, euclidean distance (n,) float)."""
    centers = _points(centers, "centers")
    samples = _points(samples, "samples", centers.shape[1])
    distance, index = NearestNeighbors(n_neighbors=1).fit(centers).kneighbors(samples)
    return index[:, 0], distance[:, 0]


@dataclass(frozen=True, eq=False)  # eq=False as datasets.Dataset: == on an array field would be ambiguous
class ModeReport:
    """Mode coverage of a generated sample on a mixture with known centres.

    counts: (k,) number of high-quality samples per mode; high_quality_share: their fraction of all samples;
    modes_captured: modes with at least min_count high-quality samples; reverse_kl: KL(p_gen || uniform) of the
    generated mode histogram, in nats (0 = modes evenly covered, log k = everything on one mode).
    """

    counts: np.ndarray
    high_quality_share: float
    modes_captured: int
    reverse_kl: float

    def captured(self, min_count: int) -> int:
        """Modes with at least min_count high-quality samples (the report's own threshold gave modes_captured)."""
        return int((self.counts >= min_count).sum())


@dataclass(frozen=True)
class CaptureRule:
    """When a mode counts as captured: at least `count` of its high-quality samples per `per` samples scored
    (per None: `count` whatever the sample size), and where the rule comes from."""

    name: str
    title: str
    count: int
    per: int | None
    source: str

    def min_count(self, n: int) -> int:
        """The threshold for n scored samples (a scaled rule never drops below 1)."""
        return self.count if self.per is None else max(1, round(self.count * n / self.per))


CAPTURE_RULES: Mapping[str, CaptureRule] = MappingProxyType({rule.name: rule for rule in (
    CaptureRule("any", "at least 1 high-quality sample", 1, None,
                "PacGAN's code (Lin et al., NeurIPS 2018; github.com/fjxmlzn/PacGAN, synthetic_data_experiments/"
                "PacGAN/pacgan/extensions.py, MetricLogger: numpy.nonzero of the per-mode counts within 3σ) and "
                "GDPP's (Elfeki et al., ICML 2019; github.com/M-Elfeki/GDPP, gdppgan_Synthetic.py, evaluate_samples)"),
    CaptureRule("twenty", "at least 20 high-quality samples of 2,500", 20, REFERENCE_SAMPLES,
                "ganplay's stricter rule, so that a few stray samples do not count as a mode; earlier attributed "
                "to VEEGAN / PacGAN, whose published code counts a mode from one sample (rule 'any')"),
)})
DEFAULT_RULE = "twenty"  # the live comparison's; a paper's protocol uses its own (ganplay.protocols)


def default_min_count(n: int) -> int:
    """The default rule's threshold (20 of 2,500) scaled to n samples (at least 1)."""
    return CAPTURE_RULES[DEFAULT_RULE].min_count(n)


def mode_report(samples, centers, std: float, *, quality_stds: float = 3.0,
                min_count: int | None = None, rule: str = DEFAULT_RULE) -> ModeReport:
    """Modes captured, high-quality share and reverse KL of samples from a Gaussian mixture with given centres.

    The protocol of the 2-D ring and grid experiments in Srivastava et al., "VEEGAN: Reducing mode collapse in
    GANs using implicit variational learning", NeurIPS 2017, reused by Lin et al., "PacGAN: The
    power of two samples in generative adversarial networks", NeurIPS 2018 and Elfeki et al., "GDPP: Learning
    diverse generations using determinantal point processes", ICML 2019: a sample is *high quality* when it
    lies within 3 standard deviations of its nearest mode centre; of 2,500 generated samples, a mode is
    *captured* when it receives at least min_count high-quality samples; *reverse KL* is KL(p_gen || p_data)
    between the histogram of high-quality samples over modes and the true (uniform) one.

    min_count defaults to the capture rule's threshold for len(samples): CAPTURE_RULES[rule], by default
    'twenty' (20 of 2,500, scaled); PacGAN's and GDPP's code count a mode from one sample ('any'). The reverse
    KL uses natural logs; modes the generator never hits contribute 0 (the 0·log 0 convention), so all
    samples on one of k modes gives exactly log k. With no high-quality sample at all, the histogram falls
    back to every sample's nearest mode, so the number still says how the (poor) samples are spread.
    Note that in 2-D only 1 - exp(-quality_stds²/2) of a true mode's samples are high quality
    (98.9 % for 3σ, not the 1-D 99.7 %).
    """
    if not (std is not None and np.isfinite(std) and std > 0):
        raise ValueError(f"std: need a positive mode standard deviation, got {std!r}")
    if quality_stds <= 0:
        raise ValueError(f"quality_stds: need a positive number, got {quality_stds!r}")
    index, distance = assign_modes(samples, centers)
    k = len(np.asarray(centers))
    if rule not in CAPTURE_RULES:
        raise ValueError(f"rule: unknown {rule!r}; choose one of {', '.join(CAPTURE_RULES)}")
    min_count = CAPTURE_RULES[rule].min_count(len(index)) if min_count is None else int(min_count)
    if min_count < 1:
        raise ValueError(f"min_count: need at least 1, got {min_count}")
    good = distance <= quality_stds * std
    counts = np.bincount(index[good], minlength=k)
    counts.setflags(write=False)  # the report is frozen; so is its array
    # no high-quality sample: still report how the samples spread over modes instead of a meaningless 0 or NaN
    histogram = counts if counts.sum() > 0 else np.bincount(index, minlength=k)
    return ModeReport(
        counts=counts,
        high_quality_share=float(good.mean()),
        modes_captured=int((counts >= min_count).sum()),
        reverse_kl=_kl_to_uniform(histogram),
    )


def _kl_to_uniform(histogram: np.ndarray) -> float:
    """KL(p || uniform over len(histogram) bins) in nats, with 0·log 0 = 0."""
    p = histogram / histogram.sum()
    hit = p > 0
    return float(np.sum(p[hit] * np.log(p[hit] * len(p))))


def mode_report_from(samples, dataset: Dataset, **options) -> ModeReport:
    """mode_report against a Dataset's own centres and spread (ring8, grid25, blobs); options as mode_report."""
    if dataset.centers is None or dataset.std is None:
        raise ValueError(f"dataset {dataset.name!r} has no mode centres: mode coverage needs a mixture dataset "
                         "such as ring8, grid25 or blobs")
    return mode_report(samples, dataset.centers, dataset.std, **options)


# ------------------------------------------------------------------------------------------ distances


def sliced_wasserstein(a, b, n_projections: int = 256, seed: int = 0) -> float:
    """Sliced 1-Wasserstein distance: the mean over random unit directions of W1 between the 1-D projections.

    Rabin, Peyré, Delon & Bernot, "Wasserstein barycenter and its application to texture mixing", SSVM 2011;
    Bonneel, Rabin, Peyré & Pfister, "Sliced and Radon Wasserstein barycenters of measures", JMIV 2015.
    In 1-D, W1 = ∫₀¹ |F⁻¹(t) − G⁻¹(t)| dt; it is evaluated at the midpoints of max(len(a), len(b)) equal
    slices of [0, 1] with the empirical (step) quantile, which is exact when the sizes are equal and lets a
    and b differ in size otherwise. Directions are Gaussian vectors normalised to unit length (uniform on the
    sphere), drawn from `seed`, so the value is deterministic; its Monte-Carlo error shrinks as
    1/sqrt(n_projections) (about 3 % for a pure shift with the default 256).
    """
    a = _points(a, "a")
    b = _points(b, "b", a.shape[1])
    if n_projections < 1:
        raise ValueError(f"n_projections: need at least 1, got {n_projections}")
    directions = np.random.default_rng(seed).standard_normal((n_projections, a.shape[1]))
    directions /= np.linalg.norm(directions, axis=1, keepdims=True)
    m = max(len(a), len(b))
    levels = (np.arange(m) + 0.5) / m
    qa = _step_quantiles(a @ directions.T, levels)
    qb = _step_quantiles(b @ directions.T, levels)
    return float(np.abs(qa - qb).mean())


def _step_quantiles(projected: np.ndarray, levels: np.ndarray) -> np.ndarray:
    """Empirical (inverse-CDF, no interpolation) quantiles of each column at the given levels in (0, 1)."""
    n = len(projected)
    rows = np.clip(np.ceil(levels * n).astype(int) - 1, 0, n - 1)
    return np.sort(projected, axis=0)[rows]


def median_bandwidth(a, b=None, max_points: int = 1000) -> float:
    """Median pairwise distance of the pooled sample (the median heuristic), on a seeded subsample.

    Gretton, Borgwardt, Rasch, Schölkopf & Smola, "A kernel two-sample test", JMLR 13 (2012).
    Falls back to 1.0 when the median is 0 (e.g. all points equal), where no scale can be read from the data.
    """
    pooled = _points(a, "a") if b is None else np.vstack([_points(a, "a"), _points(b, "b", np.shape(a)[1])])
    pooled = _subsample(pooled, max_points)
    if len(pooled) < 2:
        return 1.0
    median = float(np.median(pdist(pooled)))
    return median if median > 0 else 1.0


def mmd(a, b, bandwidth: float | None = None) -> float:
    """Unbiased squared maximum mean discrepancy MMD²_u between a and b with a Gaussian (RBF) kernel.

    Gretton et al., "A kernel two-sample test", JMLR 13 (2012): the U-statistic MMD²_u, which drops the
    k(x, x) diagonals, so it is 0 in expectation for equal distributions and can be slightly negative.
    k(x, y) = exp(-‖x − y‖² / (2·bandwidth²)); bandwidth defaults to the median heuristic (median_bandwidth).
    Each sample is subsampled (seeded) to at most 2,000 points to keep the three kernel matrices cheap.
    """
    a = _subsample(_points(a, "a"), MMD_MAX_POINTS)
    b = _subsample(_points(b, "b", a.shape[1]), MMD_MAX_POINTS)
    if len(a) < 2 or len(b) < 2:
        raise ValueError("mmd: need at least 2 points in each sample for the unbiased estimate")
    bandwidth = median_bandwidth(a, b) if bandwidth is None else float(bandwidth)
    if not bandwidth > 0:
        raise ValueError(f"bandwidth: need a positive number, got {bandwidth!r}")
    gamma = 1.0 / (2.0 * bandwidth**2)
    m, n = len(a), len(b)
    kaa = rbf_kernel(a, gamma=gamma)
    kbb = rbf_kernel(b, gamma=gamma)
    kab = rbf_kernel(a, b, gamma=gamma)
    # the diagonals are all exp(0) = 1: subtract them instead of masking the matrices
    within_a = (kaa.sum() - m) / (m * (m - 1))
    within_b = (kbb.sum() - n) / (n * (n - 1))
    return float(within_a + within_b - 2.0 * kab.mean())


# ---------------------------------------------------------------------------------------------- grids


def _extent_2d(*clouds: np.ndarray, margin: float = 0.05) -> tuple[float, float, float, float]:
    """Joint bounding box of 2-D clouds, widened by `margin` of its size (and never of zero width)."""
    stacked = np.vstack(clouds)
    lo, hi = stacked.min(axis=0), stacked.max(axis=0)
    pad = np.maximum(margin * (hi - lo), 1e-3)  # a cloud on one line or point still gets a usable box
    return (float(lo[0] - pad[0]), float(hi[0] + pad[0]), float(lo[1] - pad[1]), float(hi[1] + pad[1]))


def _check_extent(extent) -> tuple[float, float, float, float]:
    xmin, xmax, ymin, ymax = (float(v) for v in extent)
    if not (xmin < xmax and ymin < ymax):
        raise ValueError(f"extent: need (xmin, xmax, ymin, ymax) with xmin < xmax and ymin < ymax, got {extent!r}")
    return xmin, xmax, ymin, ymax


def _histogram_2d(x: np.ndarray, extent, resolution: int) -> np.ndarray:
    """Counts on a resolution × resolution grid; points outside the extent land in the border cells."""
    xmin, xmax, ymin, ymax = extent
    # clip rather than drop: a generator that wanders off the chart must still count against it
    px = np.clip(x[:, 0], xmin, xmax)
    py = np.clip(x[:, 1], ymin, ymax)
    counts, _, _ = np.histogram2d(px, py, bins=resolution, range=[[xmin, xmax], [ymin, ymax]])
    return counts


def js_divergence_grid(a, b, extent=None, resolution: int = 50) -> float:
    """Jensen–Shannon divergence, in nats (so within [0, log 2]), between 2-D histograms of a and b.

    Lin, "Divergence measures based on the Shannon entropy", IEEE Trans. Inf. Theory 37 (1991):
    JS(P, Q) = ½ KL(P ‖ M) + ½ KL(Q ‖ M), M = ½ (P + Q). Estimated on a common resolution × resolution
    grid, as GAN Lab shows it (Kahng et al., "GAN Lab: Understanding complex deep generative models using
    interactive visual experimentation", IEEE VIS 2018). Each histogram gets a pseudo-count of 1e-10 per cell
    so no logarithm sees 0. extent = (xmin, xmax, ymin, ymax), by default the joint bounding box plus 5 %.
    Points outside the extent count in the nearest border cell. 2-D data only.
    """
    a = _points(a, "a")
    b = _points(b, "b")
    if a.shape[1] != 2 or b.shape[1] != 2:
        raise ValueError(f"js_divergence_grid: needs 2-D points, got {a.shape[1]} and {b.shape[1]} columns")
    if resolution < 1:
        raise ValueError(f"resolution: need at least 1, got {resolution}")
    extent = _extent_2d(a, b) if extent is None else _check_extent(extent)
    p = _histogram_2d(a, extent, resolution) + 1e-10
    q = _histogram_2d(b, extent, resolution) + 1e-10
    p, q = p / p.sum(), q / q.sum()
    mid = 0.5 * (p + q)
    js = 0.5 * np.sum(p * np.log(p / mid)) + 0.5 * np.sum(q * np.log(q / mid))
    return float(np.clip(js, 0.0, math.log(2.0)))  # rounding can step a hair outside the true range


def scott_bandwidth(samples) -> float:
    """Scott's rule for one isotropic Gaussian bandwidth: mean coordinate std × n^(-1/(d+4)).

    Scott, "Multivariate Density Estimation", Wiley 1992. (sklearn's bandwidth="scott" is only the
    n^(-1/(d+4)) factor, i.e. it assumes standardised data, hence computed here.) Falls back to 1e-3 when
    every coordinate is constant.
    """
    x = _points(samples, "samples")
    n, d = x.shape
    spread = float(x.std(axis=0, ddof=1).mean()) if n > 1 else 0.0
    return max(spread, 1e-3) * n ** (-1.0 / (d + 4))


def kde_grid(samples, extent, resolution: int = 60,
             bandwidth: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gaussian kernel density estimate of 2-D samples on a resolution × resolution grid, for a heat map.

    The estimate of sklearn.neighbors.KernelDensity(kernel="gaussian", bandwidth=h) — (1/n) Σᵢ N(x; xᵢ, h²I)
    — fitted on at most 1,500 seeded-subsampled points, h by Scott's rule (scott_bandwidth) when None.
    It is computed in closed form, not with KernelDensity.score_samples: the isotropic Gaussian kernel
    factorises into an x part and a y part, so the grid is one (r, n) × (n, r) product, exact and ~2 ms,
    where the tree-based score_samples takes 65–85 ms for the defaults (Scott's bandwidth is too wide for
    the tree to prune). tests/test_metrics.py pins the two to agree.
    extent = (xmin, xmax, ymin, ymax). Returns xs (r,), ys (r,) — evenly spaced, ends included — and
    density (r, r) with density[i, j] the density at (xs[j], ys[i]) (rows are y, as an image).
    Note Scott's rule targets one Gaussian: on well-separated modes it oversmooths, so pass a bandwidth there.
    """
    x = _subsample(_points(samples, "samples"), KDE_MAX_POINTS)
    if x.shape[1] != 2:
        raise ValueError(f"kde_grid: needs 2-D points, got {x.shape[1]} columns")
    if resolution < 2:
        raise ValueError(f"resolution: need at least 2, got {resolution}")
    xmin, xmax, ymin, ymax = _check_extent(extent)
    h = scott_bandwidth(x) if bandwidth is None else float(bandwidth)
    if not h > 0:
        raise ValueError(f"bandwidth: need a positive number, got {bandwidth!r}")
    xs = np.linspace(xmin, xmax, resolution)
    ys = np.linspace(ymin, ymax, resolution)
    kx = np.exp(-0.5 * ((xs[:, None] - x[None, :, 0]) / h) ** 2)  # (r, n)
    ky = np.exp(-0.5 * ((ys[:, None] - x[None, :, 1]) / h) ** 2)  # (r, n)
    # einsum, not @: BLAS threads on so small a product stall (~50 ms) when another process holds a core
    density = np.einsum("in,jn->ij", ky, kx) / (len(x) * 2.0 * np.pi * h * h)
    return xs, ys, density


# -------------------------------------------------------------------------------------- per class


@dataclass(frozen=True)
class ClassStats:
    """How well the generated samples of one class match the data of that class (NaN where undefined)."""

    label: int
    n_generated: int
    mean_error: float  # ‖mean_gen − mean_data‖
    cov_error: float  # Frobenius norm of cov_gen − cov_data
    sliced_w1: float  # sliced_wasserstein(generated, data) with its defaults


def class_stats(label: int, generated, data) -> ClassStats:
    """ClassStats for one class; the errors are NaN when the class has too few generated samples."""
    generated = np.asarray(generated, dtype=np.float64)
    data = _points(data, "data")
    n = len(generated)
    if n == 0:
        return ClassStats(int(label), 0, math.nan, math.nan, math.nan)
    generated = _points(generated, "samples", data.shape[1])
    mean_error = float(np.linalg.norm(generated.mean(axis=0) - data.mean(axis=0)))
    # a covariance needs two points on each side; one generated point has none to compare
    cov_error = (float(np.linalg.norm(_cov(generated) - _cov(data), ord="fro"))
                 if n > 1 and len(data) > 1 else math.nan)
    return ClassStats(int(label), n, mean_error, cov_error, sliced_wasserstein(generated, data))


def _cov(x: np.ndarray) -> np.ndarray:
    return np.atleast_2d(np.cov(x, rowvar=False))  # atleast_2d: 1-column data gives a 0-d cov otherwise


def per_class_stats(samples, sample_labels, data, data_labels) -> pd.DataFrame:
    """One row per label of the data (sorted) comparing generated and real samples of that class.

    Columns: label, n_generated, mean_error, cov_error, sliced_w1 (see ClassStats). For the conditional GAN
    (Mirza & Osindero, "Conditional generative adversarial nets", arXiv:1411.1784, 2014): each class's
    generated samples should match that class's data, not just the pooled data.
    """
    data = _points(data, "data")
    samples = np.asarray(samples, dtype=np.float64).reshape(-1, data.shape[1])
    sample_labels = np.asarray(sample_labels).ravel()
    data_labels = np.asarray(data_labels).ravel()
    if len(sample_labels) != len(samples):
        raise ValueError(f"sample_labels: {len(sample_labels)} labels for {len(samples)} samples")
    if len(data_labels) != len(data):
        raise ValueError(f"data_labels: {len(data_labels)} labels for {len(data)} data rows")
    rows = [asdict(class_stats(label, samples[sample_labels == label], data[data_labels == label]))
            for label in np.unique(data_labels)]
    return pd.DataFrame(rows, columns=[f.name for f in ClassStats.__dataclass_fields__.values()])
