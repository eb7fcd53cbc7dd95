"""The pages on image data (digits) under AppTest: pictures instead of point clouds, the dataset's recipe in the
sidebar, the digit downloads and the copied script."""
import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from ganplay import DATASETS, RunConfig, digit_modes, export, picture_charts

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "app.py")
SMALL = RunConfig(dataset="digits", steps=100, n=300, z_dim=3, g_width=16, d_width=16, batch_size=64)


def _open(page: str, cfg: RunConfig = SMALL) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.run()
    at.session_state["run_config"] = cfg
    at.switch_page(page).run()
    assert not at.exception and not at.error
    return at


def _images(at: AppTest) -> list:
    return at.get("image")


def _sidebar_config(at: AppTest) -> RunConfig:
    return at.session_state.run_config


def test_picking_digits_brings_its_recipe_and_leaving_puts_the_defaults_back():
    at = _open("pages/playground.py", RunConfig())
    at.sidebar.selectbox(key="cfg_dataset").set_value("digits").run()
    cfg = _sidebar_config(at)
    recipe = DATASETS["digits"].recipe("nsgan")
    assert {field: getattr(cfg, field) for field in recipe} == recipe
    at.sidebar.selectbox(key="cfg_variant").set_value("wgan").run()
    assert _sidebar_config(at).clip == 0.05 and _sidebar_config(at).g_width == 256  # WGAN's own line of the recipe
    at.sidebar.selectbox(key="cfg_dataset").set_value("ring8").run()
    assert _sidebar_config(at) == RunConfig(variant="wgan")
    assert not at.exception and not at.error


def test_a_recipe_leaves_the_settings_a_visitor_chose():
    at = _open("pages/playground.py", RunConfig(steps=200, g_width=32))
    at.sidebar.selectbox(key="cfg_dataset").set_value("digits").run()
    cfg = _sidebar_config(at)
    assert (cfg.steps, cfg.g_width, cfg.d_width, cfg.z_dim) == (200, 32, 256, 16)


def test_playground_draws_digit_grids_with_ds_verdict_and_no_projection_menu():
    at = _open("pages/playground.py")
    at.button(key="playground_step").click().run()
    assert not at.exception and not at.error
    assert len(_images(at)) == 2  # generated and real, one image each
    assert not [s for s in at.selectbox if s.key == "projection"]  # no "Draw through" plane for pictures
    assert len(at.get("vega_lite_chart")) == 1  # the losses
    assert any("D's verdict per generated image" in c.value and "PacGAN" not in c.value for c in at.caption)
    at.sidebar.slider(key="cfg_pack").set_value(2).run()
    assert any("judged packed with copies of itself" in c.value for c in at.caption)


def test_playground_counts_the_digits_once_the_classifier_is_fitted():
    from ganplay.ui import pictures
    pictures.fitted_classifier()
    at = _open("pages/playground.py", SMALL.replace(seed=1))  # a run of its own: the loop shares one run per config
    report = next(m.value for m in at.markdown if m.value.startswith("**Digits covered:"))
    assert "of 10" in report and "2,500 samples at step 0" in report


@pytest.mark.parametrize("mode, caption", [("Point", "G(z) for the sliders' z"), ("Path", "From G(z₀)"),
                                           ("Sweep", "One row per latent axis"), ("Manifold", "The latent plane")])
def test_latent_walk_draws_each_view_as_one_picture(mode, caption):
    at = _open("pages/latent_walk.py")
    at.radio(key="latent_mode").set_value(mode).run()
    assert not at.exception and not at.error
    assert len(_images(at)) == 1
    assert any(c.value.startswith(caption) for c in at.caption)


def test_conditional_page_draws_the_chosen_digits_and_one_z_under_every_label():
    at = _open("pages/conditional.py")
    at.button(key="conditional_step").click().run()
    at.multiselect(key="conditional_labels_digits").set_value([7]).run()
    assert not at.exception and not at.error
    assert len(_images(at)) == 2  # the chosen digits' grid, and one z under every label
    assert any(c.value.startswith("G(z | y) for y = 7: 60 samples each") for c in at.caption)
    assert any(c.value.startswith("The digit classifier reads them as asked: 7 ") for c in at.caption)
    assert not at.get("vega_lite_chart")  # pictures, not point clouds, and no per-class densities over two pixels


def test_mode_collapse_page_counts_digits_per_variant_when_asked():
    at = _open("pages/mode_collapse.py")
    at.sidebar.select_slider(key="collapse_steps").set_value(100).run()
    at.sidebar.multiselect(key="collapse_variants").set_value(["nsgan"]).run()
    charts_before = len(at.get("vega_lite_chart"))
    at.button(key="collapse_digits").click().run()
    assert not at.exception and not at.error
    assert len(at.get("vega_lite_chart")) == charts_before + 1
    accuracy = f"held-out real digits: {digit_modes.classifier().accuracy:.1%}."
    assert any(c.value.endswith(accuracy) for c in at.caption)


def test_take_away_offers_a_digit_sheet_and_rows_and_the_script_redraws_the_sheet(tmp_path):
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update(dataset="digits", steps="200", g_width="16", d_width="16", batch_size="64", z_dim="3")
    at.run()
    at.switch_page("pages/playground.py").run()
    at.button(key="playground_step").click().run()
    at.session_state["take_away_open"] = True
    at.run()
    labels = [b.label for b in at.get("download_button")]
    assert "Digits sheet (100 images, PNG)" in labels and "Digits as rows (2,500 × 64, .npy)" in labels
    run = at.session_state.run
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}
    subprocess.run([sys.executable, "-c", at.main.code[-1].value], cwd=tmp_path, env=env, check=True,
                   capture_output=True, timeout=90)
    sheet = (tmp_path / "ganplay_digits.png").read_bytes()
    assert sheet == picture_charts.sheet_png(run.sample(export.SAMPLES)[:100], run.data)
    assert np.asarray(Image.open(io.BytesIO(sheet))).shape == (340, 340)
