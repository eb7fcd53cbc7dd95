"""Image grids: shape, value range, frames, and the files to download."""
import io

import numpy as np
import pytest
from PIL import Image

import ganplay
from ganplay import pictures


def test_grid_has_one_upscaled_cell_per_image_with_blank_cells_to_finish_the_row():
    images = np.zeros((7, 64))
    grid = pictures.image_grid(images, (8, 8), columns=3, scale=4, border=1)
    assert grid.shape == (3 * 34, 3 * 34) and grid.dtype == np.uint8
    assert (grid[2 * 34:, 1 * 34:] == 0).all()  # cells 8 and 9 are blank background
    assert grid[0, 0] == pictures.GAP and grid[1, 1] == 0


def test_pixels_map_linearly_from_the_value_range_and_are_clipped():
    image = np.array([[-5.0, 0.0, 8.0, 16.0, 40.0, np.nan]])
    grid = pictures.image_grid(image, (1, 6), columns=1, scale=1, border=0)
    assert grid.tolist() == [[0, 0, 128, 255, 255, 0]]
    inverted = pictures.image_grid(image, (1, 6), columns=1, scale=1, border=0, invert=True)
    assert inverted.tolist() == [[255, 255, 128, 0, 0, 255]]


def test_nearest_neighbour_upscaling_repeats_each_pixel_as_a_block():
    image = np.arange(4.0).reshape(1, 4) * 5
    grid = pictures.image_grid(image, (2, 2), columns=1, scale=3, border=0, value_range=(0, 15))
    np.testing.assert_array_equal(grid, np.kron(np.array([[0, 85], [170, 255]]), np.ones((3, 3))).astype(np.uint8))


def test_scores_tint_each_cells_frame_from_fake_to_real():
    grid = pictures.image_grid(np.zeros((2, 64)), columns=2, scale=2, border=2, scores=[0.0, 1.0])
    assert grid.shape == (20, 40, 3)
    assert tuple(grid[0, 0]) == pictures.FAKE_TINT and tuple(grid[0, 20]) == pictures.REAL_TINT
    assert tuple(grid[5, 5]) == (0, 0, 0)


def test_explicit_tints_and_bad_arguments():
    grid = pictures.image_grid(np.zeros((1, 64)), columns=1, tints=[[1, 2, 3]])
    assert tuple(grid[0, 0]) == (1, 2, 3)
    for bad, message in [({"images": np.zeros((2, 63))}, "64 pixels"), ({"scores": [0.5]}, "one per image"),
                         ({"scale": 0}, "columns, scale"), ({"value_range": (1, 1)}, "must rise"),
                         ({"scores": [0, 1], "tints": np.zeros((2, 3))}, "not both")]:
        with pytest.raises(ValueError, match=message):
            pictures.image_grid(**{"images": np.zeros((2, 64)), **bad})


def test_png_sheet_decodes_to_the_grid_and_npy_to_the_rows():
    digits = ganplay.load_dataset("digits", n=20, seed=0)
    sheet = pictures.png_sheet(digits.x, digits.image_shape, columns=5, scale=2)
    decoded = np.asarray(Image.open(io.BytesIO(sheet)))
    np.testing.assert_array_equal(decoded, pictures.image_grid(digits.x, (8, 8), columns=5, scale=2))
    np.testing.assert_array_equal(np.load(io.BytesIO(pictures.npy_bytes(digits.x))), digits.x)
    with pytest.raises(ValueError, match="uint8"):
        pictures.png_bytes(np.zeros((4, 4)))
