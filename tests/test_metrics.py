"""Pins the behaviour of ganplay.metrics: mode coverage, sample distances and the KDE grid."""
import math

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.neighbors import KernelDensity

from ganplay import metrics as M
from ganplay.datasets import load_dataset, ring_centers

RING = ring_centers()  # 8 centres on the radius-2 circle
RING_STD = 0.05


def _gaussian(n, seed, center=(0.0, 0.0), std=1.0):
    return np.asarray(center) + std * np.random.default_rng(seed).standard_normal((n, 2))


# ------------------------------------------------------------------------------------------- modes


def test_assign_modes_returns_nearest_centre_and_its_distance():
    centers = np.array([[0.0, 0.0], [10.0, 0.0]])
    index, distance = M.assign_modes(np.array([[1.0, 0.0], [9.0, 3.0], [4.9, 0.0]]), centers)
    assert_array_equal(index, [0, 1, 0])
    assert_allclose(distance, [1.0, math.hypot(1.0, 3.0), 4.9])


def test_all_samples_on_one_mode_capture_one_and_reverse_kl_is_log8():
    samples = RING[3] + 0.01 * np.random.default_rng(0).standard_normal((2500, 2))  # well inside 3σ = 0.15
    report = M.mode_report(samples, RING, RING_STD)
    assert report.modes_captured == 1
    assert report.reverse_kl == pytest.approx(math.log(8), abs=1e-9)
    assert report.high_quality_share == 1.0
    assert_array_equal(report.counts, [0, 0, 0, 2500, 0, 0, 0, 0])


def test_fresh_draw_of_ring8_captures_all_modes_with_2d_three_sigma_share():
    data = load_dataset("ring8", 2500, seed=1)
    report = M.mode_report_from(data.x, data)
    assert report.modes_captured == 8
    # In 2-D, P(‖z‖ < 3σ) for an isotropic Gaussian is 1 − exp(−3²/2) ≈ 0.9889 (chi with 2 degrees of
    # freedom), not the 1-D 99.7 %: a perfect generator scores ~98.9 % high-quality samples.
    assert report.high_quality_share == pytest.approx(1 - math.exp(-4.5), abs=0.01)
    assert report.reverse_kl < 0.01
    assert report.counts.sum() == round(report.high_quality_share * 2500)


def test_samples_far_from_all_modes_capture_none():
    rng = np.random.default_rng(0)
    angle, radius = rng.uniform(0, 2 * np.pi, 2500), rng.uniform(4.0, 5.0, 2500)  # an annulus outside the ring
    samples = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    report = M.mode_report(samples, RING, RING_STD)
    assert report.modes_captured == 0
    assert report.high_quality_share == 0.0
    assert_array_equal(report.counts, np.zeros(8))
    assert report.reverse_kl < 0.02  # fallback: spread evenly over the modes' nearest-mode cells


def test_without_high_quality_samples_reverse_kl_uses_nearest_mode_histogram():
    far_beyond_mode_0 = _gaussian(500, 0, center=(5.0, 0.0), std=0.1)
    report = M.mode_report(far_beyond_mode_0, RING, RING_STD)
    assert report.counts.sum() == 0
    assert report.reverse_kl == pytest.approx(math.log(8), abs=1e-9)


def test_default_min_count_scales_the_papers_20_of_2500():
    assert M.default_min_count(2500) == 20
    assert M.default_min_count(250) == 2
    assert M.default_min_count(10) == 1


def test_mode_is_captured_from_min_count_high_quality_samples():
    rng = np.random.default_rng(0)
    on_mode_0 = RING[0] + 0.01 * rng.standard_normal((20, 2))
    nowhere = np.full((2480, 2), 10.0)
    assert M.mode_report(np.vstack([on_mode_0, nowhere]), RING, RING_STD).modes_captured == 1
    assert M.mode_report(np.vstack([on_mode_0[:19], nowhere[:-1], nowhere[:2]]), RING, RING_STD).modes_captured == 0
    assert M.mode_report(on_mode_0[:19], RING, RING_STD, min_count=19).modes_captured == 1


def test_quality_radius_is_quality_stds_times_std():
    just_inside, just_outside = RING[0] + [0.149, 0.0], RING[0] + [0.151, 0.0]
    report = M.mode_report(np.array([just_inside, just_outside]), RING, RING_STD)
    assert report.high_quality_share == 0.5
    assert M.mode_report(np.array([just_outside]), RING, RING_STD, quality_stds=4.0).high_quality_share == 1.0


