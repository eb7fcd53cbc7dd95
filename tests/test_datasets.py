"""Datasets: the registry's geometry, determinism, labels, and the user's own data refused clearly."""
import numpy as np
import pytest
from sklearn.datasets import load_digits

import ganplay
from ganplay.datasets import MAX_DIMS, MAX_IMAGE_PIXELS, DatasetSpec, Dataset, grid_centers, load_dataset, ring_centers


@pytest.mark.parametrize("name", [n for n in ganplay.DATASETS if n != "csv"])
def test_every_dataset_is_deterministic_and_well_formed(name):
    a, b = ganplay.load_dataset(name, n=500, seed=3), ganplay.load_dataset(name, n=500, seed=3)
    spec = ganplay.DATASETS[name]
    width = np.prod(spec.image_shape or ((3,) if spec.surface else (2,)))  # pictures, surfaces in R³, the plane
    assert a.x.shape == (500, width) and a.x.dtype == np.float32 and a.image_shape == ganplay.DATASETS[name].image_shape
    np.testing.assert_array_equal(a.x, b.x)
    assert not np.array_equal(a.x, ganplay.load_dataset(name, n=500, seed=4).x)
    assert (a.y is not None) == spec.labelled and (a.centers is not None) == spec.has_modes


def test_ring_and_grid_geometry():
    np.testing.assert_allclose(np.linalg.norm(ring_centers(), axis=1), 2.0)
    assert len(ring_centers()) == 8 and len(grid_centers()) == 25
    assert set(np.round(grid_centers()[:, 0], 6)) == {-4.0, -2.0, 0.0, 2.0, 4.0}


def test_mixture_points_sit_around_their_centre_with_the_given_std():
    ds = ganplay.load_dataset("ring8", n=8000, seed=0, noise=0.1)
    offsets = ds.x - ds.centers[ds.y]
    assert offsets.std() == pytest.approx(0.1, rel=0.05) and ds.std == 0.1
    assert np.bincount(ds.y).tolist() == [1000] * 8


def test_iris_is_the_lectures_two_features():
    ds = ganplay.load_dataset("iris", n=150, seed=0, noise=0.0)
    assert ds.columns == ("sepal length (cm)", "sepal width (cm)") and ds.n_classes == 3
    assert 4.0 < ds.x[:, 0].min() and ds.x[:, 0].max() < 8.0


def test_unknown_dataset_and_sizes_are_refused():
    with pytest.raises(ValueError, match="unknown 'mnist'"):
        ganplay.load_dataset("mnist")
    with pytest.raises(ValueError, match="n: 0"):
        ganplay.load_dataset("ring8", n=0)


@pytest.mark.parametrize("x,message", [
    (np.zeros((1, 2)), "at least 2 rows"), (np.zeros((5, 17)), "17 columns"),
    (np.array([[1.0, np.nan], [2.0, 3.0]]), "NaN"), (np.zeros((50_001, 2)), "50001 rows"),
])
def test_user_arrays_are_refused_with_the_reason(x, message):
    with pytest.raises(ValueError, match=message):
        ganplay.from_array(x)


def test_user_labels_become_consecutive_integers():
    ds = ganplay.from_array(np.zeros((4, 2)), y=np.array(["b", "a", "b", "c"]))
    assert ds.y.tolist() == [1, 0, 1, 2] and ds.n_classes == 3


def test_digits_are_the_sklearn_images_each_once_before_any_repeats():
    images, labels = load_digits(return_X_y=True)
    ds = ganplay.load_dataset("digits", n=1797, seed=0)
    assert ds.image_shape == (8, 8) and ds.is_image and ds.n_classes == 10 and ds.label_names[3] == "3"
    order = np.lexsort(ds.x.T)
    np.testing.assert_array_equal(ds.x[order], images[np.lexsort(images.T)].astype(np.float32))
    assert np.bincount(ds.y).tolist() == np.bincount(labels).tolist()
    more = ganplay.load_dataset("digits", n=2000, seed=0)
    np.testing.assert_array_equal(more.x[:1797], ds.x)  # the first pass is the same shuffle


def test_digit_jitter_is_seeded_and_stays_in_the_ink_range():
    clean = ganplay.load_dataset("digits", n=300, seed=5, noise=0.0)
    noisy = ganplay.load_dataset("digits", n=300, seed=5, noise=1.0)
    np.testing.assert_array_equal(noisy.y, clean.y)
    np.testing.assert_array_equal(noisy.x, ganplay.load_dataset("digits", n=300, seed=5, noise=1.0).x)
    assert noisy.x.min() == 0.0 and noisy.x.max() == 16.0 and 0.5 < np.abs(noisy.x - clean.x).mean() < 1.0


def test_the_wider_limit_is_for_registered_pictures_only():
    assert ganplay.DATASETS["digits"].max_dims == MAX_IMAGE_PIXELS == 64
    assert ganplay.DATASETS["ring8"].max_dims == MAX_DIMS == 16
    with pytest.raises(ValueError, match="64 columns; 1..16"):
        ganplay.from_array(ganplay.load_dataset("digits", n=10).x)
    with pytest.raises(ValueError, match="more than 64 pixels"):
        DatasetSpec("big", "big", "", lambda n, noise, seed: None, 0.0, image_shape=(9, 9))


def test_a_registered_point_set_wider_than_the_limit_is_refused(monkeypatch):
    wide = DatasetSpec("wide", "wide", "", lambda n, noise, seed: Dataset("wide", np.zeros((n, 17), np.float32)), 0.0)
    monkeypatch.setattr(ganplay.datasets, "DATASETS", {"wide": wide})
    with pytest.raises(ValueError, match="17 columns; at most 16"):
        load_dataset("wide", n=5)


@pytest.mark.parametrize("variant", list(ganplay.VARIANTS))
def test_digits_recipe_makes_a_valid_config_for_every_variant(variant):
    recipe = ganplay.DATASETS["digits"].recipe(variant)
    cfg = ganplay.RunConfig(dataset="digits", variant=variant, **recipe)
    assert all(getattr(cfg, k) == v for k, v in recipe.items()) and cfg.pack == 2
    assert cfg.clip == (0.05 if variant == "wgan" else 0.01)
    assert ganplay.DATASETS["ring8"].recipe(variant) == {}


def test_the_digits_preset_is_the_recommended_recipe():
    from ganplay.presets import PRESETS
    assert PRESETS["digits"].config() == ganplay.RunConfig(dataset="digits", **ganplay.DATASETS["digits"].recommended)


@pytest.mark.parametrize("options", [{}, {"conditional": True}, {"spectral_norm": True}, {"r1_weight": 1.0},
                                     {"pack": 2}, {"conditional": True, "spectral_norm": True, "r1_weight": 1.0}])
def test_every_variant_trains_on_digits_with_every_option(options):
    base = ganplay.RunConfig(dataset="digits", z_dim=4, g_width=16, d_width=16, batch_size=8, steps=3, **options)
    runs = ganplay.SideBySide([base.replace(variant=v) for v in ganplay.VARIANTS])
    start = [run.sample(4) for run in runs.runs]
    runs.step(3)
    for run, before in zip(runs.runs, start):
        assert run.status == "done" and np.isfinite(run.history[["d_loss", "g_loss", "penalty"]].to_numpy()).all()
        after = run.sample(4)
        assert after.shape == (4, 64) and not np.array_equal(after, before), run.config.variant
