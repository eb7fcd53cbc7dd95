"""Pins the chart modules: cached specs whose data layers are named, images of the right size and colours,
and no torch behind `import ganplay.charts`."""
import base64
import dataclasses
import io
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import streamlit
from PIL import Image

from ganplay import charts, collapse_charts, frames
from ganplay.frames import Extent
from ganplay.variants import VARIANTS, Variant

CHART_MODULES = ("charts", "collapse_charts", "latent_charts", "lesson_charts", "frames")
EXTENT = Extent(-2.0, 2.0, -1.0, 3.0)


def _frame(critic=None, wasserstein=False, densities=None, history=None) -> frames.Frame:
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(40, 2)).astype(np.float32), rng.normal(size=(30, 2)).astype(np.float32)
    history = history if history is not None else pd.DataFrame(
        {"step": [1, 2, 3], "d_loss": [1.0, 0.9, 0.8], "g_loss": [0.7, 0.8, 0.9], "penalty": [0.0, 0.0, 0.0]})
    return frames.Frame(step=3, status="training", diverged_at=None, real=real, real_labels=None, fake=fake,
                        fake_labels=None, label_names=(), real_2d=real, fake_2d=fake, extent=EXTENT,
                        wasserstein=wasserstein, critic=critic, push=None, densities=densities, history=history)


def _named_data(spec) -> set[str]:
    """Every dataset name a spec's layers read."""
    if isinstance(spec, dict):
        own = {spec["data"]["name"]} if isinstance(spec.get("data"), dict) and "name" in spec["data"] else set()
        return own.union(*(_named_data(value) for value in spec.values()))
    if isinstance(spec, list):
        return set().union(*(_named_data(value) for value in spec))
    return set()


def _image(url: str) -> np.ndarray:
    assert url.startswith("data:image/png;base64,")
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))).convert("RGB"))