def test_mode_report_from_refuses_a_dataset_without_centres():
    moons = load_dataset("moons", 100)
    with pytest.raises(ValueError, match="no mode centres"):
        M.mode_report_from(moons.x, moons)


def test_mode_report_refuses_samples_of_the_wrong_dimension():
    with pytest.raises(ValueError, match="columns"):
        M.mode_report(np.zeros((5, 3)), RING, RING_STD)


# ------------------------------------------------------------------------------------- distances


def test_sliced_w1_of_identical_samples_is_zero():
    a = _gaussian(500, 0)
    assert M.sliced_wasserstein(a, a.copy()) == 0.0


def test_sliced_w1_of_a_sample_and_its_duplicate_is_zero_despite_different_sizes():
    a = _gaussian(300, 0)
    assert M.sliced_wasserstein(a, np.vstack([a, a])) == pytest.approx(0.0, abs=1e-12)


def test_sliced_w1_of_a_shift_by_3_is_3_times_mean_abs_cosine():
    a = _gaussian(200, 0)
    # each direction θ moves every projection by 3·cos θ, so W1 = 3|cos θ|, whose mean over the circle is 3·2/π;
    # many projections because the Monte-Carlo error with the default 256 is itself about 3 %
    value = M.sliced_wasserstein(a, a + [3.0, 0.0], n_projections=4096)
    assert value == pytest.approx(3 * 2 / math.pi, rel=0.03)


def test_sliced_w1_is_symmetric_and_deterministic_for_a_seed():
    a, b = _gaussian(400, 0), _gaussian(250, 1, center=(1.0, 0.5))
    assert M.sliced_wasserstein(a, b) == M.sliced_wasserstein(b, a)
    assert M.sliced_wasserstein(a, b, seed=7) == M.sliced_wasserstein(a, b, seed=7)
    assert M.sliced_wasserstein(a, b, seed=7) != M.sliced_wasserstein(a, b, seed=8)


def test_mmd_is_the_unbiased_estimate_with_the_rbf_kernel():
    # a = b = {0, 1}, bandwidth 1: within terms k(0,1) = e^-½ each, cross mean (2 + 2e^-½)/4, so MMD²_u = e^-½ − 1
    a = np.array([[0.0, 0.0], [1.0, 0.0]])
    assert M.mmd(a, a, bandwidth=1.0) == pytest.approx(math.exp(-0.5) - 1, abs=1e-12)


def test_mmd_is_near_zero_for_one_distribution_and_large_for_a_shifted_one():
    a, b = _gaussian(1000, 0), _gaussian(1000, 1)
    same, shifted = M.mmd(a, b), M.mmd(a, b + [1.0, 0.0])
    assert abs(same) < 0.005
    assert shifted > 0.05  # 0.11 for these draws
    assert shifted > 20 * abs(same)


def test_mmd_subsamples_deterministically():
    a, b = _gaussian(2500, 0), _gaussian(2500, 1)
    assert M.mmd(a, b) == M.mmd(a, b)


def test_median_bandwidth_is_the_median_pairwise_distance():
    points = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 4.0]])  # distances 3, 4, 5
    assert M.median_bandwidth(points) == 4.0
    assert M.median_bandwidth(np.zeros((5, 2))) == 1.0  # no scale in the data: the fallback


def test_js_divergence_of_identical_samples_is_zero():
    a = _gaussian(2000, 0)
    assert M.js_divergence_grid(a, a.copy()) == pytest.approx(0.0, abs=1e-9)


def test_js_divergence_of_disjoint_supports_is_log2():
    a, b = _gaussian(1000, 0, center=(-5.0, 0.0), std=0.3), _gaussian(1000, 1, center=(5.0, 0.0), std=0.3)
    assert M.js_divergence_grid(a, b) == pytest.approx(math.log(2), abs=0.01)
    assert M.js_divergence_grid(a, b) == M.js_divergence_grid(b, a)


def test_js_divergence_counts_points_outside_the_extent_in_the_border():
    a, b = _gaussian(500, 0), np.full((500, 2), 100.0)  # b entirely off the chart, in its top-right cell
    assert M.js_divergence_grid(a, b, extent=(-4, 4, -4, 4)) == pytest.approx(math.log(2), abs=0.01)


