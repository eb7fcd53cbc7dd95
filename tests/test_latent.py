"""Pins ganplay.latent (paths, sweeps and grids in z; G pushed along them; conditional samples) and its charts."""
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.neighbors import KNeighborsClassifier

import ganplay
from ganplay import frames, latent, latent_charts

RNG = np.random.default_rng(7)
Z0, Z1 = RNG.standard_normal(5), RNG.standard_normal(5)
# float32 matmuls round a row differently in batches of different sizes (measured up to 7e-7 in data units)
BATCH_ROUNDING = 2e-6


@pytest.fixture(scope="module")
def run():
    return ganplay.train(ganplay.RunConfig(dataset="ring8", z_dim=3, steps=200))


@pytest.fixture(scope="module")
def blobs():
    return ganplay.train(ganplay.RunConfig(dataset="blobs", conditional=True, steps=300))


# ------------------------------------------------------------------------------------------ paths in z


@pytest.mark.parametrize("method", sorted(latent.INTERPOLATIONS))
def test_interpolation_starts_at_z0_and_ends_at_z1_exactly(method):
    path = latent.INTERPOLATIONS[method](Z0, Z1, 9)
    assert path.shape == (9, 5)
    assert_array_equal(path[0], Z0)
    assert_array_equal(path[-1], Z1)


def test_lerp_takes_equal_steps_along_the_segment():
    path = latent.lerp(Z0, Z1, 5)
    assert_allclose(np.diff(path, axis=0), np.tile((Z1 - Z0) / 4, (4, 1)), rtol=0, atol=1e-15)


def test_slerp_norm_moves_linearly_from_norm_z0_to_norm_z1():
    norms = np.linalg.norm(latent.slerp(Z0, Z1, 11), axis=1)
    assert_allclose(norms, np.linspace(np.linalg.norm(Z0), np.linalg.norm(Z1), 11), rtol=1e-13)


def test_slerp_between_equal_norms_keeps_that_norm_where_lerp_dips():
    z1 = Z1 * np.linalg.norm(Z0) / np.linalg.norm(Z1)
    radius, angle = np.linalg.norm(Z0), np.arccos(Z0 @ z1 / np.linalg.norm(Z0) ** 2)
    assert_allclose(np.linalg.norm(latent.slerp(Z0, z1, 21), axis=1), radius, rtol=1e-13)
    assert np.linalg.norm(latent.lerp(Z0, z1, 21)[10]) == pytest.approx(radius * np.cos(angle / 2), rel=1e-13)


def test_slerp_turns_at_constant_angular_speed_within_the_plane_of_the_ends():
    path = latent.slerp(Z0, Z1, 7)
    unit = path / np.linalg.norm(path, axis=1, keepdims=True)
    total = np.arccos(Z0 @ Z1 / np.linalg.norm(Z0) / np.linalg.norm(Z1))
    assert_allclose(np.arccos(np.clip(np.sum(unit[:-1] * unit[1:], axis=1), -1, 1)), total / 6, rtol=1e-6)
    residual = path - np.linalg.lstsq(np.stack([Z0, Z1], axis=1), path.T, rcond=None)[0].T @ np.stack([Z0, Z1])
    assert_allclose(residual, 0, atol=1e-12)


def test_slerp_between_opposite_points_keeps_the_norm_through_a_perpendicular():
    path = latent.slerp([2.0, 0.0, 0.0], [-2.0, 0.0, 0.0], 5)
    assert_allclose(np.linalg.norm(path, axis=1), 2.0, rtol=1e-15)
    assert path[2] @ [1.0, 0.0, 0.0] == pytest.approx(0.0, abs=1e-15)


def test_slerp_between_parallel_points_stays_on_their_ray():
    path = latent.slerp([1.0, 2.0], [2.0, 4.0], 3)
    assert_allclose(path, [[1.0, 2.0], [1.5, 3.0], [2.0, 4.0]], rtol=1e-15)


@pytest.mark.parametrize("z0, z1", [([1.0], [-3.0]), ([0.0, 0.0], [1.0, 1.0])])
def test_slerp_without_a_circle_falls_back_to_the_line(z0, z1):
    assert_array_equal(latent.slerp(z0, z1, 4), latent.lerp(z0, z1, 4))


def test_interpolation_refuses_fewer_than_two_steps_and_mismatched_ends():
    with pytest.raises(ValueError, match="steps"):
        latent.lerp(Z0, Z1, 1)
    with pytest.raises(ValueError, match="one length"):
        latent.slerp(Z0, Z1[:3], 5)


