"""The picture views' builders: grids of the right shape and value range, D's verdict per image, the digit track."""
import io

import numpy as np
import pytest
from PIL import Image

from ganplay import RunConfig, Trainer, digit_collapse, picture_charts
from ganplay.collapse_charts import variant_colours
from ganplay.pictures import FAKE_TINT, REAL_TINT
from ganplay.variants import VARIANTS

TINY = RunConfig(dataset="digits", steps=100, n=300, z_dim=4, g_width=16, d_width=16, batch_size=64, pack=2)
CELL = 8 * picture_charts.SCALE + 2 * picture_charts.BORDER  # one framed image of the live grids


@pytest.fixture(scope="module")
def run():
    return Trainer(TINY).step(20)


def _cell(grid: np.ndarray, k: int, columns: int, scale: int, border: int) -> np.ndarray:
    """Image k of a grid, without its frame, shrunk back to 8×8 pixels."""
    size = 8 * scale + 2 * border
    top, left = (k // columns) * size + border, (k % columns) * size + border
    return grid[top:top + 8 * scale:scale, left:left + 8 * scale:scale]


def _grey(images: np.ndarray) -> np.ndarray:
    """Ink 0..16 as the grids draw it: linearly to 0..255, clipped."""
    return np.rint(255 * np.clip(images / 16, 0, 1)).astype(np.uint8).reshape(-1, 8, 8)


def test_classic_verdict_is_the_sigmoid_of_the_logit():
    logits = np.array([-2.0, 0.0, 3.0])
    assert picture_charts.verdict_scores(logits, wasserstein=False) == pytest.approx(1 / (1 + np.exp(-logits)))


def test_wasserstein_verdict_is_rescaled_over_the_frame():
    assert picture_charts.verdict_scores(np.array([5.0, 7.0, 6.0]), True) == pytest.approx([0.0, 1.0, 0.5])
    assert picture_charts.verdict_scores(np.array([2.0, 2.0]), True) == pytest.approx([0.5, 0.5])


def test_live_grids_show_64_images_on_the_ink_range_framed_by_ds_verdict(run):
    shown = picture_charts.picture_frame(run)
    snap = run.snapshot()
    assert shown.fake.shape == (8 * CELL, 8 * CELL, 3) and shown.fake.dtype == np.uint8
    assert shown.real.shape == (8 * CELL, 8 * CELL) and shown.real.dtype == np.uint8
    for k in (0, 9, 63):
        np.testing.assert_array_equal(_cell(shown.fake, k, 8, picture_charts.SCALE, 2)[..., 0], _grey(snap.fake[k])[0])
        np.testing.assert_array_equal(_cell(shown.real, k, 8, picture_charts.SCALE, 2), _grey(snap.real[k])[0])
    # each image judged packed with copies of itself (pack 2): Run.critic's convention
    expected = 1 / (1 + np.exp(-run.critic(snap.fake[:64])))
    np.testing.assert_allclose(shown.scores, expected, rtol=1e-6)
    t = shown.scores[10]
    frame = shown.fake[(10 // 8) * CELL, (10 % 8) * CELL]
    np.testing.assert_array_equal(frame, np.rint((1 - t) * np.array(FAKE_TINT) + t * np.array(REAL_TINT)))
    assert shown.history.step.iloc[-1] == 20


def test_without_the_verdict_the_generated_grid_is_grey(run):
    shown = picture_charts.picture_frame(run, verdict=False)
    assert shown.scores is None and shown.fake.shape == (8 * CELL, 8 * CELL)


def test_images_at_latent_points_are_g_of_those_points_row_by_row(run):
    z = np.random.default_rng(0).standard_normal((6, TINY.z_dim))
    grid = picture_charts.images_at(run, z, columns=4, scale=3)
    assert grid.shape == (2 * (8 * 3 + 2), 4 * (8 * 3 + 2))
    np.testing.assert_array_equal(_cell(grid, 5, 4, 3, 1), _grey(run.sample(z=z[5:6]))[0])


def test_same_z_under_every_label_is_one_row_of_ten():
    run = Trainer(TINY.replace(conditional=True)).step(5)
    z = np.zeros(TINY.z_dim)
    grid = picture_charts.same_z_images(run, z, scale=2)
    assert grid.shape == (8 * 2 + 2, 10 * (8 * 2 + 2))
    np.testing.assert_array_equal(_cell(grid, 7, 10, 2, 1), _grey(run.sample(z=z[None], labels=7))[0])


def test_labelled_grid_gives_each_label_whole_rows_with_a_blank_tail():
    run = Trainer(TINY.replace(conditional=True)).step(5)
    grid = picture_charts.labelled_images(run, [3, 8], per_label=12, columns=10, scale=2)
    size = 8 * 2 + 2
    assert grid.shape == (4 * size, 10 * size)  # two rows per label
    assert _cell(grid, 12, 10, 2, 1).max() == 0 and _cell(grid, 19, 10, 2, 1).max() == 0  # label 3's tail
    asked = run.sample(40, labels=np.repeat([3, 8], 20))  # whole rows of each label, in turn
    np.testing.assert_array_equal(_cell(grid, 20, 10, 2, 1), _grey(asked[20])[0])


def test_png_sheet_decodes_to_ten_rows_of_ten_digits(run):
    sheet = picture_charts.sheet_png(run.sample(100), run.data)
    image = np.asarray(Image.open(io.BytesIO(sheet)))
    assert image.shape == (10 * (8 * 4 + 2), 10 * (8 * 4 + 2)) and image.dtype == np.uint8


def test_digit_track_reads_every_run_at_step_0_and_at_each_record():
    configs = digit_collapse.digit_configs(["nsgan", "wgan"], steps=40, seed=0)
    assert [c.g_width for c in configs] == [256, 256] and configs[1].clip == 0.05 and configs[0].steps == 40
    small = [c.replace(g_width=16, d_width=16) for c in configs]
    track = digit_collapse.digit_track(small, records=2, samples=200)
    assert [(m.variant, m.step) for m in track] == [("nsgan", 0), ("wgan", 0), ("nsgan", 20), ("wgan", 20),
                                                    ("nsgan", 40), ("wgan", 40)]
    assert all(0 <= m.covered <= 10 and 0 <= m.confident_share <= 1 for m in track)
    frame = digit_collapse.track_frame(track)
    assert list(frame.variant.unique()) == [VARIANTS["nsgan"].title, VARIANTS["wgan"].title]
    spec = picture_charts.digit_track_chart(frame, variant_colours([VARIANTS["nsgan"], VARIANTS["wgan"]])).to_dict()
    assert [c["encoding"]["y"]["field"] for c in spec["hconcat"]] == ["covered", "confident_share", "kl_to_uniform"]