def test_js_divergence_refuses_data_that_is_not_2d():
    with pytest.raises(ValueError, match="2-D"):
        M.js_divergence_grid(np.zeros((10, 3)), np.zeros((10, 3)))


# ------------------------------------------------------------------------------------------- KDE


def test_kde_grid_integrates_to_one_over_a_wide_extent():
    xs, ys, density = M.kde_grid(load_dataset("ring8", 2000).x, (-5, 5, -5, 5))
    assert xs.shape == ys.shape == (60,) and density.shape == (60, 60)
    cell = (xs[1] - xs[0]) * (ys[1] - ys[0])
    assert density.sum() * cell == pytest.approx(1.0, rel=0.02)


def test_kde_grid_equals_sklearn_kernel_density_with_scotts_bandwidth():
    x = load_dataset("blobs", 3000).x  # more than 1,500 rows: the same seeded subsample on both sides
    xs, ys, density = M.kde_grid(x, (-6, 6, -5, 6), resolution=40)
    fitted = M._subsample(np.asarray(x, dtype=np.float64), M.KDE_MAX_POINTS)
    assert M.scott_bandwidth(fitted) == pytest.approx(fitted.std(axis=0, ddof=1).mean() * 1500 ** (-1 / 6))
    kde = KernelDensity(kernel="gaussian", bandwidth=M.scott_bandwidth(fitted)).fit(fitted)
    gx, gy = np.meshgrid(xs, ys)
    expected = np.exp(kde.score_samples(np.column_stack([gx.ravel(), gy.ravel()]))).reshape(40, 40)
    assert_allclose(density, expected, rtol=1e-9, atol=1e-12)


def test_kde_grid_rows_are_y_and_columns_are_x():
    xs, ys, density = M.kde_grid(np.array([[1.0, -2.0]]), (-3, 3, -3, 3), resolution=61, bandwidth=0.3)
    row, col = np.unravel_index(density.argmax(), density.shape)
    assert (xs[col], ys[row]) == pytest.approx((1.0, -2.0))


# ------------------------------------------------------------------------------------- per class


def test_per_class_stats_of_blobs_against_themselves_are_zero():
    blobs = load_dataset("blobs", 1500)
    table = M.per_class_stats(blobs.x, blobs.y, blobs.x, blobs.y)
    assert list(table.columns) == ["label", "n_generated", "mean_error", "cov_error", "sliced_w1"]
    assert list(table["label"]) == [0, 1, 2]
    assert list(table["n_generated"]) == [500, 500, 500]
    assert_allclose(table[["mean_error", "cov_error", "sliced_w1"]].to_numpy(), 0.0, atol=1e-6)


def test_per_class_stats_of_a_fresh_draw_are_small():
    data, fresh = load_dataset("blobs", 1500, seed=0), load_dataset("blobs", 1500, seed=1)
    table = M.per_class_stats(fresh.x, fresh.y, data.x, data.y)
    assert (table[["mean_error", "cov_error", "sliced_w1"]].to_numpy() < 0.1).all()


def test_per_class_stats_with_swapped_labels_are_large():
    blobs = load_dataset("blobs", 1500)
    table = M.per_class_stats(blobs.x, (blobs.y + 1) % 3, blobs.x, blobs.y)
    assert (table["mean_error"] > 5.5).all()  # the blob centres are 5.8 to 6 apart
    assert (table["sliced_w1"] > 2.0).all()


def test_per_class_stats_reports_a_class_the_generator_never_produced_as_nan():
    blobs = load_dataset("blobs", 300)
    keep = blobs.y != 2
    table = M.per_class_stats(blobs.x[keep], blobs.y[keep], blobs.x, blobs.y)
    assert table.loc[2, "n_generated"] == 0
    assert table.loc[2, ["mean_error", "cov_error", "sliced_w1"]].isna().all()
    assert isinstance(table, pd.DataFrame) and len(table) == 3


def test_mode_report_is_immutable():
    report = M.mode_report(RING, RING, RING_STD)
    with pytest.raises(ValueError):
        report.counts[0] = 5
    with pytest.raises(AttributeError):
        report.modes_captured = 3
