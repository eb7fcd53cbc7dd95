"""Datasets: the registry's geometry, determinism, labels, and the user's own data refused clearly."""
import numpy as np
import pytest

import ganplay
from ganplay.datasets import grid_centers, ring_centers


@pytest.mark.parametrize("name", [n for n in ganplay.DATASETS if n != "csv"])
def test_every_dataset_is_deterministic_and_well_formed(name):
    a, b = ganplay.load_dataset(name, n=500, seed=3), ganplay.load_dataset(name, n=500, seed=3)
    assert a.x.shape == (500, 2) and a.x.dtype == np.float32
    np.testing.assert_array_equal(a.x, b.x)
    assert not np.array_equal(a.x, ganplay.load_dataset(name, n=500, seed=4).x)
    spec = ganplay.DATASETS[name]
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