def test_axis_sweep_varies_only_component_k():
    sweep = latent.axis_sweep(Z0, 2, [-1.0, 0.5, 3.0])
    assert_array_equal(sweep[:, 2], [-1.0, 0.5, 3.0])
    assert_array_equal(np.delete(sweep, 2, axis=1), np.tile(np.delete(Z0, 2), (3, 1)))
    with pytest.raises(ValueError, match="axis 5"):
        latent.axis_sweep(Z0, 5, [0.0])


def test_manifold_grid_spans_two_axes_and_keeps_the_base_elsewhere():
    grid = latent.manifold_grid(4, 3, 2.0, dims=(2, 0), base=[9.0, 8.0, 7.0, 6.0])
    assert grid.shape == (3, 3, 4)
    assert_array_equal(grid[1, 2], [0.0, 8.0, 2.0, 6.0])  # row i sets z[dims[1]], column j sets z[dims[0]]
    assert_array_equal(grid[0, 0], [-2.0, 8.0, -2.0, 6.0])
    assert_array_equal(latent.manifold_grid(2, 2, 1.0)[1, 0], [-1.0, 1.0])


@pytest.mark.parametrize("z_dim, dims", [(1, (0, 1)), (3, (1, 1)), (3, (0, 3))])
def test_manifold_grid_refuses_axes_it_cannot_span(z_dim, dims):
    with pytest.raises(ValueError, match="dims"):
        latent.manifold_grid(z_dim, 5, 1.0, dims)


def test_random_z_is_a_seeded_draw_from_the_prior():
    assert_array_equal(latent.random_z(3, "normal", 4), np.random.default_rng(4).standard_normal(3))
    assert_array_equal(latent.random_z(3, "uniform", 4), np.random.default_rng(4).uniform(-1.0, 1.0, 3))


# --------------------------------------------------------------------------------------------- sliders


def test_sliders_show_at_most_eight_axes_and_hold_the_rest():
    sliders = latent.LatentSliders("p_", 10, "normal")
    z = np.linspace(-2.5, 2.5, 10).round(2)
    state = sliders.state(z)
    assert sliders.keys == [f"p_z{k}" for k in range(8)] and sliders.labels[:2] == ["z₁", "z₂"]
    assert state["p_rest"] == (1.94, 2.5)
    assert_array_equal(sliders.read(state), z)


def test_sliders_clip_to_the_prior_and_fill_missing_axes_with_zero():
    sliders = latent.LatentSliders("p_", 3, "uniform")
    assert_array_equal(sliders.read({"p_z0": 2.5, "p_z1": -0.25}), [1.0, -0.25, 0.0])
    assert sliders.settled({"p_z0": 2.5}) == {"p_z0": 1.0, "p_z1": 0.0, "p_z2": 0.0, "p_rest": ()}


def test_randomise_draws_the_next_seed_each_press():
    sliders = latent.LatentSliders("p_", 2, "normal")
    first = sliders.randomised({})
    second = sliders.randomised(first)
    assert first["p_draws"] == 1 and second["p_draws"] == 2
    assert_array_equal(sliders.read(first), np.round(latent.random_z(2, "normal", 1), 2))
    assert first["p_z0"] != second["p_z0"]


# ------------------------------------------------------------------------------------ G along the paths


@pytest.mark.parametrize("method", sorted(latent.INTERPOLATIONS))
def test_path_in_data_space_starts_at_g_of_z0_and_ends_at_g_of_z1(run, method):
    z0, z1 = Z0[:3], Z1[:3]
    path = latent.path_frame(run, z0, z1, 12, method)
    ends = run.sample(z=np.stack([z0, z1]))
    assert_allclose(path[["x", "y"]].to_numpy()[[0, -1]], ends, rtol=0, atol=BATCH_ROUNDING)
    assert_allclose(path["t"], np.linspace(0, 1, 12))
    assert path["norm"].iloc[0] == pytest.approx(np.linalg.norm(z0), rel=1e-15)


def test_every_sweep_passes_through_g_of_z_where_z_k_takes_its_own_value(run):
    z = np.array([0.5, -1.0, 1.5])
    sweep = latent.sweep_frame(run, z, np.linspace(-3, 3, 13))  # 0.5, -1.0 and 1.5 are on this grid
    axes = ["z₁", "z₂", "z₃"]
    assert list(sweep["axis"].unique()) == axes and len(sweep) == 39
    at_z = pd.concat([sweep[(sweep.axis == name) & np.isclose(sweep.value, v)] for name, v in zip(axes, z)])
    assert_allclose(at_z[["x", "y"]].to_numpy(), np.tile(run.sample(z=z[None]), (3, 1)), rtol=0, atol=BATCH_ROUNDING)


