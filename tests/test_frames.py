"""Pins ganplay.frames: a Frame is what the run computes, on the grid the images are drawn on."""
import numpy as np
import pytest

import ganplay
from ganplay import frames, metrics
from ganplay.frames import Extent


@pytest.fixture(scope="module")
def run():
    trained = ganplay.Trainer(ganplay.RunConfig(dataset="ring8", steps=200, seed=3))
    trained.step(120)
    return trained


def test_critic_grid_is_d_at_the_pixel_centres(run):
    shown = frames.frame_of(run, resolution=8)
    extent = shown.extent
    width, height = (extent.xmax - extent.xmin) / 8, (extent.ymax - extent.ymin) / 8
    # row i is the i-th y from the bottom, column j the j-th x from the left, each a pixel's centre
    i, j = 2, 5
    centre = np.array([[extent.xmin + (j + 0.5) * width, extent.ymin + (i + 0.5) * height]], dtype=np.float32)
    expected = 1 / (1 + np.exp(-run.critic(centre)))
    assert shown.critic.shape == (8, 8)
    assert shown.critic[i, j] == pytest.approx(float(expected[0]), rel=1e-5)
    _, _, points = extent.pixel_centres(8).grid(8)
    np.testing.assert_allclose(shown.critic.ravel(), 1 / (1 + np.exp(-run.critic(points))), rtol=1e-6)


def test_a_wasserstein_frame_keeps_the_raw_critic_value():
    critic_run = ganplay.Trainer(ganplay.RunConfig(dataset="ring8", variant="wgan-gp", steps=50))
    critic_run.step(5)
    shown = frames.frame_of(critic_run, resolution=6)
    _, _, points = shown.extent.pixel_centres(6).grid(6)
    assert shown.wasserstein
    np.testing.assert_array_equal(shown.critic.ravel(), critic_run.critic(points))


def test_the_frame_holds_the_snapshot_and_a_thinned_history(run):
    snap, shown = run.snapshot(), frames.frame_of(run, push=True)
    assert shown.step == snap.step == 120 and shown.status == snap.status
    np.testing.assert_array_equal(shown.fake, snap.fake)
    np.testing.assert_array_equal(shown.real_2d, snap.real)
    assert shown.extent == Extent.around(run.data.x)
    assert shown.history.equals(snap.history)  # 120 steps: nothing to thin yet
    assert shown.push.shape == (frames.PUSH_ARROWS, 4)
    np.testing.assert_array_equal(shown.push[:, :2], snap.fake[:frames.PUSH_ARROWS])


def test_push_arrows_follow_the_run_and_the_longest_is_six_percent_of_the_window(run):
    shown = frames.frame_of(run, push=True)
    fake = shown.fake[:frames.PUSH_ARROWS]
    push = run.generator_push(fake)
    step = shown.push[:, 2:] - shown.push[:, :2]
    lengths = np.linalg.norm(step, axis=1)
    assert lengths.max() == pytest.approx(0.06 * shown.extent.span, rel=1e-5)
    np.testing.assert_allclose(step / lengths[:, None], push / np.linalg.norm(push, axis=1)[:, None], atol=1e-5)


def test_densities_are_the_kde_at_the_pixel_centres(run):
    shown = frames.frame_of(run, resolution=10)
    window = shown.extent.pixel_centres(10).as_tuple
    data, generator = shown.densities
    expected = metrics.kde_grid(shown.real, window, 10, 0.04 * shown.extent.span)[2]
    np.testing.assert_array_equal(data, expected)
    assert generator.shape == (10, 10) and generator.min() >= 0


def test_parts_turned_off_are_left_out_and_higher_dimensions_drop_the_plane_only_views():
    iris = ganplay.Trainer(ganplay.RunConfig(dataset="csv"), data=ganplay.from_array(
        np.random.default_rng(0).normal(size=(200, 3)).astype(np.float32)))
    shown = frames.frame_of(iris, lambda x: x[:, [0, 2]], critic=True, push=True, densities=False)
    assert shown.critic is None and shown.push is None and shown.densities is None
    np.testing.assert_array_equal(shown.real_2d, shown.real[:, [0, 2]])
    assert shown.extent == Extent.around(iris.data.x[:, [0, 2]])


def test_a_long_history_is_thinned_to_evenly_spaced_rows_with_both_ends():
    history = ganplay.Trainer(ganplay.RunConfig(dataset="ring8")).history
    long = history.reindex(range(1000)).assign(step=np.arange(1, 1001))
    thinned = frames.thin_history(long, limit=300)
    assert len(thinned) == 300 and thinned.step.iloc[0] == 1 and thinned.step.iloc[-1] == 1000
    assert thinned.step.is_monotonic_increasing