def test_chart_modules_import_without_torch():
    code = ("import sys\n" + "".join(f"import ganplay.{name}\n" for name in CHART_MODULES)
            + "print('torch' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).resolve().parents[1])
    assert result.stdout.strip() == "False"


def test_the_scatter_sends_named_datasets_and_reuses_its_spec():
    grid = np.linspace(0, 1, 64).reshape(8, 8)
    drawing = charts.training_scatter(_frame(critic=grid))
    assert set(drawing.datasets) == _named_data(drawing.spec) == {"real", "generated", "critic", "verdict"}
    assert charts.training_scatter(_frame(critic=grid * 0.5)).spec is drawing.spec  # built once per view
    assert (drawing.datasets["real"].num_rows, drawing.datasets["generated"].num_rows) == (40, 30)
    assert "datasets" not in drawing.spec and "values" not in str(drawing.spec)  # no data inside the spec


def test_the_verdict_image_has_the_grid_size_and_the_scheme_ends():
    grid = np.zeros((8, 8))
    grid[0, :] = 1.0  # the bottom row: D says real
    drawing = charts.training_scatter(_frame(critic=grid))
    image = _image(drawing.datasets["critic"]["url"][0].as_py())
    stops = charts._stops(charts.PURPLE_GREEN)
    assert image.shape == (8, 8, 3)
    np.testing.assert_array_equal(image[-1], np.repeat(stops[-1:], 8, axis=0))  # image row -1 is the bottom
    np.testing.assert_array_equal(image[0], np.repeat(stops[:1], 8, axis=0))
    placed = drawing.datasets["critic"].to_pylist()[0]
    assert (placed["x"], placed["x2"], placed["y"], placed["y2"]) == EXTENT.as_tuple
    assert drawing.datasets["verdict"]["value"].to_pylist() == [0.0, 1.0]


def test_a_critic_value_is_coloured_on_a_scale_symmetric_around_zero():
    grid = np.array([[-0.5, 2.0], [0.0, 1.0]])
    drawing = charts.training_scatter(_frame(critic=grid, wasserstein=True))
    assert drawing.datasets["verdict"]["value"].to_pylist() == [-2.0, 2.0]
    middle = charts.colour_map(np.array(0.0), charts.PURPLE_GREEN, -2.0, 2.0)
    np.testing.assert_array_equal(_image(drawing.datasets["critic"]["url"][0].as_py())[0, 0], middle)  # top left: 0
    assert "critic f(x)" in str(drawing.spec)


def test_colour_map_interpolates_the_stops_linearly_in_rgb():
    stops = charts._stops(charts.GREYS)
    halfway = charts.colour_map(np.array([0.05]), charts.GREYS, 0.0, 1.0)  # halfway between stops 0 and 1
    np.testing.assert_array_equal(halfway[0], ((stops[0] + stops[1]) / 2).round())
    np.testing.assert_array_equal(charts.colour_map(np.array([-3.0, 9.0]), charts.GREYS, 0.0, 1.0),
                                  stops[[0, -1]])


def test_image_colours_are_vegas_own_schemes():
    """The stops are copied from vega-scale as Streamlit bundles it: a new Streamlit may change them."""
    bundle = next((Path(streamlit.__file__).parent / "static").rglob("embed.*.js")).read_text()
    assert re.search(r"purpleGreen:`([0-9a-f]+)`", bundle).group(1) == charts.PURPLE_GREEN
    assert re.search(r"greys:`([0-9a-f]+)`", bundle).group(1) == charts.GREYS


def test_densities_are_two_grey_images_each_on_its_own_scale():
    data, generator = np.outer(np.arange(6), np.ones(6)), np.full((6, 6), 1e-3)
    drawing = charts.kde_chart(_frame(densities=(data, generator * np.eye(6))))
    table = drawing.datasets["densities"].to_pandas()
    assert table["of"].tolist() == ["data", "generator"] and _named_data(drawing.spec) == {"densities"}
    images = [_image(url) for url in table.url]
    assert [image.shape for image in images] == [(6, 6, 3)] * 2
    darkest = charts._stops(charts.GREYS)[-1]
    np.testing.assert_array_equal(images[0][0, 0], darkest)  # top row: the largest density of the data
    np.testing.assert_array_equal(images[1][5, 0], darkest)  # the generator's peak, at its own scale


def test_losses_are_one_dataset_with_the_penalty_only_where_there_is_one():
    drawing = charts.loss_chart(_frame().history)
    assert drawing.datasets["losses"].column_names == ["step", "d_loss", "g_loss"]
    assert drawing.spec["transform"][0]["fold"] == ["d_loss", "g_loss"]
    with_penalty = _frame().history.assign(penalty=[0.0, 0.1, 0.2])
    assert charts.loss_chart(with_penalty).datasets["losses"].column_names[-1] == "penalty"


def test_a_variant_brings_its_chart_colour_and_a_new_one_needs_none():
    colours = collapse_charts.variant_colours(list(VARIANTS.values()))
    assert len({colour for _, colour in colours}) == len(VARIANTS)
    assert charts.REAL not in dict(colours).values() and charts.FAKE not in dict(colours).values()
    newcomer = dataclasses.replace(VARIANTS["gan"], name="new", title="A new GAN", colour=Variant.colour)
    modes = pd.DataFrame({"variant": ["A new GAN"], "mode": [0], "count": [30]})
    drawing = collapse_charts.counts_chart(modes, collapse_charts.variant_colours([newcomer]), 20)
    assert drawing.spec["layer"][0]["encoding"]["color"]["scale"]["range"] == ["#495057"]
    assert set(drawing.datasets) == _named_data(drawing.spec) == {"modes", "threshold"}


def _every_live_drawing():
    from ganplay import latent_charts
    xy = pd.DataFrame({"x": [0.0, 1.0], "y": [1.0, 0.0]})
    backdrop = xy.assign(source=["real", "generated"])
    labelled = xy.assign(label=["a", "b"], source="real")
    modes = pd.DataFrame({"variant": ["LSGAN"], "mode": [0], "x": [0.0], "y": [0.0], "count": [25],
                          "captured": [True]})
    track = pd.DataFrame({"step": [0], "variant": ["LSGAN"], "modes_captured": [1], "high_quality_share": [0.5]})
    colours = collapse_charts.variant_colours([VARIANTS["lsgan"]])
    return [
        charts.training_scatter(_frame(critic=np.zeros((4, 4)))), charts.loss_chart(_frame().history),
        charts.kde_chart(_frame(densities=(np.ones((4, 4)), np.ones((4, 4))))),
        collapse_charts.mode_grid(xy.assign(variant="LSGAN"), modes, EXTENT, 0.05),
        collapse_charts.modes_track_chart(track, colours, 8), collapse_charts.quality_track_chart(track, colours),
        collapse_charts.counts_chart(modes, colours, 20),
        latent_charts.point_chart(backdrop, xy, EXTENT),
        latent_charts.path_chart(backdrop, xy.assign(t=[0.0, 1.0], norm=[1.0, 1.0]), EXTENT),
        latent_charts.norm_profile_chart(pd.DataFrame({"t": [0.0], "norm": [1.0], "method": ["linear"]}), "linear"),
        latent_charts.sweep_chart(backdrop, xy.assign(axis=["z₁", "z₂"], value=[0.0, 1.0]), xy, EXTENT),
        latent_charts.manifold_chart(backdrop, xy.assign(line="row 0", varies="z₁", order=[0, 1]), EXTENT),
        latent_charts.labelled_scatter(labelled, labelled.assign(source="generated"), EXTENT, ["a", "b"]),
        latent_charts.same_z_chart(labelled, labelled.assign(chosen=[True, False]), EXTENT, ["a", "b"]),
    ]


def test_every_live_chart_reads_only_the_datasets_it_is_sent():
    for drawing in _every_live_drawing():
        assert "datasets" not in drawing.spec and "values" not in str(drawing.spec)
        assert set(drawing.datasets) == _named_data(drawing.spec)


def test_a_grid_drawn_again_reuses_its_image_and_a_new_grid_gets_its_own():
    urls = charts._GridUrls(size=2)
    grid = np.linspace(0.0, 1.0, 64).reshape(8, 8)
    url = urls(grid, charts.GREYS, 0.0, 1.0)
    assert url == charts.png_url(charts.grid_image(grid, charts.GREYS, 0.0, 1.0))
    assert urls(grid, charts.GREYS, 0.0, 1.0) is url  # the timer's redraw of the same frame
    assert urls(grid, charts.GREYS, 0.0, 2.0) != url  # another scale, another image
    other = grid[::-1].copy()
    assert urls(other, charts.GREYS, 0.0, 1.0) == charts.png_url(charts.grid_image(other, charts.GREYS, 0.0, 1.0))
    with pytest.raises(ValueError):
        grid[0, 0] = 5.0  # the kept image stands for these values
    assert len(urls._urls) == 2  # bounded: the oldest went


def test_hover_values_beyond_half_floats_range_are_sent_as_they_are():
    """A diverging critic or data near 1e14 gives values float16 cannot hold: they stay numbers, not infinities."""
    from ganplay.frames import Hover
    fake = np.zeros((3, 2), dtype=np.float32)
    hover = Hover(z=np.ones((3, 2)), critic=np.array([1.0, 2e6, -3.0]), push=np.array([[1e14, 0.0]] * 3),
                  judge="critic value")
    table = charts.hover_data(fake, hover, charts.HoverFields.of(hover))
    assert table.column("critic").to_pylist() == [1.0, 2e6, -3.0]
    assert table.column("push_1").to_pylist() == [np.float32(1e14)] * 3
    assert table.column("z_1").type == pa.float16()  # values that fit still go as half floats