def test_manifold_mesh_nodes_are_g_of_the_grid(run):
    base = np.array([0.0, 0.0, 0.7])
    mesh = latent.manifold_frame(run, 4, 2.0, dims=(0, 1), base=base)
    assert len(mesh) == 2 * 4 * 4 and mesh["line"].nunique() == 8
    assert set(mesh["varies"]) == {"z₁", "z₂"}
    node = mesh[(mesh.line == "row 3") & (mesh.order == 1)][["x", "y"]].to_numpy()
    grid = latent.manifold_grid(3, 4, 2.0, base=base)
    assert_allclose(node, run.sample(z=grid[3, 1][None]), rtol=0, atol=BATCH_ROUNDING)


def test_norm_profile_compares_both_interpolations():
    profile = latent.norm_profile_frame(Z0, Z1, 6)
    assert list(profile["method"].unique()) == sorted(latent.INTERPOLATIONS) and len(profile) == 12
    assert_allclose(profile[profile.method == "spherical"]["norm"],
                    np.linspace(np.linalg.norm(Z0), np.linalg.norm(Z1), 6), rtol=1e-13)


def test_backdrop_holds_data_and_samples_of_one_class(blobs):
    points = latent.backdrop_frame(blobs, 100, label=2)
    assert (points["source"] == "real").sum() == 100 and (points["source"] == "generated").sum() == 100
    assert_allclose(points[points.source == "generated"][["x", "y"]], blobs.sample(100, labels=2))


# ----------------------------------------------------------------------------------------- conditional


def test_conditional_samples_of_label_k_lie_nearer_class_k_than_other_classes(blobs):
    nearest = KNeighborsClassifier(n_neighbors=1).fit(blobs.data.x, blobs.data.y)
    for k in range(blobs.data.n_classes):
        assert (nearest.predict(blobs.sample(300, labels=k)) == k).mean() == pytest.approx(1.0, abs=0.01)


def test_conditional_frame_has_exactly_the_chosen_labels_by_name(blobs):
    frame = latent.conditional_frame(blobs, [2, 0], 7)
    assert list(frame["label"]) == ["blob 2", "blob 0"] * 3 + ["blob 2"]
    assert_allclose(frame[["x", "y"]], blobs.sample(7, labels=[2, 0, 2, 0, 2, 0, 2]))


def test_same_z_frame_is_one_z_under_every_label(blobs):
    z = np.array([0.3, -0.4])
    frame = latent.same_z_frame(blobs, z, chosen=1)
    assert list(frame["label"]) == ["blob 0", "blob 1", "blob 2"] and list(frame["chosen"]) == [False, True, False]
    for k in range(3):
        assert_allclose(frame[["x", "y"]].to_numpy()[k], blobs.sample(z=z[None], labels=k)[0], rtol=0,
                        atol=BATCH_ROUNDING)


def test_class_samples_cover_every_class_equally_and_kde_has_a_grid_per_class(blobs):
    samples, labels = latent.class_samples(blobs, 30)
    assert_array_equal(np.bincount(labels), [10, 10, 10])
    kde = latent.class_kde_frame(blobs.data, samples, labels, frames.Extent.around(blobs.data.x), resolution=5)
    assert kde.groupby(["label", "of"]).size().to_dict() == {(f"blob {k}", of): 25 for k in range(3)
                                                             for of in ("data", "generator")}


def test_label_names_fall_back_to_the_index():
    data = ganplay.from_array(np.zeros((4, 2)) + np.arange(4)[:, None], y=np.array([0, 1, 2, 0]),
                              label_names=("a",))
    assert latent.label_names(data) == ["a", "1", "2"]


# ---------------------------------------------------------------------------------------------- charts


def test_every_chart_builds_valid_vega_lite(run, blobs):
    extent, names = frames.Extent.around(run.data.x), latent.label_names(blobs.data)
    z = np.zeros(3)
    points, point = latent.backdrop_frame(run, 50), latent.point_frame(run, z)
    samples, labels = latent.class_samples(blobs, 60)
    charts = [
        latent_charts.point_chart(points, point, extent),
        latent_charts.path_chart(points, latent.path_frame(run, Z0[:3], Z1[:3], 5, "spherical"), extent),
        latent_charts.norm_profile_chart(latent.norm_profile_frame(Z0, Z1, 5), "spherical"),
        latent_charts.sweep_chart(points, latent.sweep_frame(run, z, [-1.0, 1.0]), point, extent),
        latent_charts.manifold_chart(points, latent.manifold_frame(run, 3, 1.0), extent),
        latent_charts.labelled_scatter(latent.real_frame(blobs.data), latent.conditional_frame(blobs, [0], 9),
                                       extent, names),
        latent_charts.same_z_chart(latent.real_frame(blobs.data), latent.same_z_frame(blobs, z[:2], 0), extent, names),
        latent_charts.class_kde_chart(latent.class_kde_frame(blobs.data, samples, labels, extent, 4), extent, names),
    ]
    for chart in charts:
        assert chart.to_dict()  # validates against the Vega-Lite schema
