"""The training as an animated GIF (ganplay/animation.py): frames, size, the step in the corner, the bounds."""
import dataclasses
import io
import itertools

import numpy as np
import pytest
from PIL import Image

import ganplay
from ganplay import animation, frames


@pytest.fixture(scope="module")
def recorded():
    """A run's frames every 10 steps, as the live loop publishes them (D's verdict on a grid)."""
    run = ganplay.Trainer(ganplay.RunConfig(steps=120, batch_size=64))
    shots = [frames.frame_of(run)]
    while not run.finished:
        shots.append(frames.frame_of(run.step(10)))
    return shots


def _opened(blob: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(blob))
    assert image.format == "GIF"
    return image


def _corner(image: Image.Image, index: int) -> np.ndarray:
    image.seek(index)
    return np.asarray(image.convert("RGB"))[:30, :110]


def test_the_gif_has_a_frame_per_published_frame_at_its_size(recorded):
    image = _opened(animation.training_gif(recorded, size=360))
    assert image.n_frames == len(recorded) == 13 and image.size == (360, 360)
    assert image.info["loop"] == 0 and image.info["duration"] == animation.FRAME_MS


def test_the_step_in_the_corner_changes_from_the_first_frame_to_the_last(recorded):
    image = _opened(animation.training_gif(recorded))
    first, last = _corner(image, 0), _corner(image, image.n_frames - 1)
    assert not np.array_equal(first, last)
    ink = np.array([33, 37, 41])
    assert (first == ink).all(axis=2).sum() > 20 and (last == ink).all(axis=2).sum() > 20  # text drawn in both


def test_pick_takes_one_frame_every_n_steps_and_keeps_the_ends(recorded):
    picked = animation.pick(recorded, 5)
    assert [f.step for f in picked] == [0, 30, 60, 90, 120]
    assert animation.pick(recorded, 100) == recorded


def test_the_largest_settings_stay_within_the_bounds(recorded):
    """The worst case for the encoder: 400 frames of a noisy verdict (no two alike) at the largest size."""
    rng = np.random.default_rng(0)
    worst = [dataclasses.replace(recorded[-1], step=k, wasserstein=True, critic=rng.normal(size=(64, 64)),
                                 fake_2d=rng.normal(size=(600, 2)) * 2) for k in range(400)]
    blob = animation.training_gif(worst, size=480)
    image = _opened(blob)
    assert len(blob) <= animation.MAX_BYTES and 2 <= image.n_frames <= animation.MAX_FRAMES
    assert image.size == (480, 480)


def test_drawing_is_thinned_to_the_time_bound():
    """A frame that takes 1 s to draw (a counting clock, not the wall): 20 s allow 20 frames of 200."""
    run = ganplay.Trainer(ganplay.RunConfig(steps=10, batch_size=64))
    shot = frames.frame_of(run)
    clock = itertools.count(step=2.0)  # read before and after the first two frames: 1 s a frame
    gif = animation.training_gif([dataclasses.replace(shot, step=k) for k in range(200)], max_seconds=20.0,
                                 clock=lambda: next(clock))
    assert _opened(gif).n_frames == 20


def test_no_frame_or_a_size_out_of_range_is_refused(recorded):
    with pytest.raises(ValueError, match="no frame"):
        animation.training_gif([])
    with pytest.raises(ValueError, match="320..480"):
        animation.training_gif(recorded, size=1000)
